"""Objection (issue 5 §4, GDPR art. 21, R-11, P4.1): to statistics (attendance figures)
and to reminders, per person and organizer, effective at once, withdrawable, audited, kept
as a history."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client as Browser

from livesession.access import reports
from livesession.audit.models import AuditEntry
from livesession.core.clock import freeze
from livesession.messaging.jobs import send_scheduled_messages
from livesession.messaging.models import OutboxMessage
from livesession.protection import objection
from livesession.protection.models import Objection
from livesession.protection.restriction import UnknownSource
from livesession.registrations.services import register


def _person(event: Any, key: str) -> Any:
    return register(event, email=f"{key}@example.org", first_name=key.title(),
                    last_name="Test", language="en")


def test_p4_1_object_and_withdraw_keep_a_history(event_a: Any) -> None:
    """One open objection per purpose; withdrawing closes it; objecting again opens a new
    row; each change audited with the purpose and source, pseudonymously."""
    sid = _person(event_a, "noa").registration.subject_id
    assert objection.object_to([sid], "statistics", actor="account:1", source="space") == 1
    assert objection.object_to([sid], "statistics", actor="account:1", source="space") == 0
    assert objection.objects_to(sid, "statistics")
    assert not objection.objects_to(sid, "reminders")
    assert objection.withdraw_objection([sid], "statistics", actor="account:1",
                                        source="space") == 1
    assert not objection.objects_to(sid, "statistics")
    assert objection.withdraw_objection([sid], "statistics", actor="account:1",
                                        source="space") == 0
    objection.object_to([sid], "statistics", actor="desk:1", source="desk")
    rows = list(Objection.objects.filter(subject_id=sid).order_by("objected_at", "id"))
    assert [(r.objected_source, r.withdrawn_source) for r in rows] == [
        ("space", "space"), ("desk", "")]
    entries = list(AuditEntry.objects.filter(target=f"subject:{sid}").order_by("id")
                   .values_list("action", "details"))
    assert entries == [
        ("subject.objected", {"purpose": "statistics", "source": "space"}),
        ("subject.objection_withdrawn", {"purpose": "statistics", "source": "space"}),
        ("subject.objected", {"purpose": "statistics", "source": "desk"})]


def test_p4_1_unknown_purpose_or_source_is_refused(event_a: Any) -> None:
    sid = _person(event_a, "noa").registration.subject_id
    with pytest.raises(objection.UnknownPurpose):
        objection.object_to([sid], "marketing-by-pigeon", actor="t", source="space")
    with pytest.raises(UnknownSource):
        objection.object_to([sid], "statistics", actor="t", source="nowhere")
    assert not Objection.objects.exists()


def test_p4_1_objecting_ids_is_per_controller(event_a: Any, event_b: Any) -> None:
    a = _person(event_a, "noa").registration.subject_id
    b = _person(event_b, "noa").registration.subject_id
    objection.object_to([a], "statistics", actor="t", source="space")
    assert objection.objecting_ids([a, b], "statistics") == {a}


def test_r_11_objector_leaves_the_statistics_input_at_once(event_a: Any) -> None:
    """R-11 test: toggling the objection removes the person from the stats input; they
    stay on the attendee list (the event's own service)."""
    made = {key: _person(event_a, key) for key in ("ana", "ben", "cy")}
    with freeze(event_a.starts_at):
        for key in ("ana", "ben"):
            assert Browser().get(f"/j/{made[key].token}/").status_code < 400
    summary = reports.summaries(event_a)[0]
    assert (summary.expected, summary.attended, summary.no_shows) == (3, 2, 1)
    objection.object_to([made["ben"].registration.subject_id, made["cy"].registration
                         .subject_id], "statistics", actor="t", source="space")
    summary = reports.summaries(event_a)[0]
    assert (summary.expected, summary.attended, summary.no_shows) == (1, 1, 0)
    assert sum(b.joins for b in reports.timeline(event_a, summary.target)) == 1
    listed = {a.registration_id for a in reports.attendances(event_a)}
    assert made["ben"].registration.pk in listed
    objection.withdraw_objection([made["ben"].registration.subject_id], "statistics",
                                 actor="t", source="space")
    assert reports.summaries(event_a)[0].attended == 2


def test_p4_1_objector_to_reminders_gets_none(client_a: Any, make_event: Any) -> None:
    event = make_event(client_a, starts_in=dt.timedelta(days=3))
    free = _person(event, "free").registration
    objector = _person(event, "objector").registration
    objection.object_to([objector.subject_id], "reminders", actor="t", source="space")
    with freeze(event.starts_at - dt.timedelta(minutes=1440) + dt.timedelta(seconds=30)):
        assert int(send_scheduled_messages.call_local()) == 1
    reminded = set(OutboxMessage.objects.filter(kind="reminder")
                   .values_list("registration_id", flat=True))
    assert reminded == {free.pk}
