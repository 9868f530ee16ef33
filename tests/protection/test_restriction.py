"""Restriction of processing (issue 5 §3, GDPR art. 18, R-10, P4.1): the service, its audit,
its notice, and the outbox refusing every other message."""

from __future__ import annotations

from typing import Any

import pytest

from livesession.audit.models import AuditEntry
from livesession.messaging.models import OutboxMessage
from livesession.messaging.services import queue_email
from livesession.protection import restriction
from livesession.protection.models import Subject
from livesession.registrations.models import Registration
from livesession.registrations.services import register


def _register(event: Any, email: str = "noa@example.org") -> Registration:
    return register(event, email=email, first_name="Noa", last_name="Lemaire").registration


def test_p4_1_restrict_sets_the_flag_audits_and_sends_the_notice(
        event_a: Any, smtp_server: Any, django_capture_on_commit_callbacks: Any) -> None:
    """R-10: the flag is set, one pseudonymous audit entry, the notice reaches the person."""
    reg = _register(event_a)
    with django_capture_on_commit_callbacks(execute=True):
        changed = restriction.restrict([reg.subject_id], actor="account:1", source="manager")
    assert changed == 1
    subject = Subject.objects.get(pk=reg.subject_id)
    assert subject.restricted_at is not None and subject.restricted_source == "manager"
    assert restriction.is_restricted(reg.subject_id)
    entry = AuditEntry.objects.get(action="subject.restricted")
    assert entry.target == f"subject:{reg.subject_id}"
    assert entry.client_id == event_a.client_id
    assert "noa" not in str(entry.details).lower()
    notices = [m for m in smtp_server.messages if m["X-Envelope-To"] == "noa@example.org"
               and "restrict" in OutboxMessage.objects.get(
                   pk=int(m["Message-ID"].split("-")[1].split("@")[0])).kind]
    assert len(notices) == 1
    # Idempotent: a second call changes nothing, sends nothing more.
    assert restriction.restrict([reg.subject_id], actor="account:1", source="manager") == 0
    assert OutboxMessage.objects.filter(kind=restriction.NOTICE_KIND).count() == 1


def test_p4_1_restricted_person_gets_no_other_message(event_a: Any) -> None:
    """R-10: queue_email skips (returns None, writes nothing) a restricted subject, except
    the allow-listed kinds."""
    reg = _register(event_a)
    restriction.restrict([reg.subject_id], actor="test", source="desk")
    before = OutboxMessage.objects.count()
    skipped = queue_email(subject=reg.subject, to="noa@example.org", subject_line="Hi",
                          body="Reminder", kind="reminder", client_id=event_a.client_id)
    assert skipped is None
    assert OutboxMessage.objects.count() == before
    allowed = queue_email(subject=reg.subject, to="noa@example.org", subject_line="Code",
                          body="123", kind="account.reset", client_id=None)
    assert allowed is not None
    # Lifted: messages flow again, and the lift itself was announced.
    assert restriction.lift([reg.subject_id], actor="test", source="desk") == 1
    assert not restriction.is_restricted(reg.subject_id)
    assert queue_email(subject=reg.subject, to="noa@example.org", subject_line="Hi",
                       body="Reminder", kind="reminder", client_id=event_a.client_id)
    assert OutboxMessage.objects.filter(kind=restriction.LIFTED_KIND).count() == 1
    assert AuditEntry.objects.filter(action="subject.restriction_lifted",
                                     target=f"subject:{reg.subject_id}").count() == 1


def test_p4_1_a_registration_email_to_a_restricted_person_does_not_crash(
        event_a: Any, make_event: Any) -> None:
    """R-10: a caller that queues through compose (registration confirmations) carries on;
    the restricted person is registered (storage) but gets no confirmation."""
    reg = _register(event_a)
    restriction.restrict([reg.subject_id], actor="test", source="desk")
    other = make_event(event_a.client, title="Second")
    again = _register(other)
    assert again.subject_id == reg.subject_id
    assert not OutboxMessage.objects.filter(registration=again).exists()


def test_p4_1_restriction_is_per_controller(event_a: Any, event_b: Any) -> None:
    """Restricting at organizer A leaves the same address at organizer B untouched."""
    a = _register(event_a)
    b = _register(event_b)
    restriction.restrict([a.subject_id], actor="test", source="space")
    assert restriction.restricted_ids([a.subject_id, b.subject_id]) == {a.subject_id}
    rows = restriction.exclude_restricted(Registration.objects.all())
    assert list(rows.values_list("pk", flat=True)) == [b.pk]


def test_p4_1_unknown_source_is_refused(event_a: Any) -> None:
    reg = _register(event_a)
    with pytest.raises(restriction.UnknownSource):
        restriction.restrict([reg.subject_id], actor="test", source="telepathy")
    assert not restriction.is_restricted(reg.subject_id)
