"""Attendance (issue 4 §4): one row per registration and session, presence from the
embedded page's heartbeats, devices, concurrent use, one device at a time."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.test import Client as Browser

from livesession.access import services as access
from livesession.access.attendance import ACTIVE_SECONDS, HEARTBEAT_CAP
from livesession.access.models import Attendance, AttendanceDevice
from livesession.core.clock import freeze
from livesession.events.models import Event
from livesession.portal import device as devices
from livesession.registrations import services as reg
from livesession.registrations.sessions import add_session


def _embed(event: Event, *, one_device: bool = False) -> Event:
    event.room_kind = "embed"
    event.room_url = "https://player.example/live"
    event.one_device_only = one_device
    event.save()
    return event


def _token(event: Event, n: int = 1) -> str:
    return reg.register(event, email=f"p{n}@example.org", first_name="P", last_name=str(n)).token


def _beat(browser: Browser, token: str) -> Any:
    page_token = browser.cookies["csrftoken"].value
    return browser.post(f"/j/{token}/heartbeat/", HTTP_X_CSRFTOKEN=page_token)


def _at(event: Event, minutes: float) -> Any:
    return freeze(event.starts_at + dt.timedelta(minutes=minutes))


def test_issue4_4_one_row_per_registration_and_session(event_a: Event) -> None:
    token = _token(event_a)
    browser = Browser()
    for minute in (0, 1, 30):
        with _at(event_a, minute):
            assert browser.get(f"/j/{token}/").status_code == 302
    row = Attendance.objects.get()
    assert row.accesses == 3 and row.session_key == 0 and row.session_id is None
    assert row.first_access_at == event_a.starts_at
    assert row.last_seen_at == event_a.starts_at + dt.timedelta(minutes=30)
    # Redirects leave our site: presence is not measured, only accesses are.
    assert not row.presence_measured and row.minutes_present is None
    assert AttendanceDevice.objects.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Attendance.objects.create(registration=row.registration, client_id=row.client_id,
                                  event_id=row.event_id, session_key=0,
                                  first_access_at=row.first_access_at,
                                  last_seen_at=row.last_seen_at)


def test_issue4_4_sessions_of_a_series_have_their_own_rows(event_a: Event) -> None:
    modules = [add_session(event_a, actor="t", title=f"M{i}",
                           starts_at=event_a.starts_at + dt.timedelta(days=i),
                           ends_at=event_a.starts_at + dt.timedelta(days=i, hours=1),
                           capacity=None, room_url="https://room.example/m")
               for i in range(2)]
    token = _token(event_a)
    browser = Browser()
    for module in modules:
        with freeze(module.starts_at):
            browser.get(f"/j/{token}/")
    assert sorted(Attendance.objects.values_list("session_key", flat=True)) == \
        sorted(m.pk for m in modules)


def test_issue4_4_heartbeats_measure_presence(event_a: Event) -> None:
    _embed(event_a)
    token = _token(event_a)
    browser = Browser()
    with _at(event_a, 0):
        assert browser.get(f"/j/{token}/").status_code == 200
    for seconds in (30, 60, 90):
        with _at(event_a, seconds / 60):
            answer = _beat(browser, token)
            assert answer.json() == {"status": "ok"}
    # A long silence (laptop asleep) counts one minute at most.
    with _at(event_a, 10):
        _beat(browser, token)
    row = Attendance.objects.get()
    assert row.presence_measured
    assert row.seconds_present == 90 + HEARTBEAT_CAP
    assert row.minutes_present == round((90 + HEARTBEAT_CAP) / 60)


def test_issue4_4_two_devices_never_count_the_same_minute_twice(event_a: Event) -> None:
    """Both devices beat every 30 s, 15 s apart: the presence is the wall time, once;
    the use is flagged as concurrent."""
    _embed(event_a)
    token = _token(event_a)
    laptop, phone = Browser(), Browser()
    with _at(event_a, 0):
        laptop.get(f"/j/{token}/")
    with _at(event_a, 0.25):
        phone.get(f"/j/{token}/")
    for step in range(1, 9):  # four minutes
        with freeze(event_a.starts_at + dt.timedelta(seconds=30 * step)):
            assert _beat(laptop, token).json()["status"] == "ok"
        with freeze(event_a.starts_at + dt.timedelta(seconds=30 * step + 15)):
            assert _beat(phone, token).json()["status"] == "ok"
    row = Attendance.objects.get()
    assert row.seconds_present == 4 * 60 + 15 - 15  # from the phone's join at 15 s to 4:15
    assert row.concurrent_uses > 0
    assert AttendanceDevice.objects.filter(registration=row.registration).count() == 2


def test_issue4_4_one_device_only_refuses_a_second_active_device(event_a: Event) -> None:
    _embed(event_a, one_device=True)
    token = _token(event_a)
    laptop, phone = Browser(), Browser(HTTP_ACCEPT_LANGUAGE="en")
    with _at(event_a, 0):
        assert laptop.get(f"/j/{token}/").status_code == 200
    with _at(event_a, 0.5):
        _beat(laptop, token)
    with _at(event_a, 1):
        refused = phone.get(f"/j/{token}/")
    assert refused.status_code == 409
    assert "in use on another device" in refused.content.decode()
    row = Attendance.objects.get()
    assert row.concurrent_uses == 1 and row.accesses == 1
    # The laptop goes away; after the active window the phone may take the link.
    later = 0.5 + ACTIVE_SECONDS / 60 + 0.1
    with _at(event_a, later):
        assert phone.get(f"/j/{token}/").status_code == 200
    # The laptop's page comes back: it is told to stop, and counts nothing.
    with _at(event_a, later + 0.2):
        _beat(phone, token)
    before = Attendance.objects.get().seconds_present
    with _at(event_a, later + 0.3):
        assert _beat(laptop, token).json() == {"status": "other_device"}
    assert Attendance.objects.get().seconds_present == before


def test_issue4_4_concurrent_redirects_are_flagged(event_a: Event) -> None:
    token = _token(event_a)
    with _at(event_a, 0):
        Browser().get(f"/j/{token}/")
    with _at(event_a, 1):
        Browser().get(f"/j/{token}/")
    assert Attendance.objects.get().concurrent_uses == 1


def test_issue4_4_device_cookie_is_functional_and_never_extended(event_a: Event) -> None:
    token = _token(event_a)
    browser = Browser()
    with _at(event_a, 0):
        first = browser.get(f"/j/{token}/")
    cookie = first.cookies[devices.COOKIE]
    assert cookie["httponly"] and cookie["path"] == "/j/" and cookie["samesite"] == "Lax"
    assert 0 < int(cookie["max-age"]) <= 396 * 24 * 3600  # 13 months at most
    assert not cookie["secure"]  # plain HTTP in tests; Secure on HTTPS (below)
    # Only the hash is stored.
    stored = AttendanceDevice.objects.get().device_hash
    assert cookie.value not in stored and len(stored) == 64
    with _at(event_a, 1):
        again = browser.get(f"/j/{token}/")
    assert devices.COOKIE not in again.cookies  # not extended by later visits
    with _at(event_a, 2):
        secure = Browser().get(f"/j/{token}/", secure=True)
    assert secure.cookies[devices.COOKIE]["secure"]


def test_issue4_4_heartbeat_needs_csrf_device_and_open_room(event_a: Event) -> None:
    _embed(event_a)
    token = _token(event_a)
    strict = Browser(enforce_csrf_checks=True)
    with _at(event_a, 0):
        strict.get(f"/j/{token}/")
    with _at(event_a, 1):
        assert strict.post(f"/j/{token}/heartbeat/").status_code == 403  # no CSRF header
        assert _beat(strict, token).json() == {"status": "ok"}
        assert Browser().post(f"/j/{token}/heartbeat/").json() == {"status": "no_device"}
        assert strict.post("/j/unknown-token-0000000000000000/heartbeat/",
                           HTTP_X_CSRFTOKEN=strict.cookies["csrftoken"].value
                           ).status_code == 404
    with freeze(event_a.ends_at + dt.timedelta(minutes=1)):
        assert _beat(strict, token).json() == {"status": "closed"}
    assert Attendance.objects.get().seconds_present == 60


def test_issue4_4_participant_sees_own_attendance_in_the_personal_space(
        event_a: Event) -> None:
    from livesession.accounts.services import create_account, link_registration
    from tests.conftest import PASSWORD

    _embed(event_a)
    user = create_account("p1@example.org", PASSWORD, first_name="P", last_name="1",
                          verified=True, language="en", actor="test")
    token = _token(event_a)
    registration = access.resolve(token)
    assert registration is not None
    link_registration(user, registration)
    browser = Browser()
    with _at(event_a, 0):
        browser.get(f"/j/{token}/")
    for minute in (1, 2, 3):
        with _at(event_a, minute):
            _beat(browser, token)
    space = Browser(HTTP_ACCEPT_LANGUAGE="en")
    space.force_login(user)
    page = space.get("/me/").content.decode()
    assert "Attendance" in page and "first access" in page and "3 minutes" in page
