"""The personal space answers only to its own account (P0.2, P1.5, P6.1): every URL of
kind "account" in the tenancy inventory sends anonymous visitors to sign in and changes
nothing; a participant never sees another person's registrations or profile."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.conf import settings
from django.test import Client as Browser
from django.urls import reverse

from livesession.accounts import services
from livesession.accounts.models import User
from livesession.core.models import Client
from livesession.events.models import Event
from livesession.registrations.services import register
from tests.accounts.conftest import sign_in
from tests.tenancy_inventory import ACCOUNT, INVENTORY, no_kwargs

ACCOUNT_URLS = sorted(name for name, route in INVENTORY.items() if ACCOUNT in route.kinds)
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _url(name: str) -> str:
    """Account URLs carry no id; a few carry a signed token (a forged one here)."""
    route = INVENTORY[name]
    if route.kwargs is no_kwargs:
        return reverse(name)
    return reverse(name, kwargs=route.kwargs(SimpleNamespace(slug="none")))  # type: ignore[arg-type]


def _send(browser: Browser, name: str, method: str) -> Any:
    url = _url(name)
    if method == "GET":
        return browser.get(url)
    if method == "POST":
        return browser.post(url, INVENTORY[name].body)
    return browser.generic(method, url)


def _state(user: User) -> tuple[Any, ...]:
    user.refresh_from_db()
    return (user.password, user.first_name, user.city, user.sharing_choices.count(),
            user.signed_in_sessions.count())


def test_the_personal_space_has_its_urls() -> None:
    assert {"accounts:space", "accounts:profile", "accounts:not-me"} <= set(ACCOUNT_URLS)


@pytest.mark.parametrize("name", ACCOUNT_URLS)
def test_p1_5_anonymous_visitors_are_sent_to_sign_in(name: str, make_participant: Any) -> None:
    someone = make_participant("someone@example.org", "Some", "One")
    sign_in("someone@example.org")
    before = _state(someone)
    login = reverse("accounts:login")
    for method in METHODS:
        response = _send(Browser(), name, method)
        if method in INVENTORY[name].methods:
            assert response.status_code == 302, (method, name, response.status_code)
            assert response["Location"].startswith(login + "?next=")
        else:
            assert response.status_code in {302, 405}, (method, name, response.status_code)
    assert _state(someone) == before


@pytest.fixture
def two_people(event_a: Event, event_b: Event, make_event: Any, client_a: Client,
               make_participant: Any) -> tuple[User, User, tuple[str, ...]]:
    """Pia (registered at A and B) and Quentin (at A, to an event of his own). Returns
    what of Quentin must never show on Pia's pages."""
    pia = make_participant("pia@example.org", "Pia", "Lindqvist")
    quentin = make_participant("quentin@example.org", "Quentinus", "Marchetti")
    services.update_profile(quentin, first_name="Quentinus", last_name="Marchetti",
                            city="Quimperlé", mobile_phone="+33 7 99 88 77 66")
    for event in (event_a, event_b):
        register(event, email="pia@example.org", first_name="Pia", last_name="Lindqvist")
    private = make_event(client_a, title="Quentin's private workshop")
    register(private, email="quentin@example.org", first_name="Quentinus",
             last_name="Marchetti")
    for person in (pia, quentin):
        services.claim_registrations(person)
    return pia, quentin, ("quentin@example.org", "Quentinus", "Marchetti", "Quimperlé",
                          "+33 7 99 88 77 66", "Quentin&#x27;s private workshop")


@pytest.mark.parametrize("name", ACCOUNT_URLS)
def test_p0_2_a_participant_never_sees_another_persons_data(
        name: str, two_people: tuple[User, User, tuple[str, ...]]) -> None:
    _pia, quentin, markers = two_people
    browser, _r = sign_in("pia@example.org")
    before = _state(quentin)
    for method in INVENTORY[name].methods:
        if (name, method) == ("accounts:not-me", "POST"):
            continue  # ends Pia's own sessions: covered by test_sessions
        response = _send(browser, name, method)
        # a forged token (URLs that carry one) answers its clear 404 page
        allowed = {200, 302, 400} | ({404} if INVENTORY[name].kwargs is not no_kwargs else set())
        assert response.status_code in allowed, (method, name, response.status_code)
        text = response.content.decode()
        assert not [m for m in markers if m in text], (method, name)
    assert _state(quentin) == before


def test_p0_2_the_space_lists_my_registrations_with_title_date_and_link(
        two_people: tuple[User, User, tuple[str, ...]], event_a: Event, event_b: Event) -> None:
    _pia, _quentin, markers = two_people
    browser, _r = sign_in("pia@example.org")
    page = browser.get("/me/").content.decode()
    assert event_a.title in page and event_b.client.name in page
    assert f"{settings.SITE_URL}/j/" in page  # each registration's personal access link
    assert not [m for m in markers if m in page]
    quentin_page = sign_in("quentin@example.org")[0].get("/me/").content.decode()
    assert "Quentin&#x27;s private workshop" in quentin_page  # the check above can fail


def test_p1_5_profile_form_names_errors_keeps_input_and_saves(make_participant: Any) -> None:
    user = make_participant("pia@example.org", "Pia", "Lindqvist")
    browser, _r = sign_in("pia@example.org")
    assert 'value="Pia"' in browser.get("/me/profile/").content.decode()
    bad = browser.post("/me/profile/", {"first_name": "Pia", "last_name": "",
                                        "mobile_phone": "call me", "city": "Lund",
                                        "postal_code": "??", "job_function": "Chemist"})
    assert bad.status_code == 400
    html = bad.content.decode()
    assert 'value="call me"' in html and 'value="Lund"' in html
    assert html.count('class="errorlist"') == 3
    user.refresh_from_db()
    assert user.city == ""
    good = browser.post("/me/profile/", {"first_name": "Pia", "last_name": "Lindqvist",
                                         "mobile_phone": "+46 70 123 45 67", "city": "Lund",
                                         "postal_code": "223 50", "job_function": "Chemist"})
    assert good.status_code == 302
    user.refresh_from_db()
    assert (user.city, user.mobile_phone, user.postal_code) == ("Lund", "+46 70 123 45 67",
                                                                 "223 50")
    # Stored sealed: the column holds no clear text.
    assert "Lund" not in user.city_enc


def test_p3_4_a_member_of_a_client_sees_no_participant_in_their_own_space(
        two_people: tuple[User, User, tuple[str, ...]], owner_a: User) -> None:
    browser = Browser()
    browser.force_login(owner_a)
    page = browser.get("/me/").content.decode()
    assert "Pia" not in page and "Quentinus" not in page
