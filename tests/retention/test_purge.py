"""The daily purge (issue 6 §1): each boundary with the controllable clock, a client's shorter
period, legal holds, an interrupted run that resumes, logs with counts only (P2.5, P3.8,
P6.10; D-01, D-02, D-04)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from livesession.access.models import AccessLink, Attendance
from livesession.accounts.models import User, UserSession
from livesession.accounts.services import create_account
from livesession.audit.models import AuditEntry
from livesession.audit.services import verify
from livesession.core.clock import freeze, now
from livesession.messaging import delivery
from livesession.messaging.models import OutboxMessage
from livesession.messaging.services import queue_email
from livesession.privacy.models import ConsentRecord
from livesession.privacy.services import add_purpose, record_consent
from livesession.registrations.models import Registration
from livesession.retention import services
from livesession.retention.models import InactivityWarning, LegalHold, PurgeRun
from livesession.retention.purge import forecast
from tests.retention.conftest import DAY, enrol, purge_at

YEAR = 365 * DAY


def _attend(registration: Any) -> Attendance:
    return Attendance.objects.create(registration=registration, client_id=registration.client_id,
                                     event_id=registration.event_id, session_key=0,
                                     first_access_at=now(), last_seen_at=now())


def test_p6_10_registrations_and_attendance_boundary(event_a: Any) -> None:
    """Event end + 365 days: the day before, present; the day after, gone, with their
    personal links and attendance (P6.10)."""
    (reg,) = enrol(event_a)
    _attend(reg)
    end = event_a.ends_at
    purge_at(end + YEAR - DAY)
    assert Registration.objects.filter(pk=reg.pk).exists()
    assert Attendance.objects.count() == 1
    run = purge_at(end + YEAR + DAY)
    assert not Registration.objects.filter(pk=reg.pk).exists()
    assert Attendance.objects.count() == 0 and AccessLink.objects.count() == 0
    assert run.status == PurgeRun.Status.DONE
    assert run.counts()["registrations"] == 1


def test_d_02_a_client_shorter_period_applies_to_its_rows_only(event_a: Any,
                                                               event_b: Any) -> None:
    (mine,) = enrol(event_a)
    (theirs,) = enrol(event_b)
    services.set_client_period(event_a.client, "registrations", 30, actor="account:1")
    end = max(event_a.ends_at, event_b.ends_at)
    purge_at(event_a.ends_at + 29 * DAY)
    assert Registration.objects.filter(pk=mine.pk).exists()
    purge_at(end + 31 * DAY)
    assert not Registration.objects.filter(pk=mine.pk).exists()
    assert Registration.objects.filter(pk=theirs.pk).exists()  # client B: 365 days


def test_d_02_attendance_shortened_goes_before_the_registration(event_a: Any) -> None:
    (reg,) = enrol(event_a)
    _attend(reg)
    services.set_client_period(event_a.client, "attendance", 10, actor="account:1")
    purge_at(event_a.ends_at + 9 * DAY)
    assert Attendance.objects.count() == 1
    purge_at(event_a.ends_at + 11 * DAY)
    assert Attendance.objects.count() == 0
    assert Registration.objects.filter(pk=reg.pk).exists()


def test_p2_5_message_bodies_are_blanked_after_delivery_and_the_row_kept(event_a: Any) -> None:
    (reg,) = enrol(event_a)
    OutboxMessage.objects.update(status="sent", sent_at=now())
    message = OutboxMessage.objects.filter(registration=reg).first()
    assert message is not None and message.body_enc
    sent = message.sent_at
    assert sent is not None
    purge_at(sent + 90 * DAY - DAY)
    message.refresh_from_db()
    assert message.body_enc and message.to_enc
    run = purge_at(sent + 90 * DAY + DAY)
    message.refresh_from_db()
    assert (message.body_enc, message.to_enc, message.subject_line_enc) == ("", "", "")
    assert message.status == "sent" and message.kind  # kept for statistics
    assert run.counts()["messages"] >= 1


def test_p2_5_queued_messages_are_not_blanked(event_a: Any) -> None:
    enrol(event_a)
    OutboxMessage.objects.update(status="queued")
    purge_at(now() + 200 * DAY)
    assert all(row.body_enc for row in OutboxMessage.objects.all())


def test_p2_5_signed_in_sessions_expire_a_day_after_their_last_activity() -> None:
    user = create_account("sam@example.org", "correct horse battery staple", actor="test")
    seen = now()
    UserSession.objects.create(user=user, session_key="k" * 32, created_at=seen,
                               last_seen_at=seen)
    purge_at(seen + dt.timedelta(hours=23))
    assert UserSession.objects.count() == 1
    purge_at(seen + dt.timedelta(hours=25))
    assert UserSession.objects.count() == 0
    assert User.objects.filter(pk=user.pk).exists()


def test_p3_8_inactive_account_warned_then_deleted(smtp_server: Any, client_a: Any) -> None:
    """D-04: an unused participant account is warned 30 days before, then erased after 3
    years (1095 days) of inactivity; the day before it is still there. Members of a client
    are not purged."""
    user = create_account("lou@example.org", "correct horse battery staple", actor="test")
    start = now()
    User.objects.filter(pk=user.pk).update(date_joined=start, last_login=None)
    members = list(User.objects.exclude(pk=user.pk).values_list("pk", flat=True))
    purge_at(start + 1064 * DAY)
    assert not InactivityWarning.objects.exists()
    purge_at(start + 1066 * DAY)
    warning = InactivityWarning.objects.get()
    assert warning.user_id == user.pk
    message = OutboxMessage.objects.get(kind="account.retention_warning")
    with freeze(start + 1066 * DAY):
        delivery.deliver_now(message.pk)
    (mail,) = [m for m in smtp_server.messages if "lou@example.org" in m["X-Envelope-To"]]
    purge_at(start + 1067 * DAY)
    assert InactivityWarning.objects.count() == 1  # warned once
    purge_at(start + 1094 * DAY)
    assert User.objects.filter(pk=user.pk).exists()
    run = purge_at(start + 1096 * DAY)
    assert not User.objects.filter(pk=user.pk).exists()
    assert run.counts()["accounts"] == 1
    assert set(members) <= set(User.objects.values_list("pk", flat=True))
    part = next(p for p in mail.walk() if p.get_content_type() == "text/plain")
    assert "/accounts/login/" in part.get_payload(decode=True).decode()


def test_p3_8_an_account_used_again_is_not_deleted() -> None:
    user = create_account("eli@example.org", "correct horse battery staple", actor="test")
    start = now()
    User.objects.filter(pk=user.pk).update(date_joined=start, last_login=None)
    purge_at(start + 1066 * DAY)
    assert InactivityWarning.objects.count() == 1
    User.objects.filter(pk=user.pk).update(last_login=start + 1070 * DAY)
    purge_at(start + 1100 * DAY)
    assert User.objects.filter(pk=user.pk).exists()


def test_p1_3_consent_proof_kept_five_years_and_while_registered(event_a: Any) -> None:
    (reg,) = enrol(event_a)
    purpose = add_purpose(event_a.client, "news", "Actualités", "News", actor="test")
    given = record_consent(client_id=event_a.client_id, subject=reg.subject, purpose=purpose,
                           given=True, language="fr", channel="web")
    purge_at(given.at + 1824 * DAY)
    assert not Registration.objects.filter(pk=reg.pk).exists()  # event end + 365 passed
    assert ConsentRecord.objects.filter(pk=given.pk).exists()
    purge_at(given.at + 1826 * DAY)
    assert not ConsentRecord.objects.filter(pk=given.pk).exists()


def test_p1_3_consent_proof_stays_while_the_person_is_registered(event_a: Any) -> None:
    (reg,) = enrol(event_a)
    purpose = add_purpose(event_a.client, "news", "Actualités", "News", actor="test")
    given = record_consent(client_id=event_a.client_id, subject=reg.subject, purpose=purpose,
                           given=True, language="fr", channel="web")
    services.place_hold(event_a.client, event=event_a, reason="Litigation", actor="account:1")
    purge_at(given.at + 1826 * DAY)
    assert ConsentRecord.objects.filter(pk=given.pk).exists()


@pytest.mark.parametrize("scope", ["client", "event", "subject"])
def test_p4_4_a_legal_hold_stops_the_purge_until_lifted(event_a: Any, scope: str) -> None:
    (reg,) = enrol(event_a)
    kwargs: dict[str, Any] = {"event": event_a} if scope == "event" else (
        {"subject_id": reg.subject_id} if scope == "subject" else {})
    hold = services.place_hold(event_a.client, reason="Court order 2026-117", actor="account:9",
                               **kwargs)
    assert hold.scope == scope
    assert services.is_held(client_id=event_a.client_id, event_id=event_a.pk,
                            subject_id=reg.subject_id)
    later = event_a.ends_at + YEAR + DAY
    purge_at(later)
    assert Registration.objects.filter(pk=reg.pk).exists()
    with freeze(later):
        services.lift_hold(hold, reason="Case closed", actor="account:9")
    assert not services.is_held(client_id=event_a.client_id, event_id=event_a.pk,
                                subject_id=reg.subject_id)
    purge_at(later + DAY)
    assert not Registration.objects.filter(pk=reg.pk).exists()
    actions = list(AuditEntry.objects.filter(action__startswith="retention.hold")
                   .values_list("action", flat=True).order_by("id"))
    assert actions == ["retention.hold_placed", "retention.hold_lifted"]


def test_p4_4_a_hold_on_another_event_does_not_stop_this_one(event_a: Any,
                                                             make_event: Any) -> None:
    (reg,) = enrol(event_a)
    other = make_event(event_a.client)
    services.place_hold(event_a.client, event=other, reason="Audit", actor="account:9")
    purge_at(event_a.ends_at + YEAR + DAY)
    assert not Registration.objects.filter(pk=reg.pk).exists()


def test_p4_4_a_hold_without_reason_is_refused(client_a: Any, event_b: Any) -> None:
    with pytest.raises(ValidationError):
        services.place_hold(client_a, reason="   ", actor="account:9")
    with pytest.raises(ValidationError):  # another client's event
        services.place_hold(client_a, event=event_b, reason="Audit", actor="account:9")
    with pytest.raises(ValidationError):
        services.place_hold(client_a, subject_id="not-a-uuid", reason="Audit",
                            actor="account:9")
    assert not LegalHold.objects.exists()
    hold = services.place_hold(client_a, reason="Audit", actor="account:9")
    with pytest.raises(ValidationError):
        services.lift_hold(hold, reason="", actor="account:9")
    services.lift_hold(hold, reason="Done", actor="account:9")
    with pytest.raises(ValidationError):
        services.lift_hold(hold, reason="Again", actor="account:9")


class Crash(Exception):
    pass


def test_d_01_an_interrupted_run_resumes_and_counts_each_row_once(event_a: Any) -> None:
    regs = enrol(event_a, 5)
    later = event_a.ends_at + YEAR + DAY
    calls = []

    def crash_on_second_batch(category: str, pks: list[Any]) -> None:
        if category == "registrations":
            calls.append(len(pks))
            if len(calls) == 2:
                raise Crash

    with pytest.raises(Crash):
        purge_at(later, batch=2, on_batch=crash_on_second_batch)
    run = PurgeRun.objects.get()
    assert run.status == PurgeRun.Status.RUNNING
    assert run.progress["registrations"]["count"] == 2  # the failed batch rolled back
    assert Registration.objects.count() == 3
    resumed = purge_at(later + DAY, batch=2)
    assert resumed.pk == run.pk and resumed.resumed == 1
    assert resumed.status == PurgeRun.Status.DONE
    assert resumed.counts()["registrations"] == 5
    assert not Registration.objects.filter(pk__in=[r.pk for r in regs]).exists()
    entry = AuditEntry.objects.get(action="retention.purge_run")
    assert entry.details["counts"]["registrations"] == 5
    assert verify() is None


def test_p6_6_the_run_log_holds_counts_and_no_personal_value(event_a: Any) -> None:
    regs = enrol(event_a, 2, prefix="zoe.martin")
    run = purge_at(event_a.ends_at + YEAR + DAY)
    entry = AuditEntry.objects.get(action="retention.purge_run")
    text = json.dumps(entry.details) + entry.target + entry.actor + json.dumps(run.progress)
    for value in ("zoe.martin", "Camille", "Durand", "example.org",
                  *[str(r.pk) for r in regs], *[str(r.subject_id) for r in regs]):
        assert value not in text
    assert entry.details["counts"]["registrations"] == 2


def test_forecast_counts_what_is_due_per_horizon(event_a: Any, event_b: Any) -> None:
    enrol(event_a, 2)
    enrol(event_b, 1)
    with freeze(event_a.ends_at + YEAR - 10 * DAY):
        rows = {row["category"]: row["counts"] for row in forecast()}
        mine = {row["category"]: row["counts"] for row in forecast(event_a.client_id)}
    assert rows["registrations"]["now"] == 0 and rows["registrations"]["7"] == 0
    assert rows["registrations"]["30"] == 3
    assert mine["registrations"]["30"] == 2
    assert "accounts" not in mine  # the operator's data is not the client's
    services.place_hold(event_b.client, reason="Audit", actor="account:9")
    with freeze(event_a.ends_at + YEAR - 10 * DAY):
        rows = {row["category"]: row["counts"] for row in forecast()}
    assert rows["registrations"]["30"] == 2 and rows["registrations"]["held"] == 1


def test_p2_5_platform_messages_keep_the_bound_when_a_client_shortens(event_a: Any) -> None:
    """A client's shorter period is the client's: the operator's own messages (no client)
    stay on the platform bound, and are still blanked after it."""
    user = create_account("ana@example.org", "correct horse battery staple", actor="test")
    mine = queue_email(subject=user.subject, to="ana@example.org", subject_line="Hi",
                       body="Hello", kind="account.verify", client_id=None)
    assert mine is not None
    OutboxMessage.objects.update(status="sent", sent_at=now())
    services.set_client_period(event_a.client, "messages", 10, actor="account:1")
    purge_at(now() + 11 * DAY)
    mine.refresh_from_db()
    assert mine.body_enc
    purge_at(now() + 91 * DAY)
    mine.refresh_from_db()
    assert mine.body_enc == ""


def test_p4_4_is_held_answers_for_a_whole_client_and_for_one_scope(event_a: Any,
                                                                    make_event: Any) -> None:
    other = make_event(event_a.client)
    assert not services.is_held(client_id=event_a.client_id)
    services.place_hold(event_a.client, event=event_a, reason="Audit", actor="account:9")
    assert services.is_held(client_id=event_a.client_id)  # the whole client: any hold
    assert services.is_held(client_id=event_a.client_id, event_id=event_a.pk)
    assert not services.is_held(client_id=event_a.client_id, event_id=other.pk)
    assert not services.is_held()


@pytest.mark.no_db
def test_d_01_the_purge_is_a_daily_job_of_the_worker() -> None:
    import datetime as _dt

    from django.utils.module_loading import autodiscover_modules

    from livesession.core import tasks

    autodiscover_modules("jobs")  # as the worker does
    (job,) = [t for t in tasks.queue()._registry._periodic_tasks
              if t.__name__ == "daily_purge"]
    at = _dt.datetime(2026, 11, 26, 3, 17)
    assert job().validate_datetime(at)
    assert not job().validate_datetime(at.replace(hour=4))
