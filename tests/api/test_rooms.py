"""Rooms through the API (issue 4 §3, §10): GET and PUT an event's and a session's room,
secrets write-only, misconfiguration refused by field in the API's error format."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from rest_framework.test import APIClient

from livesession.access import rooms
from livesession.api.services import create_token
from livesession.core.models import Client
from livesession.events.models import Event
from livesession.registrations.sessions import add_session


@pytest.fixture
def api_a(client_a: Client) -> APIClient:
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {create_token(client_a, 'sync', actor='t').secret}")
    return api


def test_issue4_3_get_and_put_event_room(api_a: APIClient, event_a: Event) -> None:
    url = f"/api/v1/events/{event_a.pk}/room"
    got = api_a.get(url)
    assert got.status_code == 200
    assert got.json() == {"room_kind": "external", "room_url": "https://room.example/abc",
                          "room_config": {}, "room_secret_set": False, "problem": ""}
    put = api_a.put(url, {"room_kind": "jitsi", "room_config": {"room": "api-room"}},
                    format="json")
    assert put.status_code == 200, put.content
    assert put.json()["room_config"] == {"room": "api-room"}
    assert Event.objects.get(pk=event_a.pk).room_kind == "jitsi"
    # The event itself shows its provider.
    assert api_a.get(f"/api/v1/events/{event_a.pk}/").json()["room_kind"] == "jitsi"


def test_issue4_3_room_secret_is_write_only(api_a: APIClient, event_a: Event) -> None:
    url = f"/api/v1/events/{event_a.pk}/room"
    body = {"room_kind": "bbb", "room_config": {"api_url": "https://own.alpha.test/bigbluebutton/"},
            "room_secret": "api-room-secret"}
    put = api_a.put(url, body, format="json")
    assert put.status_code == 200, put.content
    assert put.json()["room_secret_set"] is True and "api-room-secret" not in put.content.decode()
    assert "api-room-secret" not in api_a.get(url).content.decode()
    # PUT again without the secret keeps it.
    body.pop("room_secret")
    assert api_a.put(url, body, format="json").status_code == 200
    assert Event.objects.get(pk=event_a.pk).room_secret == "api-room-secret"


@pytest.mark.parametrize(("body", "field"), [
    ({"room_kind": "bbb"}, "room_kind"),
    ({"room_kind": "embed", "room_url": "http://stream.example.org/x"}, "room_url"),
    ({"room_kind": "external", "room_url": "not a url"}, "room_url"),
    ({"room_kind": "jitsi", "room_config": {"room": "a b"}}, "room_config"),
    ({"room_kind": "teams"}, "room_kind"),
    ({"room_kind": "bbb", "room_config": {"api_url": "https://own.example.org/b/"}},
     "room_secret"),
])
def test_issue4_bad_input_refused_by_field(api_a: APIClient, event_a: Event,
                                           body: dict[str, Any], field: str) -> None:
    response = api_a.put(f"/api/v1/events/{event_a.pk}/room", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert Event.objects.get(pk=event_a.pk).room_url == "https://room.example/abc"


def test_issue4_3_bbb_room_accepted_once_the_client_has_a_server(api_a: APIClient,
                                                                client_a: Client,
                                                                event_a: Event) -> None:
    rooms.save_room_settings(client_a, actor="t", bbb_url="https://bbb.alpha.test/bigbluebutton/",
                             bbb_secret="s")
    response = api_a.put(f"/api/v1/events/{event_a.pk}/room", {"room_kind": "bbb"},
                         format="json")
    assert response.status_code == 200
    assert response.json()["room_url"] == "" and response.json()["problem"] == ""


def test_issue4_3_session_room(api_a: APIClient, event_a: Event) -> None:
    session = add_session(event_a, actor="t", title="Day 2", starts_at=event_a.starts_at,
                          ends_at=event_a.starts_at + dt.timedelta(hours=1), capacity=None,
                          room_url="")
    url = f"/api/v1/events/{event_a.pk}/sessions/{session.pk}/room"
    assert api_a.get(url).json()["room_kind"] == ""
    put = api_a.put(url, {"room_kind": "embed", "room_url": "https://player.example.org/2"},
                    format="json")
    assert put.status_code == 200 and put.json()["room_kind"] == "embed"
    assert api_a.put(url, {"room_kind": ""}, format="json").json()["room_kind"] == ""


def test_other_clients_rooms_answer_404(api_a: APIClient, event_b: Event) -> None:
    url = f"/api/v1/events/{event_b.pk}/room"
    assert api_a.get(url).status_code == 404
    assert api_a.put(url, {"room_kind": "external", "room_url": "https://x.example/1"},
                     format="json").status_code == 404
    assert Event.objects.get(pk=event_b.pk).room_url == "https://room.example/abc"


def test_event_create_through_the_api_with_a_jitsi_room(api_a: APIClient) -> None:
    response = api_a.post("/api/v1/events/", {
        "title": "API jitsi", "starts_at": "2031-03-01T10:00:00+01:00",
        "ends_at": "2031-03-01T11:00:00+01:00", "room_kind": "jitsi"}, format="json")
    assert response.status_code == 201, response.content
    event = Event.objects.get(title="API jitsi")
    assert event.room_kind == "jitsi" and event.room_config["room"].startswith("ls-")
    refused = api_a.post("/api/v1/events/", {
        "title": "API bbb", "starts_at": "2031-03-01T10:00:00+01:00",
        "ends_at": "2031-03-01T11:00:00+01:00", "room_kind": "bbb"}, format="json")
    assert refused.status_code == 400 and "room_kind" in refused.json()["errors"]
    assert not Event.objects.filter(title="API bbb").exists()


def test_event_patch_to_bbb_without_server_is_refused(api_a: APIClient, event_a: Event) -> None:
    response = api_a.patch(f"/api/v1/events/{event_a.pk}/", {"room_kind": "bbb"},
                           format="json")
    assert response.status_code == 400 and "room_kind" in response.json()["errors"]
    assert Event.objects.get(pk=event_a.pk).room_kind == "external"
