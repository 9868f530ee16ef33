"""SMTP faults (issue 4 §8), against a real SMTP server on loopback.

Transient errors (refused connection, 4xx) are retried with backoff for at least 24 hours;
permanent ones (5xx) fail once, with a cause the organizer sees. An outage that ends loses
nothing and sends nothing twice.
"""

from __future__ import annotations

import datetime as dt
import socket
from collections import Counter
from typing import Any

from livesession.core.clock import freeze, now
from livesession.events.models import Event
from livesession.messaging import delivery, services
from livesession.messaging.jobs import sweep_outbox
from livesession.messaging.models import OutboxMessage, OutboxStatus
from livesession.registrations.services import register

WAITING = {OutboxStatus.QUEUED, OutboxStatus.DEFERRED}


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _register_many(event: Event, count: int, capture: Any) -> list[OutboxMessage]:
    """Registrations whose confirmation is queued and rung for at once (first attempt)."""
    for i in range(count):
        with capture(execute=True):
            register(event, email=f"p{i}@example.org", first_name=f"P{i}", last_name="Test",
                     language="en")
    return list(OutboxMessage.objects.order_by("id"))


def _next_due() -> dt.datetime | None:
    row = (OutboxMessage.objects.filter(status__in=WAITING)
           .order_by("next_attempt_at").first())
    return row.next_attempt_at if row else None


def test_outage_then_recovery_loses_nothing_and_sends_nothing_twice(
    event_a: Event, settings: Any, smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """Issue 4 §8: the server is down (connection refused) for an hour, then answers 451 to
    the next fifteen messages, then accepts. Every message arrives exactly once."""
    start = now()
    real_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = _closed_port()
    with freeze(start):
        # Each first attempt runs at once, and fails.
        rows = _register_many(event_a, 12, django_capture_on_commit_callbacks)
    assert len(rows) == 12
    assert {r.status for r in OutboxMessage.objects.all()} == {OutboxStatus.DEFERRED}
    assert set(OutboxMessage.objects.values_list("last_error", flat=True)) == {
        "ConnectionRefusedError"}

    moment = start
    sweeps = 0
    down = True
    while (due := _next_due()) is not None:
        moment = max(moment, due)
        if down and moment >= start + dt.timedelta(hours=1):
            settings.EMAIL_PORT = real_port  # the server is back, refusing for a while
            smtp_server.refuse = 15
            down = False
        with freeze(moment):
            sweep_outbox.call_local()
        sweeps += 1
        assert sweeps < 500, "the outbox never drained"

    statuses = Counter(OutboxMessage.objects.values_list("status", flat=True))
    assert statuses == {OutboxStatus.SENT: 12}
    received = Counter(m["Message-ID"] for m in smtp_server.messages)
    assert received == {r.message_id: 1 for r in rows}
    assert smtp_server.refuse == 0  # the 451 phase did happen
    # Several attempts each, spaced by the backoff (the outage lasted an hour).
    assert min(OutboxMessage.objects.values_list("attempts", flat=True)) >= 4


def test_transient_failures_are_retried_for_at_least_24_hours(
    event_a: Event, settings: Any, smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """A server answering 451 forever: still being retried 24 hours later, given up only
    after OUTBOX_RETRY_HOURS (48 by default), with the cause kept."""
    smtp_server.refuse = 10_000
    start = now()
    with freeze(start):
        (row,) = _register_many(event_a, 1, django_capture_on_commit_callbacks)
    moment = start
    attempts_by_hour: dict[int, int] = {}
    while True:
        row.refresh_from_db()
        if row.status != OutboxStatus.DEFERRED:
            break
        moment = row.next_attempt_at
        with freeze(moment):
            sweep_outbox.call_local()
        attempts_by_hour[int((moment - start).total_seconds() // 3600)] = row.attempts + 1
    assert row.status == OutboxStatus.FAILED
    assert row.last_error == "gave up after 48 h: SMTPDataError 451"
    # Retried past the first day, hourly once the backoff reached its ceiling.
    assert max(attempts_by_hour) >= 47
    assert 24 in attempts_by_hour and 25 in attempts_by_hour
    assert row.attempts < settings.OUTBOX_MAX_ATTEMPTS  # the time window ended it
    assert smtp_server.messages == []
    # Given up is final.
    smtp_server.refuse = 0
    with freeze(moment + dt.timedelta(days=3)):
        assert sweep_outbox.call_local() == 0
    assert smtp_server.messages == []


def test_permanent_error_fails_once_with_its_cause(
    event_a: Event, smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """A 5xx answer is not retried: FAILED after one attempt, cause in the row (the Manager's
    per-recipient status shows it); the address is never in the cause."""
    smtp_server.reject = 1
    (row,) = _register_many(event_a, 1, django_capture_on_commit_callbacks)
    row.refresh_from_db()
    assert row.status == OutboxStatus.FAILED and row.attempts == 1
    assert row.last_error == "permanent: SMTPDataError 550"
    with freeze(now() + dt.timedelta(days=1)):
        assert sweep_outbox.call_local() == 0
    row.refresh_from_db()
    assert row.attempts == 1 and smtp_server.messages == []


def test_unsubscribe_header_and_attachment_reach_smtp(
    event_a: Event, smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """Issue 4 §7: the row's unsubscribe link becomes List-Unsubscribe (with the RFC 8058
    one-click header) and its attachment a MIME part, both through a real SMTP exchange."""
    registration = register(event_a, email="lea@example.org", first_name="Léa",
                            last_name="Martin", language="en").registration
    OutboxMessage.objects.all().delete()
    smtp_server.messages.clear()
    with django_capture_on_commit_callbacks(execute=False):
        row = services.queue_email(subject=registration.subject, to="lea@example.org",
                                   subject_line="Merci", body="Bonjour", kind="test.followup",
                                   client_id=event_a.client_id)
    row.unsubscribe_url = "https://example.test/u/abc/"
    row.attachment_name = "event.ics"
    row.attachment_type = "text/calendar"
    row.attachment = "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
    row.save()
    assert delivery.deliver_now(row.pk) == OutboxStatus.SENT
    (mail,) = smtp_server.messages
    assert mail["List-Unsubscribe"] == "<https://example.test/u/abc/>"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    parts = {p.get_filename(): p for p in mail.walk() if p.get_filename()}
    assert parts["event.ics"].get_content_type() == "text/calendar"
    assert "BEGIN:VCALENDAR" in parts["event.ics"].get_payload(decode=True).decode()


def test_classify_sorts_smtp_answers() -> None:
    import smtplib

    assert delivery.classify(smtplib.SMTPDataError(451, b"later")) == (
        False, "SMTPDataError 451")
    assert delivery.classify(smtplib.SMTPDataError(554, b"no")) == (True, "SMTPDataError 554")
    refused = smtplib.SMTPRecipientsRefused({"x@example.org": (550, b"unknown")})
    assert delivery.classify(refused) == (True, "SMTPRecipientsRefused 550")
    assert delivery.classify(ConnectionRefusedError()) == (False, "ConnectionRefusedError")
    assert delivery.classify(smtplib.SMTPServerDisconnected()) == (
        False, "SMTPServerDisconnected")
    assert delivery.classify(ValueError("bad header")) == (True, "ValueError")
