"""Queue an email in the caller's transaction (delivery.py sends it from the worker)."""

from __future__ import annotations

from livesession.core.clock import now
from livesession.messaging.models import OutboxMessage
from livesession.protection.models import Subject


def queue_email(*, subject: Subject, to: str, subject_line: str, body: str, kind: str,
                client_id: int | None) -> OutboxMessage:
    """Write the message row; must run inside the transaction of the change that causes it,
    so a rolled-back change sends nothing (DESIGN rule 5)."""
    from livesession.core import tasks
    from livesession.messaging.jobs import deliver

    message = OutboxMessage(subject=subject, kind=kind, client_id=client_id,
                            next_attempt_at=now())
    message.to = to
    # A header is one line: a line break (say, from an event title) would make every build
    # of this message fail.
    message.subject_line = " ".join(subject_line.split())
    message.body = body
    message.save()
    tasks.enqueue_on_commit(deliver, message.pk)
    return message
