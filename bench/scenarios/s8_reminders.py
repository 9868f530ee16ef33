"""S8 reminders at event start (issue 9; performance-anchors.md §(b) S8).

An event starting in 14 minutes with a 15-minute reminder (due now), ``people`` confirmed
registrants with personal links (bulk, bench/scenarios/_d_data.py). Among them, ``odd``
each: restricted (GDPR art. 18), objecting to reminders (art. 21), erased, and unsubscribed
from non-transactional mail.

1. ``reminders.send_reminders()`` (the worker's periodic job): each reminder composed
   (template, values, ICS, sealed body) and queued in the outbox, once per registrant
   (``MessageOnce``). Figure: messages/s per core (CPU time of this process).
2. Render + MIME: ``compose.compose`` alone (template, values, ICS, no write) for ``send``
   registrants, then each queued reminder built as the SMTP message the worker sends
   (``delivery._build(...).message().as_bytes()``); messages per CPU second (one core).
3. Sending: ``delivery.deliver_now`` for each, to a local SMTP sink (aiosmtpd), as the
   worker does it, unpaced (``OUTBOX_SEND_RATE`` 0: as fast as SMTP answers, one
   connection per message); messages/s.
4. Paced: ``paced`` more messages with ``OUTBOX_SEND_RATE`` = ``PACE_RATE``
   (messaging/pace.py); the rate the sink sees between its first and last arrival, target
   within 5 % of the configured one.

Gates: a second run of the job queues nothing (idempotency); one reminder per eligible
registrant and none to the restricted, objecting and erased people; the unsubscribed still
get theirs (reminders are transactional, messaging/reminders.py and docs/messages.md); the
sink received exactly the reminders sent, paced ones included.

Standalone: ``.venv/bin/python bench/scenarios/s8_reminders.py [--quick] [--db URL]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import socket
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE.parents[1]) not in sys.path:
    sys.path.insert(0, str(HERE.parents[1]))

TITLE = "Reminders at event start"
RENDER_PER_CORE = 1_000
FULL = {"people": 10_000, "odd": 50, "send": 2_000, "paced": 500}
QUICK = {"people": 1_000, "odd": 20, "send": 300, "paced": 150}
# The configured rate of the paced run (OUTBOX_SEND_RATE), below what one worker reaches
# unpaced on a loaded machine (109-208 msg/s measured), so that the pace, not the machine,
# sets the rate; the target: the rate the SMTP server sees is within 5 % of it.
PACE_RATE = 50.0
PACE_TOLERANCE = 0.05


class _Sink:
    def __init__(self) -> None:
        self.count = 0
        self.recipients: list[str] = []
        self.stamps: list[float] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.count += 1
        self.recipients += list(envelope.rcpt_tos)
        self.stamps.append(time.perf_counter())
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def measure(people: int, odd: int, send: int, paced: int) -> dict[str, Any]:
    """Django side: seed, run the job twice, render, send to a sink; figures and gates."""
    from aiosmtpd.controller import Controller
    from django.conf import settings

    from bench.scenarios import _d_data as d
    from livesession.access import services as access
    from livesession.messaging import compose, delivery, reminders
    from livesession.messaging.models import MessageOnce, OutboxMessage
    from livesession.messaging.unsubscribe import unsubscribe
    from livesession.protection import erasure, keystore, objection, restriction
    from livesession.protection.models import ObjectionPurpose, Subject
    from livesession.registrations.models import Registration

    began = time.perf_counter()
    tenant = d.new_client("s8")
    event = d.new_event(tenant.client, starts_in=dt.timedelta(minutes=14),
                        reminder_offsets=[15])
    made = d.bulk_people(tenant.client, event, people, prefix="s8", links=True)
    # The registrations were confirmed before the reminder's moment (T = start - 15 min).
    Registration.objects.filter(event=event).update(
        confirmed_at=event.starts_at - dt.timedelta(days=1),
        created_at=event.starts_at - dt.timedelta(days=1))
    groups = {name: made.subject_ids[i * odd:(i + 1) * odd] for i, name in
              enumerate(("restricted", "objecting", "erased", "unsubscribed"))}
    restriction.restrict(groups["restricted"], actor="bench", source="manager")
    objection.object_to(groups["objecting"], ObjectionPurpose.REMINDERS, actor="bench",
                        source="manager")
    for subject in Subject.objects.filter(pk__in=groups["erased"]):
        erasure.erase_person(subject, actor="bench")
    for sid in groups["unsubscribed"]:
        unsubscribe(tenant.client.pk, sid, channel="link")
    seeded = time.perf_counter() - began
    d.analyze()

    cpu, wall = time.process_time(), time.perf_counter()
    sent = reminders.send_reminders()
    queue_cpu, queue_wall = time.process_time() - cpu, time.perf_counter() - wall
    again = reminders.send_reminders()

    rows = OutboxMessage.objects.filter(client_id=tenant.client.pk, kind="reminder")
    per_registration = list(rows.values_list("registration_id", flat=True))
    by_subject = set(rows.values_list("registration__subject_id", flat=True))
    ids = list(rows.order_by("pk").values_list("pk", flat=True))

    # Render alone (compose: template, values, ICS; no database write), then MIME as the
    # worker builds each message before SMTP; CPU time of this process (one core).
    chosen = list(Registration.objects.filter(pk__in=per_registration[:send])
                  .select_related("event__client"))
    with keystore.unit_of_work():
        keystore.preload(r.subject_id for r in chosen)
        tokens = {r.pk: access.current_token(r) or "" for r in chosen}
        cpu = time.process_time()
        for registration in chosen:
            compose.compose(registration, "reminder", token=tokens[registration.pk])
        render_cpu = time.process_time() - cpu
    with keystore.unit_of_work():
        sample = list(OutboxMessage.objects.filter(pk__in=ids[:send]))
        keystore.preload(m.subject_id for m in sample)
        cpu = time.process_time()
        size = sum(len(delivery._build(m).message().as_bytes()) for m in sample)
        mime_cpu = time.process_time() - cpu

    # Sending to a local SMTP sink, the worker's way (one message, one connection).
    sink = _Sink()
    port = _free_port()
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # it logs the recipients
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    host, old_port = settings.EMAIL_HOST, settings.EMAIL_PORT
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    try:
        wall = time.perf_counter()
        statuses: dict[str, int] = {}
        for message_id in ids[:send]:
            with keystore.unit_of_work():
                status = str(delivery.deliver_now(message_id))
            statuses[status] = statuses.get(status, 0) + 1
        send_wall = time.perf_counter() - wall
        received = sink.count
        # The same worker's way again, with a configured send rate (messaging/pace.py):
        # the rate is read where the SMTP server receives, between the first and the last
        # message of the run.
        settings.OUTBOX_SEND_RATE = PACE_RATE
        first = len(sink.stamps)
        paced_ids = ids[send:send + paced]
        paced_statuses: dict[str, int] = {}
        for message_id in paced_ids:
            with keystore.unit_of_work():
                status = str(delivery.deliver_now(message_id))
            paced_statuses[status] = paced_statuses.get(status, 0) + 1
        stamps = sink.stamps[first:]
    finally:
        settings.EMAIL_HOST, settings.EMAIL_PORT = host, old_port
        settings.OUTBOX_SEND_RATE = 0
        controller.stop()
    span = stamps[-1] - stamps[0] if len(stamps) > 1 else 0.0
    eligible = people - 3 * odd  # restricted, objecting and erased are out
    return {
        "people": people, "odd": odd, "seed_s": seeded, "sent": sent, "again": again,
        "queued": len(per_registration), "distinct": len(set(per_registration)),
        "eligible": eligible,
        "once_rows": MessageOnce.objects.filter(client_id=tenant.client.pk).count(),
        "reached": {name: len(set(ids_) & by_subject) for name, ids_ in groups.items()},
        "queue_per_cpu_s": sent / queue_cpu if queue_cpu else None,
        "queue_per_s": sent / queue_wall if queue_wall else None,
        "mime_per_cpu_s": len(sample) / mime_cpu if mime_cpu else None,
        "render_per_cpu_s": len(chosen) / render_cpu if render_cpu else None,
        "render_mime_per_cpu_s": len(sample) / (render_cpu * len(sample) / max(len(chosen), 1)
                                                + mime_cpu) if sample else None,
        "mime_bytes": size / max(len(sample), 1),
        "send_per_s": min(send, len(ids)) / send_wall if send_wall else None,
        "sink": received, "statuses": statuses, "send": min(send, len(ids)),
        "paced": len(paced_ids), "paced_received": len(stamps),
        "paced_statuses": paced_statuses, "pace_rate": PACE_RATE,
        "paced_per_s": (len(stamps) - 1) / span if span else None,
    }


def judge(result: Any, got: dict[str, Any]) -> None:
    result.gate("a second run queues nothing (idempotency)", got["again"] == 0,
                f"{got['again']} more")
    once = got["queued"] == got["distinct"] == got["eligible"] == got["sent"]
    result.gate("one reminder per eligible registrant", once,
                f"{got['queued']} queued, {got['distinct']} registrations, "
                f"{got['eligible']} eligible")
    reached = got["reached"]
    result.gate("restricted, objecting and erased people excluded",
                reached["restricted"] == reached["objecting"] == reached["erased"] == 0,
                json.dumps(reached))
    result.gate("unsubscribed people still reminded (transactional message)",
                reached["unsubscribed"] == got["odd"], json.dumps(reached))
    result.gate("the SMTP sink received every message sent",
                got["sink"] == got["send"] == got["statuses"].get("sent", 0),
                f"{got['sink']} received, {json.dumps(got['statuses'])}")
    result.figure("reminders composed and queued, per CPU second", got["queue_per_cpu_s"],
                  "msg/s")
    result.at_least("render (compose) + MIME, per CPU second (one core)",
                    got["render_mime_per_cpu_s"], RENDER_PER_CORE, "msg/s")
    result.figure("MIME alone, per CPU second", got["mime_per_cpu_s"], "msg/s")
    result.figure("sent to a local SMTP sink (one worker, one connection each)",
                  got["send_per_s"], "msg/s")
    result.gate("the SMTP sink received every paced message",
                got["paced_received"] == got["paced"] == got["paced_statuses"].get("sent", 0),
                f"{got['paced_received']} received, {json.dumps(got['paced_statuses'])}")
    achieved, rate = got["paced_per_s"], got["pace_rate"]
    deviation = None if achieved is None else abs(achieved - rate) / rate
    result.figure(f"rate seen by the SMTP server at OUTBOX_SEND_RATE={rate:g}", achieved,
                  "msg/s", target=f"{rate:g} ± {PACE_TOLERANCE:.0%}",
                  met=None if deviation is None else deviation <= PACE_TOLERANCE)
    result.extra["reminders"] = got


def run(ctx: Any) -> list[Any]:
    size = QUICK if ctx.quick else FULL
    result = ctx.result("S8", TITLE)
    try:
        judge(result, ctx.django("bench.scenarios.s8_reminders:measure", **size))
    except Exception as exc:  # reported as FAILED, never hidden
        result.gate("scenario ran to the end", False, repr(exc)[-2000:])
    return [result]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--db", default=None)
    args = parser.parse_args()
    from bench.scenarios import _d_data as d

    with tempfile.TemporaryDirectory(prefix="bench-s8-") as var:
        d.setup(var, args.db)
        print(json.dumps(measure(**(QUICK if args.quick else FULL)), indent=1))


if __name__ == "__main__":
    main()
