"""API for personal links, attendance and replays (issue 4 §10, with §1, §4, §6)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client as Browser

from livesession.access import attendance as presence
from livesession.access import services as access
from livesession.api.services import create_token
from livesession.core.clock import freeze
from livesession.events.models import Event
from livesession.messaging.models import OutboxMessage
from livesession.registrations.services import register
from livesession.registrations.sessions import add_session


@pytest.fixture
def api(client_a: Any) -> Browser:
    return Browser(HTTP_AUTHORIZATION=f"Bearer {create_token(client_a, 't', actor='t').secret}")


def _json(browser: Browser, method: str, url: str, body: Any = None) -> Any:
    return getattr(browser, method)(url, body, content_type="application/json")


def test_issue4_10_regenerate_mails_the_link_and_never_returns_it(api: Browser,
                                                                  event_a: Event) -> None:
    made = register(event_a, email="ana@example.org", first_name="Ana", last_name="B")
    before = OutboxMessage.objects.count()
    response = api.post(f"/api/v1/registrations/{made.registration.pk}/link/regenerate")
    assert response.status_code == 202 and response.json() == {"status": "sent"}
    new = access.current_token(made.registration)
    assert new and new != made.token and new not in response.content.decode()
    assert access.resolve(made.token) is None
    mail = OutboxMessage.objects.order_by("id")[before:]
    assert len(mail) == 1 and mail[0].to == "ana@example.org" and new in mail[0].body
    revoked = api.post(f"/api/v1/registrations/{made.registration.pk}/link/revoke")
    assert revoked.status_code == 200 and access.resolve(new) is None



def test_r10_regenerate_refused_while_restricted(api: Browser, event_a: Event) -> None:
    """R-10 (art. 18): a restricted person gets no new link; the answer says why (409)."""
    from livesession.protection import restriction

    made = register(event_a, email="ana@example.org", first_name="Ana", last_name="B")
    restriction.restrict([made.registration.subject_id], actor="t", source="api")
    response = api.post(f"/api/v1/registrations/{made.registration.pk}/link/regenerate",
                        HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409 and "restricted" in response.json()["detail"]
    assert access.resolve(made.token) is not None

def test_issue4_10_attendance_pages_and_summary(api: Browser, event_a: Event,
                                                monkeypatch: Any) -> None:
    monkeypatch.setattr("livesession.api.views_access.PAGE", 2)
    tokens = [register(event_a, email=f"p{i}@example.org", first_name="P",
                       last_name=str(i)).token for i in range(4)]
    with freeze(event_a.starts_at):
        for token in tokens[:3]:
            Browser().get(f"/j/{token}/")
    base = f"/api/v1/events/{event_a.pk}/attendance"
    first = api.get(base).json()
    assert len(first["results"]) == 2 and first["next_cursor"]
    second = api.get(f"{base}?cursor={first['next_cursor']}").json()
    assert len(second["results"]) == 1 and second["next_cursor"] is None
    row = first["results"][0]
    assert row["session"] is None and row["accesses"] == 1 and row["devices"] == 1
    assert row["seconds_present"] is None  # a redirect room: not measured
    assert api.get(f"{base}?session=abc").status_code == 400
    assert api.get(f"{base}?session=0").json()["results"]
    summary = api.get(f"{base}/summary").json()
    assert summary == [{"session": None, "title": event_a.title, "expected": 4,
                        "attended": 3, "no_shows": 1, "measured": 0,
                        "average_minutes": None, "concurrent": 0}]


def test_issue4_10_measured_presence_through_the_api(api: Browser, event_a: Event) -> None:
    event_a.room_kind = "embed"
    event_a.save()
    made = register(event_a, email="em@example.org", first_name="Em", last_name="B")
    with freeze(event_a.starts_at):
        access.record_join(made.registration, device="d" * 64)
    with freeze(event_a.starts_at + dt.timedelta(seconds=45)):
        presence.heartbeat(made.registration, None, "d" * 64)
    (row,) = api.get(f"/api/v1/events/{event_a.pk}/attendance").json()["results"]
    assert row["seconds_present"] == 45


def test_issue4_10_replays_of_event_and_session(api: Browser, event_a: Event) -> None:
    session = add_session(event_a, actor="t", title="M1", starts_at=event_a.starts_at,
                          ends_at=event_a.ends_at, capacity=None, room_url="")
    url = f"/api/v1/events/{event_a.pk}/replay"
    put = _json(api, "put", url, {"replay_url": "https://video.example/e",
                                  "replay_expires_at": "2031-01-01T12:00:00+01:00"})
    assert put.status_code == 200
    assert put.json() == {"replay_url": "https://video.example/e",
                          "replay_expires_at": "2031-01-01T11:00:00+00:00"}
    assert api.get(url).json()["replay_url"] == "https://video.example/e"
    assert _json(api, "put", url, {"replay_url": "javascript:alert(1)"}).status_code == 400
    assert api.delete(url).status_code == 204
    event_a.refresh_from_db()
    assert event_a.replay_url == "" and event_a.replay_expires_at is None
    one = f"/api/v1/events/{event_a.pk}/sessions/{session.pk}/replay"
    assert _json(api, "put", one, {"replay_url": "https://video.example/s"}).status_code == 200
    session.refresh_from_db()
    assert session.replay_url == "https://video.example/s" and session.replay_expires_at is None
    assert api.get(f"/api/v1/events/{event_a.pk}/sessions/999999/replay").status_code == 404


def test_issue4_10_other_client_objects_are_404(api: Browser, event_b: Event) -> None:
    made = register(event_b, email="x@example.org", first_name="X", last_name="Y")
    assert api.post(f"/api/v1/registrations/{made.registration.pk}/link/revoke"
                    ).status_code == 404
    assert access.resolve(made.token) is not None
    assert api.get(f"/api/v1/events/{event_b.pk}/attendance").status_code == 404
    assert _json(api, "put", f"/api/v1/events/{event_b.pk}/replay",
                 {"replay_url": "https://video.example/x"}).status_code == 404


def test_issue4_10_access_options(api: Browser, event_a: Event) -> None:
    url = f"/api/v1/events/{event_a.pk}/access"
    assert api.get(url).json() == {"one_device_only": False, "opens_minutes_before": 15}
    put = _json(api, "put", url, {"one_device_only": True, "opens_minutes_before": 45})
    assert put.status_code == 200 and put.json()["one_device_only"] is True
    event_a.refresh_from_db()
    assert event_a.one_device_only and event_a.opens_minutes_before == 45
    assert _json(api, "put", url, {"one_device_only": True,
                                   "opens_minutes_before": 99999}).status_code == 400
