"""Worker side of the outbox: deliver one message, and sweep for rows the queue lost."""

from __future__ import annotations

from livesession.core import tasks
from livesession.messaging import delivery
from livesession.protection import keystore


@tasks.task()
def deliver(message_id: int) -> str | None:
    with keystore.unit_of_work():
        return delivery.deliver_now(message_id)


@tasks.task()
def deliver_many(message_ids: list[int]) -> int:
    """Deliver the messages of one batch (an import's) in turn: one doorbell instead of
    one per message. Each is claimed as ``deliver`` claims it, so a message another worker
    took is skipped; if this worker dies, the sweeper rings for what is left. Returns how
    many this call delivered (sent, kept or failed for good)."""
    done = 0
    for message_id in message_ids:
        with keystore.unit_of_work():
            if delivery.deliver_now(message_id) is not None:
                done += 1
    return done


@tasks.periodic(minutes="*")
def sweep_outbox() -> int:
    """Every minute: ring again for every due row (lost doorbells, retries, dead workers)."""
    ids = delivery.due_messages()
    for message_id in ids:
        deliver(message_id)
    return len(ids)


@tasks.periodic(minutes="*")
def send_scheduled_messages() -> int:
    """Every minute: the reminders and follow-ups that are due, each exactly once
    (messaging/reminders.py, messaging/once.py)."""
    from livesession.messaging import reminders, segments

    sent = reminders.send_reminders() + reminders.send_followups()
    # Segment messages whose doorbell was lost, or whose worker died mid-way.
    for campaign_id in segments.unfinished():
        segments.run(campaign_id)
    return sent


@tasks.task()
def run_campaign(campaign_id: int) -> None:
    """Fan a message to a segment out, in batches (messaging/segments.py)."""
    from livesession.messaging import segments

    segments.run(campaign_id)
