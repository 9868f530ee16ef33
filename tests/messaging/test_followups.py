"""Follow-up after the event (issue 4 §7): thanks and replay to those present, the replay to
those absent, exactly once, with an unsubscribe link."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client as Browser

from livesession.access.models import Attendance
from livesession.core.clock import freeze
from livesession.events.models import Event
from livesession.messaging.jobs import send_scheduled_messages
from livesession.messaging.models import OutboxMessage
from livesession.messaging.reminders import FOLLOWUP_DELAY
from livesession.messaging.services import set_message_settings
from livesession.messaging.unsubscribe import unsubscribe
from livesession.registrations import services as reg


def _run() -> int:
    return int(send_scheduled_messages.call_local())


def _setup(event: Any) -> tuple[Any, Any, Any]:
    Event.objects.filter(pk=event.pk).update(replay_url="https://replay.example/v/1")
    event.refresh_from_db()
    came, absent, cancelled = (
        reg.register(event, email=f"{n}@example.org", first_name=n.title(), last_name="X",
                     language="en") for n in ("came", "absent", "gone"))
    reg.cancel(cancelled.registration, actor="t", by_participant=True)
    with freeze(event.starts_at + dt.timedelta(minutes=5)):
        assert Browser().get(f"/j/{came.token}/").status_code in {200, 302}
    assert Attendance.objects.filter(registration=came.registration).exists()
    return came, absent, cancelled


def _followups() -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(kind__startswith="followup").order_by("id"))


def test_issue4_7_followup_thanks_those_present_and_gives_everyone_the_replay(
        event_a: Any) -> None:
    came, absent, _gone = _setup(event_a)
    with freeze(event_a.ends_at + FOLLOWUP_DELAY - dt.timedelta(minutes=1)):
        assert _run() == 0  # not yet
    with freeze(event_a.ends_at + FOLLOWUP_DELAY + dt.timedelta(minutes=1)):
        assert _run() == 2
        assert _run() == 0  # exactly once
    by_kind = {row.kind: row for row in _followups()}
    assert len(by_kind) == 2
    thanks, missed = by_kind["followup_attended"], by_kind["followup_absent"]
    assert (thanks.kind, thanks.registration_id) == ("followup_attended",
                                                     came.registration.pk)
    assert (missed.kind, missed.registration_id) == ("followup_absent", absent.registration.pk)
    assert "Thank you for attending" in thanks.body
    for row, person in ((thanks, came), (missed, absent)):
        assert "The replay is available" in row.body and person.token in row.body
        # Non-transactional: an unsubscribe link in the body and for List-Unsubscribe.
        assert row.unsubscribe_url.startswith("http") and "/u/" in row.unsubscribe_url
        assert row.unsubscribe_url in row.body


def test_issue4_7_followup_without_replay_says_no_replay(event_a: Any) -> None:
    reg.register(event_a, email="a@example.org", first_name="A", last_name="X")
    with freeze(event_a.ends_at + FOLLOWUP_DELAY):
        assert _run() == 1
    assert "replay" not in _followups()[0].body.lower()


def test_issue4_7_followup_respects_the_switch_and_unsubscriptions(event_a: Any) -> None:
    first = reg.register(event_a, email="a@example.org", first_name="A", last_name="X")
    reg.register(event_a, email="b@example.org", first_name="B", last_name="X")
    unsubscribe(event_a.client_id, first.registration.subject_id, channel="test")
    with freeze(event_a.ends_at + FOLLOWUP_DELAY):
        assert _run() == 1
    assert first.registration.pk not in {r.registration_id for r in _followups()}


def test_issue4_7_followup_off_sends_nothing(event_a: Any) -> None:
    set_message_settings(event_a, reminder_offsets=[60], followup_enabled=False, actor="t")
    reg.register(event_a, email="a@example.org", first_name="A", last_name="X")
    with freeze(event_a.ends_at + FOLLOWUP_DELAY):
        assert _run() == 0


def test_issue4_7_followup_not_sent_a_week_late(event_a: Any) -> None:
    reg.register(event_a, email="a@example.org", first_name="A", last_name="X")
    with freeze(event_a.ends_at + FOLLOWUP_DELAY + dt.timedelta(days=8)):
        assert _run() == 0
