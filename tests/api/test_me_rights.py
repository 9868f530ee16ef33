"""The participant's own export and erasure through the API (issue 5 §11; P4.1, P4.3):
the signed-in session only, CSRF enforced on the erasure, the password asked again."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from django.test import Client as Browser
from django.urls import reverse

from livesession.accounts import services
from livesession.accounts.models import User
from livesession.api.services import create_token
from livesession.audit.models import AuditEntry
from livesession.core.models import Client
from livesession.events.models import Event
from livesession.protection import access_export
from livesession.registrations.models import Registration
from livesession.registrations.services import register
from tests.accounts.conftest import PASSWORD, make_participant  # noqa: F401 - fixture

PIA = "pia@example.org"
EXPORT = "/api/v1/me/export"
ERASE = "/api/v1/me/erase"


@pytest.fixture
def pia(event_a: Event, event_b: Event, make_participant: Any) -> User:  # noqa: F811
    user = make_participant(PIA, "Pia", "Lindqvist")
    register(event_a, email=PIA, first_name="Pia", last_name="Lindqvist")
    register(event_b, email=PIA, first_name="Pia", last_name="Lindqvist")
    services.claim_registrations(user)
    return user


def _signed_in() -> Browser:
    """A browser whose session is signed in as Pia and that checks CSRF as browsers are
    checked (Django's test client skips the check unless told)."""
    browser = Browser(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(User.objects.get(email_index=_index(PIA)))
    return browser


def _index(email: str) -> str:
    from livesession.protection.crypto import email_index

    return email_index(email)


def _csrf(browser: Browser) -> str:
    """The CSRF cookie a page of the site sets, as a script would read it."""
    browser.get(reverse("accounts:space"))
    return browser.cookies["csrftoken"].value


def test_urls_are_the_documented_ones() -> None:
    assert reverse("api:me-export") == EXPORT and reverse("api:me-erase") == ERASE


@pytest.mark.parametrize("method,url", [("get", EXPORT), ("post", ERASE)])
def test_p4_1_anonymous_is_refused_with_a_clear_message(method: str, url: str,
                                                        pia: User) -> None:
    response = getattr(Browser(HTTP_ACCEPT_LANGUAGE="en"), method)(
        url, {"password": PASSWORD, "scope": "everything"}, content_type="application/json")
    assert response.status_code in {401, 403}
    assert "Sign in first" in response.json()["detail"]
    assert User.objects.filter(pk=pia.pk).exists()


def test_p4_1_a_client_token_is_not_a_person(pia: User, client_a: Client) -> None:
    secret = create_token(client_a, "t", actor="test").secret
    response = Browser(HTTP_AUTHORIZATION=f"Bearer {secret}").get(EXPORT)
    assert response.status_code in {401, 403}


def test_p4_1_export_is_the_personal_space_archive(pia: User, client_a: Client,
                                                   client_b: Client) -> None:
    response = _signed_in().get(EXPORT)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "no-store" in response["Cache-Control"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    document = json.loads(archive.read("data.json"))
    assert document["person"] == {"account": f"account:{pia.pk}"}
    assert [g["id"] for g in document["controllers"]] == [
        "operator", f"client:{client_a.pk}", f"client:{client_b.pk}"]
    # the same content as the personal space's collection
    expected = access_export.collect(pia)
    assert [[c["model"] for c in g["categories"]] for g in document["controllers"]] == [
        [c["model"] for c in g["categories"]] for g in expected["controllers"]]
    entry = AuditEntry.objects.filter(action="access_export.downloaded").latest("id")
    assert entry.target == f"account:{pia.pk}" and entry.details["via"] == "api"


def test_p4_3_erase_needs_the_csrf_token(pia: User) -> None:
    browser = _signed_in()
    refused = browser.post(ERASE, {"password": PASSWORD, "scope": "everything"},
                           content_type="application/json")
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    assert User.objects.filter(pk=pia.pk).exists()


def test_p4_3_erase_needs_the_password(pia: User) -> None:
    browser = _signed_in()
    token = _csrf(browser)
    wrong = browser.post(ERASE, {"password": "not my password", "scope": "everything"},
                         content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert wrong.status_code == 400
    assert wrong.json()["errors"]["password"] == ["This is not your password."]
    bad_scope = browser.post(ERASE, {"password": PASSWORD, "scope": "somewhere"},
                             content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert bad_scope.status_code == 400 and "scope" in bad_scope.json()["errors"]
    assert User.objects.filter(pk=pia.pk).exists()
    assert Registration.objects.count() == 2


def test_p4_3_erase_at_one_organizer_then_again(pia: User, client_a: Client,
                                                event_b: Event) -> None:
    browser = _signed_in()
    token = _csrf(browser)
    body = {"password": PASSWORD, "scope": str(client_a.pk)}
    done = browser.post(ERASE, body, content_type="application/json",
                        HTTP_X_CSRFTOKEN=token)
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "erased" and done.json()["counts"]["keys"] == 1
    assert not Registration.objects.filter(client=client_a).exists()
    assert Registration.objects.filter(event=event_b).exists()
    again = browser.post(ERASE, body, content_type="application/json",
                         HTTP_X_CSRFTOKEN=token)
    assert again.status_code == 200 and again.json()["status"] == "nothing_to_erase"
    # still signed in: the account stays
    assert browser.get(EXPORT).status_code == 200


def test_p4_3_erase_everything_signs_out(pia: User) -> None:
    browser = _signed_in()
    token = _csrf(browser)
    done = browser.post(ERASE, {"password": PASSWORD, "scope": "everything"},
                        content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "erased"
    assert not User.objects.filter(pk=pia.pk).exists()
    assert Registration.objects.count() == 0
    assert browser.get(EXPORT).status_code in {401, 403}
