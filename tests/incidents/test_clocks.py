"""The clocks of the breach register (issue 8 §3; GDPR art. 33.1, 33.2; P3.7, P5.1, P6.7;
reference B-02): 72 hours from awareness for the CNIL and the people, 24 hours (setting)
for clients, across time zones and DST; a late notification needs the reason for the delay;
operator staff are alerted at 24, 48 and 60 hours, once each, by real email."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from livesession.accounts.models import User
from livesession.audit.models import AuditEntry
from livesession.core.clock import freeze, now
from livesession.incidents import breach
from livesession.incidents.models import Alert, Incident, Kind, Risk, Role, Source
from livesession.incidents.services import open_incident

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
ACTOR = "account:1"


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


def _incident(aware_at: dt.datetime) -> Incident:
    with freeze(aware_at + dt.timedelta(minutes=1)):
        return open_incident(Source.STAFF, summary="Backup disk lost", refs=[],
                             detected_at=aware_at, aware_at=aware_at)


def test_b_02_72_hours_across_the_spring_dst_change() -> None:
    # Saturday 28 March 2026, noon in Paris (UTC+1); clocks go forward on Sunday 29.
    aware = dt.datetime(2026, 3, 28, 12, 0, tzinfo=PARIS)
    incident = _incident(aware)
    due = breach.deadline(incident, Kind.CNIL)
    assert due - aware == dt.timedelta(hours=72)  # 72 real hours, not 3 calendar days
    assert due.astimezone(PARIS).hour == 13  # summer time: 13:00 local on Tuesday 31
    assert breach.deadline(incident, Kind.PARTICIPANTS) == due


def test_b_02_72_hours_across_the_autumn_dst_change_and_another_zone() -> None:
    aware = dt.datetime(2026, 10, 24, 9, 30, tzinfo=zoneinfo.ZoneInfo("America/New_York"))
    incident = _incident(aware)
    due = breach.deadline(incident, Kind.CNIL)
    assert due == dt.datetime(2026, 10, 27, 13, 30, tzinfo=dt.UTC)  # 09:30 EDT = 13:30 UTC
    assert due.astimezone(PARIS).hour == 14  # Paris went back to UTC+1 on 25 October


def test_p6_7_clients_have_24_hours_by_default_and_it_is_a_setting(settings: Any) -> None:
    aware = now().replace(microsecond=0) - dt.timedelta(hours=1)
    incident = _incident(aware)
    assert breach.deadline(incident, Kind.CLIENT) - aware == dt.timedelta(hours=24)
    settings.BREACH_CLIENT_NOTICE_HOURS = 12
    assert breach.deadline(incident, Kind.CLIENT) - aware == dt.timedelta(hours=12)
    with freeze(aware + dt.timedelta(hours=13)):
        assert breach.remaining(incident, Kind.CLIENT) == dt.timedelta(hours=-1)
        assert breach.remaining(incident, Kind.CNIL) == dt.timedelta(hours=59)


def test_b_02_a_late_cnil_notification_needs_the_reason_for_the_delay() -> None:
    aware = now().replace(microsecond=0) - dt.timedelta(hours=80)
    incident = _incident(aware)
    on_time = aware + dt.timedelta(hours=71)
    late = aware + dt.timedelta(hours=73)
    with pytest.raises(ValidationError) as caught:
        breach.record_notification(incident, actor=ACTOR, kind=Kind.CNIL, at=late,
                                   reference="CNIL-1")
    assert "after its deadline" in caught.value.message_dict["delay_reason"][0]
    assert not incident.notifications.exists()
    row = breach.record_notification(incident, actor=ACTOR, kind=Kind.CNIL, at=late,
                                     reference="CNIL-1",
                                     delay_reason="The scope was only known on day 3")
    assert row.late and row.delay_reason.startswith("The scope")
    people = breach.record_notification(incident, actor=ACTOR, kind=Kind.PARTICIPANTS,
                                        at=on_time)
    assert not people.late and people.delay_reason == ""
    assert AuditEntry.objects.filter(action="incident.notified",
                                     details__late=True).count() == 1


def test_p6_7_a_late_client_notice_needs_a_reason_after_24_hours(client_a: Any) -> None:
    aware = now().replace(microsecond=0) - dt.timedelta(hours=30)
    incident = _incident(aware)
    incident.client_id = client_a.pk
    incident.save()
    with pytest.raises(ValidationError) as caught:
        breach.record_notification(incident, actor=ACTOR, kind=Kind.CLIENT,
                                   client_id=client_a.pk, at=aware + dt.timedelta(hours=25))
    assert "delay" in caught.value.message_dict["delay_reason"][0]
    breach.record_notification(incident, actor=ACTOR, kind=Kind.CLIENT,
                               client_id=client_a.pk, at=aware + dt.timedelta(hours=23))


def test_b_02_staff_are_alerted_at_24_48_and_60_hours_once_each(
        operator: User, smtp_server: Any, django_capture_on_commit_callbacks: Any) -> None:
    operator.language = "en"
    operator.save()
    aware = now().replace(microsecond=0) - dt.timedelta(hours=1)
    incident = _incident(aware)
    for hours, expected in [(23.9, []), (24.1, [24]), (30, []), (48.5, [48]), (48.6, []),
                            (60, [60]), (71, [])]:
        with freeze(aware + dt.timedelta(hours=hours)), \
                django_capture_on_commit_callbacks(execute=True):
            sent = breach.send_due_alerts()
        assert [mark for _incident, mark in sent] == expected, hours
    assert sorted(Alert.objects.values_list("hours", flat=True)) == [24, 48, 60]
    assert len(smtp_server.messages) == 3
    first = smtp_server.messages[0]
    assert first["X-Envelope-To"] == "staff@operator.test"
    assert f"Incident {incident.reference}: 24 hours since awareness" in first["Subject"]
    body = first.get_payload(decode=True).decode()
    assert f"/console/incidents/{incident.pk}/" in body and "47 hours left" in body
    assert AuditEntry.objects.filter(action="incident.alerted").count() == 3


def test_b_02_a_late_run_sends_only_the_latest_mark_and_none_once_notified(
        operator: User) -> None:
    aware = now().replace(microsecond=0) - dt.timedelta(hours=1)
    incident = _incident(aware)
    with freeze(aware + dt.timedelta(hours=50)):
        assert [m for _i, m in breach.send_due_alerts()] == [48]
    assert sorted(incident.alerts.values_list("hours", flat=True)) == [24, 48]
    # Assessed, decided, notified: nothing is owed any more, no 60-hour alert.
    with freeze(aware + dt.timedelta(hours=51)):
        breach.assess(incident, actor=ACTOR, natures=["availability"], data_categories=[],
                      people_approx=None, records_approx=None, likely_consequences="",
                      risk_level=Risk.NONE, risk_reasoning="Encrypted backup, key safe",
                      measures_taken="", measures_proposed="", role=Role.CONTROLLER)
        incident.refresh_from_db()
        breach.decide(incident, actor=ACTOR, notify_cnil=False, notify_people=False,
                      rationale="Unlikely to result in a risk: the data was encrypted")
    with freeze(aware + dt.timedelta(hours=61)):
        assert breach.send_due_alerts() == []
