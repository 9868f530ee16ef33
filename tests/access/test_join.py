"""The personal link at work (issue 4 §2, §5, Bad input): the lean redirect, the waiting
page, the embedded room, the end page, unknown links."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client as Browser

from livesession.access import services as access
from livesession.access.models import Attendance
from livesession.core.clock import freeze
from livesession.events.models import Event
from livesession.registrations import services as reg
from livesession.registrations.sessions import add_session
from tests.conftest import PASSWORD

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _join(event: Event, n: int = 1) -> str:
    made = reg.register(event, email=f"person{n}@example.org", first_name=f"P{n}",
                        last_name="Test")
    return made.token


def _open(event: Event) -> Any:
    return freeze(event.starts_at + dt.timedelta(minutes=5))


@pytest.fixture
def series(event_a: Event) -> tuple[Event, list[Any]]:
    sessions = [add_session(event_a, actor="test", title=f"Module {i}",
                            starts_at=event_a.starts_at + dt.timedelta(days=i),
                            ends_at=event_a.starts_at + dt.timedelta(days=i, hours=1),
                            capacity=None, room_url=f"https://room.example/m{i}")
                for i in range(2)]
    return event_a, sessions


def test_issue4_5_redirect_costs_three_queries_without_sessions(
        event_a: Event, django_assert_max_num_queries: Any) -> None:
    """Resolve (link, registration, event and 'has sessions' in one query), the attendance
    upsert, the device upsert: no template, no session, no cookie but the device's."""
    token = _join(event_a)
    browser = Browser()
    with _open(event_a), django_assert_max_num_queries(3):
        response = browser.get(f"/j/{token}/")
    assert response.status_code == 302
    assert response["Location"] == "https://room.example/abc"
    assert response["Referrer-Policy"] == "same-origin"
    assert not response.templates
    assert set(response.cookies) == {"ls_device"}
    assert not response.wsgi_request.session.accessed
    assert Attendance.objects.get().accesses == 1


def test_issue4_5_redirect_costs_four_queries_with_sessions(
        series: tuple[Event, list[Any]], django_assert_max_num_queries: Any) -> None:
    event, modules = series
    token = _join(event)
    browser = Browser()
    with freeze(modules[1].starts_at), django_assert_max_num_queries(4):
        response = browser.get(f"/j/{token}/")
    assert response.status_code == 302 and response["Location"] == "https://room.example/m1"
    assert not response.wsgi_request.session.accessed
    row = Attendance.objects.get()
    assert row.session_id == modules[1].pk and row.session_key == modules[1].pk


def test_issue4_5_signed_in_visitor_does_not_load_a_session(
        event_a: Event, owner_a: Any, django_assert_max_num_queries: Any) -> None:
    """A browser carrying a sign-in session: the join path reads neither the session nor
    the account (the activity middleware leaves an account it was not asked about)."""
    token = _join(event_a)
    browser = Browser()
    assert browser.post("/accounts/login/", {"email": owner_a.email,
                                             "password": PASSWORD}).status_code == 302
    with _open(event_a), django_assert_max_num_queries(3):
        response = browser.get(f"/j/{token}/")
    assert response.status_code == 302
    assert not response.wsgi_request.session.accessed
    assert "sessionid" not in response.cookies


def test_issue4_2_waiting_page_counts_down_and_works_without_js(event_a: Event) -> None:
    token = _join(event_a)
    page = Browser().get(f"/j/{token}/", **EN)
    html = page.content.decode()
    assert page.status_code == 200 and page["Referrer-Policy"] == "same-origin"
    assert 'id="countdown"' in html and "livesession/countdown.js" in html
    # Without JavaScript: the opening time, written by the server in the event's zone.
    opens = event_a.opens_at.astimezone(dt.timezone(dt.timedelta(hours=1)))
    assert "The room opens at" in html and f"{opens:%H}:{opens:%M}" in html.replace(".", ":")
    assert not Attendance.objects.exists()


def test_issue4_2_opening_follows_the_event_setting(event_a: Event) -> None:
    event_a.opens_minutes_before = 30
    event_a.save()
    token = _join(event_a)
    with freeze(event_a.starts_at - dt.timedelta(minutes=20)):
        assert Browser().get(f"/j/{token}/").status_code == 302
    with freeze(event_a.starts_at - dt.timedelta(minutes=31)):
        assert Browser().get(f"/j/{token}/").status_code == 200


def test_issue4_2_ended_page_without_replay(event_a: Event) -> None:
    token = _join(event_a)
    with freeze(event_a.ends_at + dt.timedelta(minutes=1)):
        page = Browser().get(f"/j/{token}/", **EN)
    html = page.content.decode()
    assert page.status_code == 200 and "This event is over." in html
    assert 'id="countdown"' not in html and "replay" not in html.lower()


def test_issue4_2_embedded_room_page_with_player_and_heartbeat(event_a: Event) -> None:
    event_a.room_kind = "embed"
    event_a.room_url = "https://player.example/live/42"
    event_a.save()
    token = _join(event_a)
    browser = Browser()
    # A player from another site is that site's tracker: it loads once the visitor allowed
    # it (issue 7, tests/cookies/test_room_player.py covers the placeholder before that).
    browser.post("/cookies/consent/", {"choice": "grant", "tracker": "room_player"})
    with _open(event_a):
        page = browser.get(f"/j/{token}/", **EN)
    html = page.content.decode()
    assert page.status_code == 200 and page["Referrer-Policy"] == "same-origin"
    assert 'src="https://player.example/live/42"' in html
    assert 'referrerpolicy="no-referrer"' in html
    assert "livesession/heartbeat.js" in html and f"/j/{token}/heartbeat/" in html
    assert "ls_device" in page.cookies
    assert Attendance.objects.get().accesses == 1


def test_issue4_bad_input_unknown_malformed_and_revoked_links(event_a: Event) -> None:
    token = _join(event_a)
    registration = access.resolve(token)
    assert registration is not None
    browser = Browser()
    for bad in ("not-a-real-token-at-all-000000000000000", "x", "%3Cscript%3E", "a" * 300):
        page = browser.get(f"/j/{bad}/", **EN)
        assert page.status_code == 404, bad
        assert "/j/resend/" in page.content.decode()
        assert page["Referrer-Policy"] == "same-origin"
    access.revoke_link(registration, actor="test")
    with _open(event_a):
        page = browser.get(f"/j/{token}/", **EN)
    assert page.status_code == 404 and "Have my link sent again" in page.content.decode()
    assert not Attendance.objects.exists()


def test_issue4_bad_input_room_without_url_is_a_plain_page(event_a: Event) -> None:
    Event.objects.filter(pk=event_a.pk).update(room_url="")
    token = _join(event_a)
    with _open(event_a):
        page = Browser().get(f"/j/{token}/", **EN)
    assert page.status_code == 503
    html = page.content.decode()
    assert "The room cannot be opened right now" in html and "Traceback" not in html
    assert not Attendance.objects.exists()


def test_issue4_2_unconfirmed_registration_does_not_enter(event_a: Event) -> None:
    event_a.approval_required = True
    event_a.save()
    token = _join(event_a)
    with _open(event_a):
        page = Browser().get(f"/j/{token}/", **EN)
    assert page.status_code == 200 and "approval" in page.content.decode()
    assert not Attendance.objects.exists()
