"""Manager pages: events with clear errors, API tokens shown once (issue 2 §5)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as Browser

from livesession.api.models import ApiToken
from livesession.events.models import Event
from livesession.registrations.services import register

GOOD = {"title": "Classe virtuelle", "description": "Module 1", "time_zone": "America/Montreal",
        "starts_at": "2030-06-01T09:00", "ends_at": "2030-06-01T10:00",
        "room_url": "https://room.example/cv"}


@pytest.fixture
def organizer(client_a: Any, make_member: Any) -> Browser:
    user = make_member(client_a, "organizer", "orga@alpha.test")
    browser = Browser()
    browser.force_login(user)
    return browser


def test_create_event_in_its_time_zone(organizer: Browser, client_a: Any) -> None:
    response = organizer.post("/manager/alpha/events/new/", GOOD)
    assert response.status_code == 302
    event = Event.objects.get()
    assert event.client == client_a
    assert event.starts_at.isoformat() == "2030-06-01T13:00:00+00:00"  # 09:00 EDT
    page = organizer.get(response["Location"])
    assert "Classe virtuelle" in page.content.decode()


@pytest.mark.parametrize(("change", "field"), [
    ({"ends_at": "2030-06-01T08:00"}, "ends_at"),
    ({"starts_at": "yesterday"}, "starts_at"),
    ({"room_url": "not a url"}, "room_url"),
    ({"title": ""}, "title"),
    ({"time_zone": "Mars/Olympus"}, "time_zone"),
])
def test_bad_event_input_is_explained_and_nothing_is_lost(organizer: Browser, change: dict,
                                                          field: str) -> None:
    data = dict(GOOD, **change)
    response = organizer.post("/manager/alpha/events/new/", data)
    html = response.content.decode()
    assert response.status_code == 400
    assert 'class="errorlist"' in html
    assert f'name="{field}"' in html
    assert "Module 1" in html  # what was typed in other fields is still there
    assert not Event.objects.exists()


def test_edit_and_publish(organizer: Browser, client_a: Any, make_event: Any) -> None:
    event = make_event(client_a, published=False)
    form = organizer.get(f"/manager/alpha/events/{event.pk}/edit/")
    assert form.status_code == 200 and event.title in form.content.decode()
    response = organizer.post(f"/manager/alpha/events/{event.pk}/edit/",
                              dict(GOOD, title="Nouveau titre"))
    assert response.status_code == 302
    organizer.post(f"/manager/alpha/events/{event.pk}/publish/")
    event.refresh_from_db()
    assert event.title == "Nouveau titre" and event.status == "published"


def test_registrations_are_listed_decrypted_for_the_client(organizer: Browser,
                                                           event_a: Any) -> None:
    register(event_a, email="lina@example.org", first_name="Lina", last_name="Haddad")
    html = organizer.get(f"/manager/alpha/events/{event_a.pk}/").content.decode()
    assert "lina@example.org" in html and "Haddad" in html


def test_publish_needs_post(organizer: Browser, event_a: Any) -> None:
    assert organizer.get(f"/manager/alpha/events/{event_a.pk}/publish/").status_code == 405


def test_api_token_is_shown_once_and_can_be_revoked(client_a: Any, owner_a: Any) -> None:
    browser = Browser()
    browser.force_login(owner_a)
    created = browser.post("/manager/alpha/tokens/", {"name": "CRM"})
    html = created.content.decode()
    token = ApiToken.objects.get(client=client_a)
    secret = html.split('class="secret">')[1].split("<")[0]
    assert secret.startswith(token.prefix)
    api = Browser(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api.get("/api/v1/events/").status_code == 200
    listing = browser.get("/manager/alpha/tokens/").content.decode()
    assert secret not in listing  # never shown again
    browser.post(f"/manager/alpha/tokens/{token.pk}/revoke/")
    assert api.get("/api/v1/events/").status_code == 401


def test_organizer_cannot_manage_tokens(organizer: Browser) -> None:
    assert organizer.get("/manager/alpha/tokens/").status_code == 403


def test_p3_3_session_is_short_and_cookie_is_httponly(client_a: Any, settings: Any) -> None:
    from tests.conftest import PASSWORD

    browser = Browser()
    response = browser.post("/accounts/login/", {"email": "owner@alpha.test",
                                                 "password": PASSWORD})
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"]
    assert settings.SESSION_COOKIE_AGE <= 3600 and settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


def test_wrong_password_says_what_to_do(client_a: Any) -> None:
    response = Browser(HTTP_ACCEPT_LANGUAGE="en").post(
        "/accounts/login/", {"email": "owner@alpha.test", "password": "wrong"})
    assert response.status_code == 400
    assert "Email or password is wrong" in response.content.decode()
    unknown = Browser(HTTP_ACCEPT_LANGUAGE="en").post(
        "/accounts/login/", {"email": "nobody@alpha.test", "password": "wrong"})
    assert unknown.content.decode().count("Email or password is wrong") == 1  # same answer


def test_login_redirect_refuses_other_hosts(client_a: Any) -> None:
    from tests.conftest import PASSWORD

    response = Browser().post("/accounts/login/?next=https://evil.example/",
                              {"email": "owner@alpha.test", "password": PASSWORD})
    assert response.status_code == 302 and "evil" not in response["Location"]
