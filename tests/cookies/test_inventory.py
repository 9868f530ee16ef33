"""The cookie inventory against real answers (issue 7 §1, §5; P7.1, P7.2): every Set-Cookie of
the main pages is declared, lives no longer than declared and never more than 13 months; the
declarations themselves are checked at start-up; the hash follows the declarations."""

from __future__ import annotations

import datetime as dt
from email.utils import parsedate_to_datetime
from typing import Any

import pytest
from django.core import checks
from django.test import Client as Browser
from django.urls import reverse

from livesession.cookies import inventory
from livesession.cookies.apps import lifetimes_check
from livesession.core.clock import now
from livesession.core.models import Client
from livesession.events.models import Event, RoomKind
from livesession.registrations.services import register
from tests.conftest import PASSWORD
from tests.cookies.conftest import CHROME_UA, IPV4, choose

PERSON = {"email": "walker@example.org", "first_name": "Walker", "last_name": "Tour"}


def _walk(browser: Browser, event: Event, open_event: Event, link: str, open_link: str,
          client: Client, owner: Any, operator: Any) -> list[Any]:
    """The main pages, as a visitor, a participant, a member, an operator and the API."""
    seen = []

    def get(url: str, **kw: Any) -> None:
        seen.append(browser.get(url, **kw))

    get("/")
    get(reverse("portal:event", args=[event.pk]))
    seen.append(browser.post(reverse("portal:event", args=[event.pk]), PERSON))
    get(reverse("portal:join", args=[link]))
    get(reverse("portal:join", args=[open_link]))  # the room: the device cookie
    get(reverse("portal:privacy"))
    get(reverse("cookies:settings"))
    seen.append(browser.post(reverse("set_language"), {"language": "en", "next": "/"}))
    get(reverse("api:consents-current"))
    get(reverse("accounts:login"))
    seen.append(browser.post(reverse("accounts:login"),
                             {"email": owner.email, "password": PASSWORD}))
    get(reverse("accounts:space"))
    get(reverse("manager:events", args=[client.slug]))
    get(reverse("manager:event", args=[client.slug, event.pk]))
    get(reverse("api:me-consents"))
    browser.logout()
    browser.force_login(operator)
    get(reverse("console:home"))
    get(reverse("console:audience"))
    return seen


def _check(responses: list[Any]) -> set[str]:
    declared = inventory.first_party_names()
    names = set()
    for response in responses:
        for name, morsel in response.cookies.items():
            names.add(name)
            assert name in declared, f"{name} is set by {response.wsgi_request.path} but " \
                                     "is not in cookies/inventory.py"
            tracker = declared[name]
            if morsel.value == "" or morsel["max-age"] == 0:
                continue  # a deletion
            if tracker.max_age is None:
                assert not morsel["max-age"] and not morsel["expires"], \
                    f"{name} is declared a browser-session cookie but has an expiry"
                continue
            assert morsel["max-age"], f"{name} has no max-age"
            age = int(morsel["max-age"])
            assert age <= tracker.max_age <= inventory.MAX_LIFETIME, name
            expires = parsedate_to_datetime(morsel["expires"])
            assert expires - now() <= dt.timedelta(seconds=tracker.max_age + 60), name
    return names


@pytest.fixture
def pages(client_a: Client, owner_a: Any, operator: Any, make_event: Any) -> dict[str, Any]:
    event = make_event(client_a)
    open_event = make_event(client_a, starts_in=dt.timedelta(minutes=-5),
                            title="Open room")
    Event.objects.filter(pk=open_event.pk).update(room_kind=RoomKind.EXTERNAL)
    open_event.refresh_from_db()
    return {"event": event, "open_event": open_event,
            "link": register(event, email="first@example.org", first_name="Ann",
                             last_name="First").token,
            "open_link": register(open_event, email="second@example.org", first_name="Bob",
                                  last_name="Second").token,
            "client": client_a, "owner": owner_a, "operator": operator}


def test_p7_1_p7_2_every_cookie_of_the_main_pages_is_declared_and_within_13_months(
        pages: dict[str, Any]) -> None:
    fresh = Browser(REMOTE_ADDR=IPV4, HTTP_USER_AGENT=CHROME_UA)
    names = _check(_walk(fresh, **pages))
    # What a visitor without a choice gets: only functional cookies (P2.3).
    functional = {str(t.name) for t in inventory.functional()}
    assert names <= functional, names - functional
    assert {"csrftoken", "sessionid", "ls_device", "django_language"} <= names

    accepted = Browser(REMOTE_ADDR=IPV4, HTTP_USER_AGENT=CHROME_UA)
    answer = choose(accepted, "accept")
    names = _check([answer, *_walk(accepted, **pages)])
    assert {inventory.CONSENT_COOKIE, inventory.AUDIENCE_COOKIE, "messages"} <= names


@pytest.mark.no_db
def test_p7_2_declared_lifetimes_are_checked_at_start_up(settings: Any) -> None:
    assert lifetimes_check() == []
    assert all(t.max_age is None or t.max_age <= inventory.MAX_LIFETIME
               for t in inventory.trackers())
    settings.CSRF_COOKIE_AGE = 400 * 24 * 3600  # over 13 months: refused at start-up
    found = lifetimes_check()
    assert [m.id for m in found] == ["cookies.E001"] and found[0].level == checks.ERROR
    assert "csrftoken" in found[0].msg


@pytest.mark.no_db
def test_p7_1_every_declaration_is_complete() -> None:
    seen = set()
    for tracker in inventory.trackers():
        assert tracker.key not in seen
        seen.add(tracker.key)
        assert tracker.purpose in inventory.PURPOSES
        assert str(tracker.why) and tracker.emitter_label and tracker.lifetime_label
    # P7.1: identification, personal space, audience (content improvement rides on it).
    assert {"identification", "audience"} <= {t.purpose for t in inventory.trackers()}
    assert {t.key for t in inventory.non_functional()} == {"audience", "room_player"}


@pytest.mark.no_db
def test_p7_1_the_hash_is_stable_and_follows_the_declarations(settings: Any) -> None:
    first = inventory.inventory_hash()
    assert first == inventory.inventory_hash() and len(first) == 64
    settings.CSRF_COOKIE_AGE = 30 * 24 * 3600
    assert inventory.inventory_hash() != first
