"""The JSON API: organizer endpoints with a per-client token, public registration, errors
a caller can act on (issue 2 §5 and "Bad input")."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as Browser

from livesession.api.services import create_token, revoke_token
from livesession.events.models import Event, EventStatus
from livesession.registrations.models import Registration

EVENT = {"title": "API webinar", "starts_at": "2031-01-10T09:00:00+01:00",
         "ends_at": "2031-01-10T10:00:00+01:00", "time_zone": "Europe/Paris",
         "room_url": "https://room.example/api"}


@pytest.fixture
def api(client_a: Any) -> Browser:
    secret = create_token(client_a, "tests", actor="test").secret
    return Browser(HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_schema_is_openapi_3_and_lists_the_endpoints() -> None:
    response = Browser().get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    body = response.content.decode()
    assert "openapi" in body and "3." in body
    assert "/api/v1/events/{event_id}/registrations" in body
    assert "clientToken" in body


def test_organizer_creates_publishes_and_lists(api: Browser, client_a: Any) -> None:
    created = api.post("/api/v1/events/", EVENT, content_type="application/json")
    assert created.status_code == 201, created.content
    event_id = created.json()["id"]
    event = Event.objects.get(pk=event_id)
    assert event.client == client_a and event.status == EventStatus.DRAFT
    published = api.post(f"/api/v1/events/{event_id}/publish")
    assert published.status_code == 200 and published.json()["status"] == "published"
    patched = api.patch(f"/api/v1/events/{event_id}/", {"title": "Renamed"},
                        content_type="application/json")
    assert patched.status_code == 200 and patched.json()["title"] == "Renamed"
    listing = api.get("/api/v1/events/").json()
    assert [row["id"] for row in listing] == [event_id]


def test_public_registration_then_organizer_reads_it(api: Browser, event_a: Any) -> None:
    public = Browser()
    response = public.post(f"/api/v1/events/{event_a.pk}/registrations",
                           {"email": "ana@example.org", "first_name": "Ana",
                            "last_name": "Lopez"}, content_type="application/json")
    assert response.status_code == 202
    again = public.post(f"/api/v1/events/{event_a.pk}/registrations",
                        {"email": "ANA@example.org", "first_name": "Ana",
                         "last_name": "Lopez"}, content_type="application/json")
    # Same answer: the API does not tell whether an address is registered.
    assert again.status_code == 202 and again.json() == response.json()
    assert Registration.objects.count() == 1
    rows = api.get(f"/api/v1/events/{event_a.pk}/registrations").json()
    assert [(r["email"], r["first_name"]) for r in rows] == [("ana@example.org", "Ana")]


def test_public_registration_needs_no_token_and_ignores_one(event_a: Any) -> None:
    response = Browser(HTTP_AUTHORIZATION="Bearer nonsense").post(
        f"/api/v1/events/{event_a.pk}/registrations",
        {"email": "x@example.org", "first_name": "X", "last_name": "Y"},
        content_type="application/json")
    assert response.status_code == 202


@pytest.mark.parametrize(("payload", "field"), [
    ({"first_name": "A", "last_name": "B"}, "email"),
    ({"email": "not-an-email", "first_name": "A", "last_name": "B"}, "email"),
    ({"email": "a@example.org", "last_name": "B"}, "first_name"),
    ({"email": "a@example.org", "first_name": "A" * 151, "last_name": "B"}, "first_name"),
    ({"email": "a@example.org", "first_name": "A", "last_name": "B", "language": "de"},
     "language"),
])
def test_bad_registration_input_answers_400_naming_the_field(event_a: Any, payload: dict,
                                                              field: str) -> None:
    response = Browser().post(f"/api/v1/events/{event_a.pk}/registrations", payload,
                              content_type="application/json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Registration.objects.exists()


def test_malformed_json_is_a_400_not_a_500(event_a: Any) -> None:
    response = Browser().post(f"/api/v1/events/{event_a.pk}/registrations", "{nope",
                              content_type="application/json")
    assert response.status_code == 400


def test_unknown_draft_and_closed_events(client_a: Any, make_event: Any) -> None:
    import uuid

    public = Browser()
    payload = {"email": "a@example.org", "first_name": "A", "last_name": "B"}
    assert public.post(f"/api/v1/events/{uuid.uuid4()}/registrations", payload,
                       content_type="application/json").status_code == 404
    draft = make_event(client_a, published=False)
    assert public.post(f"/api/v1/events/{draft.pk}/registrations", payload,
                       content_type="application/json").status_code == 404
    import datetime as dt

    past = make_event(client_a, starts_in=-dt.timedelta(days=2))
    response = public.post(f"/api/v1/events/{past.pk}/registrations", payload,
                           content_type="application/json")
    assert response.status_code == 409 and "errors" in response.json()


def test_bad_event_input_names_the_fields(api: Browser) -> None:
    bad = dict(EVENT, ends_at="2031-01-10T08:00:00+01:00", time_zone="Mars/Olympus",
               room_url="nope")
    response = api.post("/api/v1/events/", bad, content_type="application/json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {"time_zone", "room_url"} <= set(errors)
    fixed = api.post("/api/v1/events/", dict(EVENT, ends_at="2031-01-10T08:00:00+01:00"),
                     content_type="application/json")
    assert fixed.status_code == 400 and "ends_at" in fixed.json()["errors"]
    assert not Event.objects.exists()


def test_revoked_or_unknown_token_is_refused(client_a: Any) -> None:
    made = create_token(client_a, "soon revoked", actor="test")
    browser = Browser(HTTP_AUTHORIZATION=f"Bearer {made.secret}")
    assert browser.get("/api/v1/events/").status_code == 200
    revoke_token(made.token, actor="test")
    assert browser.get("/api/v1/events/").status_code == 401
    assert Browser(HTTP_AUTHORIZATION="Bearer lsk_unknown").get(
        "/api/v1/events/").status_code == 401
    assert Browser().get("/api/v1/events/").status_code == 401


def test_token_is_stored_only_as_a_hash(client_a: Any) -> None:
    made = create_token(client_a, "hashing", actor="test")
    assert made.secret not in made.token.token_digest
    assert made.token.prefix == made.secret[:10]
