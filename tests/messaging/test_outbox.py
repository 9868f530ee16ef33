"""The outbox (issue 2, section 4; DESIGN rule 5), proven against a real SMTP server.

Every email is a row written in the transaction that causes it; the queue is only a doorbell
(huey runs tasks in-process right after commit in tests); the sweeper rings again for rows the
queue lost, for retries that fall due and for rows a dead worker held. A rolled-back change
sends nothing.
"""

from __future__ import annotations

import datetime as dt
import socket
from email import message_from_bytes
from email.header import decode_header, make_header
from email.message import Message
from typing import Any

import pytest
from django.db import transaction

from livesession.access.services import link_url
from livesession.core.clock import freeze, now
from livesession.events.models import Event
from livesession.messaging import delivery, services
from livesession.messaging.jobs import deliver, sweep_outbox
from livesession.messaging.models import OutboxMessage, OutboxStatus
from livesession.protection.services import shred_subject
from livesession.registrations.models import Registration
from livesession.registrations.services import Registered, register

EMAIL = "Lea.Martin@Example.org"
ADDRESS = "lea.martin@example.org"


def _register(event: Event, email: str = EMAIL, first_name: str = "Léa",
              language: str = "en") -> Registered:
    return register(event, email=email, first_name=first_name, last_name="Martin",
                    language=language)


def _header(mail: Message, name: str) -> str:
    return str(make_header(decode_header(mail[name])))


def _body(mail: Message) -> str:
    # A confirmation is multipart since it carries its calendar invitation (issue 4 §7).
    part = next(p for p in mail.walk() if p.get_content_type() == "text/plain")
    return part.get_payload(decode=True).decode()


def _sweep() -> int:
    """Run the periodic sweeper's body as the worker does, and return how many rows it rang
    for (huey keeps no return value of a periodic task)."""
    return int(sweep_outbox.call_local())


def _queued_without_doorbell(event: Event, capture: Any, email: str = EMAIL) -> OutboxMessage:
    """Register while the doorbell is lost: the row commits, the enqueue never happens."""
    with capture(execute=False) as callbacks:
        _register(event, email=email)
    assert len(callbacks) == 1  # the doorbell existed: we dropped it
    return OutboxMessage.objects.get(status=OutboxStatus.QUEUED)


def test_confirmation_reaches_smtp_with_link_and_stable_message_id(
    event_a: Event, smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        lea = _register(event_a)
    with django_capture_on_commit_callbacks(execute=True):
        _register(event_a, email="paul@example.org", first_name="Paul")

    assert len(smtp_server.messages) == 2
    mail = next(m for m in smtp_server.messages if m["X-Envelope-To"] == ADDRESS)
    assert mail["To"] == ADDRESS
    assert _header(mail, "Subject") == f"Your registration: {event_a.title}"
    body = _body(mail)
    assert "Léa" in body
    assert link_url(lea.token) in body

    row = OutboxMessage.objects.order_by("id").first()  # Léa's, the first written
    assert row is not None
    assert row.status == OutboxStatus.SENT and row.attempts == 1 and row.sent_at is not None
    assert row.claimed_at is None and row.last_error == ""
    assert mail["Message-ID"] == row.message_id == f"<outbox-{row.pk}@livesession>"
    # One Message-ID per row: two messages never share one.
    ids = {m["Message-ID"] for m in smtp_server.messages}
    assert ids == {r.message_id for r in OutboxMessage.objects.all()} and len(ids) == 2
    # The ledger holds only ciphertext.
    assert ADDRESS not in row.to_enc and lea.token not in row.body_enc


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_rolled_back_change_sends_nothing(event_a: Event, smtp_server: Any) -> None:
    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        _register(event_a)
        assert OutboxMessage.objects.count() == 1  # written in the caller's transaction
        raise Boom

    assert not Registration.objects.exists()
    assert not OutboxMessage.objects.exists()
    sweep_outbox()
    assert smtp_server.messages == []

    # Control: the same change, committed, does send (so the silence above is meaningful).
    _register(event_a)
    assert [m["X-Envelope-To"] for m in smtp_server.messages] == [ADDRESS]


def test_refused_delivery_is_retried_by_the_sweeper(
    event_a: Event, smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    smtp_server.refuse = 1  # the server answers 451 once
    with django_capture_on_commit_callbacks(execute=True):
        _register(event_a)

    row = OutboxMessage.objects.get()
    assert smtp_server.messages == []
    assert row.status == OutboxStatus.DEFERRED and row.attempts == 1
    assert row.last_error == "SMTPDataError 451"
    assert "@" not in row.last_error and "example" not in row.last_error
    assert row.next_attempt_at > now() and row.claimed_at is None

    sweep_outbox()  # not due yet: left alone
    row.refresh_from_db()
    assert row.attempts == 1 and smtp_server.messages == []

    with freeze(row.next_attempt_at + dt.timedelta(seconds=1)):
        sweep_outbox()
    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT and row.attempts == 2 and row.last_error == ""
    assert len(smtp_server.messages) == 1
    assert smtp_server.messages[0]["Message-ID"] == row.message_id
    assert smtp_server.messages[0]["X-Envelope-To"] == ADDRESS


def test_unreachable_server_is_retried(
    event_a: Event, settings: Any, smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    real_port = settings.EMAIL_PORT
    with socket.socket() as sock:  # a loopback port with nobody listening
        sock.bind(("127.0.0.1", 0))
        settings.EMAIL_PORT = sock.getsockname()[1]
        with django_capture_on_commit_callbacks(execute=True):
            _register(event_a)
    row = OutboxMessage.objects.get()
    assert row.status == OutboxStatus.DEFERRED and row.attempts == 1
    assert row.last_error == "ConnectionRefusedError"

    settings.EMAIL_PORT = real_port
    with freeze(row.next_attempt_at):
        sweep_outbox()
    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT
    assert [m["Message-ID"] for m in smtp_server.messages] == [row.message_id]


def test_failed_after_max_attempts(
    event_a: Event, settings: Any, smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.OUTBOX_MAX_ATTEMPTS = 3
    smtp_server.refuse = 100
    start = now()
    with freeze(start), django_capture_on_commit_callbacks(execute=True):
        _register(event_a)

    row = OutboxMessage.objects.get()
    waits = []
    moment = start
    while row.status == OutboxStatus.DEFERRED:
        assert row.attempts < settings.OUTBOX_MAX_ATTEMPTS
        waits.append(row.next_attempt_at - moment)
        moment = row.next_attempt_at
        with freeze(moment):
            sweep_outbox()
        row.refresh_from_db()

    assert row.status == OutboxStatus.FAILED
    assert row.attempts == settings.OUTBOX_MAX_ATTEMPTS
    assert row.last_error == "gave up after 3 attempts: SMTPDataError 451"
    assert waits == [dt.timedelta(seconds=30), dt.timedelta(seconds=60)]  # backoff grows
    assert smtp_server.messages == []

    # Final: the server comes back, a day passes, the sweeper does not touch the row again.
    smtp_server.refuse = 0
    with freeze(moment + dt.timedelta(days=1)):
        sweep_outbox()
    row.refresh_from_db()
    assert row.status == OutboxStatus.FAILED and row.attempts == settings.OUTBOX_MAX_ATTEMPTS
    assert smtp_server.messages == []


def test_lost_doorbell_is_delivered_by_the_sweeper_exactly_once(
    event_a: Event, smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as doorbells:
        _register(event_a)
    assert len(doorbells) == 1
    row = OutboxMessage.objects.get()
    assert row.status == OutboxStatus.QUEUED and row.attempts == 0
    assert smtp_server.messages == []

    assert _sweep() == 1
    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT and row.attempts == 1
    assert [m["Message-ID"] for m in smtp_server.messages] == [row.message_id]

    # The late doorbell, a second sweep and a direct ring change nothing.
    doorbells[0]()
    assert _sweep() == 0
    deliver(row.pk)
    assert len(smtp_server.messages) == 1
    row.refresh_from_db()
    assert row.attempts == 1


def test_lost_doorbell_outside_a_transaction(
    event_a: Event, smtp_server: Any
) -> None:
    """queue_email in a test transaction that never commits: on_commit never fires."""
    registration = _register(event_a).registration  # its own doorbell never rings
    assert smtp_server.messages == []
    services.queue_email(subject=registration.subject, to=registration.email,
                         subject_line="Rappel", body="Bonjour", kind="test.reminder",
                         client_id=event_a.client_id)
    assert smtp_server.messages == []
    assert _sweep() == 2
    assert sorted(_header(m, "Subject") for m in smtp_server.messages) == [
        "Rappel", f"Your registration: {event_a.title}"
    ]
    assert {m["X-Envelope-To"] for m in smtp_server.messages} == {ADDRESS}
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxStatus.SENT}


def test_dead_worker_lease_is_requeued(
    event_a: Event, settings: Any, smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    row = _queued_without_doorbell(event_a, django_capture_on_commit_callbacks)
    # A worker claimed the row and died before it could record the outcome.
    assert delivery._claim(row.pk)
    lease = dt.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    OutboxMessage.objects.filter(pk=row.pk).update(
        claimed_at=now() - lease - dt.timedelta(seconds=1))

    assert _sweep() == 1
    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT and row.attempts == 2
    assert [m["Message-ID"] for m in smtp_server.messages] == [row.message_id]


def test_recent_claim_is_left_alone_until_its_lease_ends(
    event_a: Event, settings: Any, smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    row = _queued_without_doorbell(event_a, django_capture_on_commit_callbacks)
    assert delivery._claim(row.pk)  # a live worker holds it
    row.refresh_from_db()
    claimed_at = row.claimed_at

    assert _sweep() == 0
    deliver(row.pk)  # another doorbell for the same row: not ours to send
    row.refresh_from_db()
    assert row.status == OutboxStatus.SENDING and row.claimed_at == claimed_at
    assert smtp_server.messages == []

    with freeze(claimed_at + dt.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS - 1)):
        assert _sweep() == 0
    assert smtp_server.messages == []

    with freeze(claimed_at + dt.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS + 1)):
        assert _sweep() == 1
    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT
    assert [m["Message-ID"] for m in smtp_server.messages] == [row.message_id]


def test_worker_dead_after_sending_resends_with_same_message_id(
    event_a: Event, settings: Any, smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """At least once: a worker that died after SMTP accepted the message but before the row
    said so makes the sweeper send it again, with the same Message-ID (idempotency key)."""
    with django_capture_on_commit_callbacks(execute=True):
        _register(event_a)
    row = OutboxMessage.objects.get()
    OutboxMessage.objects.filter(pk=row.pk).update(
        status=OutboxStatus.SENDING,
        claimed_at=now() - dt.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS + 1))
    sweep_outbox()
    assert len(smtp_server.messages) == 2
    assert {m["Message-ID"] for m in smtp_server.messages} == {row.message_id}


def test_two_claims_of_one_row_succeed_once(
    event_a: Event, smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    row = _queued_without_doorbell(event_a, django_capture_on_commit_callbacks)
    assert [delivery._claim(row.pk), delivery._claim(row.pk)] == [True, False]
    row.refresh_from_db()
    assert row.status == OutboxStatus.SENDING and row.attempts == 1
    assert delivery.deliver_now(row.pk) is None
    assert smtp_server.messages == []


def test_not_due_row_is_not_claimed(
    event_a: Event, django_capture_on_commit_callbacks: Any
) -> None:
    row = _queued_without_doorbell(event_a, django_capture_on_commit_callbacks)
    with freeze(row.next_attempt_at - dt.timedelta(seconds=1)):
        assert delivery._claim(row.pk) is False
    assert delivery._claim(row.pk) is True


def test_without_smtp_the_message_is_kept_with_a_file_copy(
    event_a: Event, settings: Any, smtp_server: Any, tmp_path: Any,
    django_capture_on_commit_callbacks: Any
) -> None:
    settings.EMAIL_HOST = ""
    settings.EMAIL_FILE_PATH = tmp_path / "mail"
    with django_capture_on_commit_callbacks(execute=True):
        lea = _register(event_a)

    row = OutboxMessage.objects.get()
    assert row.status == OutboxStatus.KEPT and row.sent_at is not None
    copies = list((tmp_path / "mail").iterdir())
    assert [p.name for p in copies] == [f"{row.pk:08d}-{row.kind}.eml"]
    mail = message_from_bytes(copies[0].read_bytes())
    assert mail["To"] == ADDRESS and mail["Message-ID"] == row.message_id
    assert link_url(lea.token) in _body(mail)
    assert smtp_server.messages == []  # nothing left the machine
    assert _sweep() == 0  # KEPT is final


def test_shredded_recipient_is_never_sent(
    event_a: Event, smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    row = _queued_without_doorbell(event_a, django_capture_on_commit_callbacks)
    shred_subject(row.subject)

    sweep_outbox()
    row.refresh_from_db()
    assert row.status == OutboxStatus.FAILED and row.last_error == "recipient erased"
    assert row.to == "" and row.body == ""
    assert smtp_server.messages == []
    assert _sweep() == 0  # and never retried
    assert smtp_server.messages == []


def test_message_that_cannot_be_built_does_not_stay_claimed(
    client_a: Any, make_event: Any, smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """An event title with a line break must not leave the row SENDING forever (re-queued
    at every lease, attempts growing without bound): it is delivered on one header line."""
    event = make_event(client_a, title="Atelier RGPD")
    # Events refuse such titles now; rows written before that rule still exist.
    type(event).objects.filter(pk=event.pk).update(title="Atelier\nRGPD")
    event.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        _register(event)
    row = OutboxMessage.objects.get()
    assert row.status == OutboxStatus.SENT and row.claimed_at is None
    assert _header(smtp_server.messages[0], "Subject") == "Your registration: Atelier RGPD"


def test_message_refused_by_the_mail_library_fails_at_once(
    event_a: Event, settings: Any, smtp_server: Any
) -> None:
    """Any error while sending ends the claim, never a row left SENDING; one the mail library
    raises while building the message is the same at every try, so it fails at once
    (issue 4 §8: shown to the organizer instead of retried for two days)."""
    registration = _register(event_a).registration
    row = services.queue_email(subject=registration.subject, to="a\nb@example.org",
                               subject_line="Rappel", body="Bonjour", kind="test.bad",
                               client_id=event_a.client_id)
    with freeze(now() + dt.timedelta(seconds=1)):
        assert _sweep() == 2
    row.refresh_from_db()
    assert row.status == OutboxStatus.FAILED and row.attempts == 1 and row.claimed_at is None
    assert row.last_error == "permanent: ValueError"  # the class only: never the address
    with freeze(now() + dt.timedelta(days=1)):
        assert _sweep() == 0
    row.refresh_from_db()
    assert row.attempts == 1
    # The good message of the same sweep went out; the bad one never did.
    assert [m["X-Envelope-To"] for m in smtp_server.messages] == [ADDRESS]
