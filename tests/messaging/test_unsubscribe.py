"""Unsubscribe links that work without signing in (issue 4 §7, RFC 8058)."""

from __future__ import annotations

from typing import Any

from django.test import Client as Browser

from livesession.messaging.models import Unsubscribe
from livesession.messaging.unsubscribe import make_token, read_token, url_for
from livesession.registrations import services as reg


def _person(event: Any) -> Any:
    return reg.register(event, email="ann@example.org", first_name="Ann", last_name="Lee",
                        language="en").registration


def _path(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def test_issue4_7_page_confirms_then_unsubscribes_without_signing_in(event_a: Any) -> None:
    person = _person(event_a)
    path = _path(url_for(event_a.client_id, person.subject_id))
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en", enforce_csrf_checks=True)
    page = browser.get(path)
    assert page.status_code == 200 and page["Referrer-Policy"] == "same-origin"
    assert event_a.client.name in page.content.decode()
    assert not Unsubscribe.objects.exists()  # a GET (a link scanner) changes nothing
    done = browser.post(path)
    assert done.status_code == 200 and "Done" in done.content.decode()
    assert Unsubscribe.objects.filter(client=event_a.client,
                                      subject_id=person.subject_id).count() == 1
    assert "already" in browser.get(path).content.decode()
    assert browser.post(path).status_code == 200  # twice: still one row
    assert Unsubscribe.objects.count() == 1


def test_issue4_7_rfc8058_one_click_post_needs_no_csrf_token(event_a: Any) -> None:
    person = _person(event_a)
    path = _path(url_for(event_a.client_id, person.subject_id))
    mail_client = Browser(enforce_csrf_checks=True)  # no cookie, no form token
    answer = mail_client.post(path, "List-Unsubscribe=One-Click",
                              content_type="application/x-www-form-urlencoded")
    assert answer.status_code == 200
    assert Unsubscribe.objects.filter(subject_id=person.subject_id).exists()


def test_issue4_7_forged_or_altered_tokens_are_404(event_a: Any, client_b: Any) -> None:
    person = _person(event_a)
    token = make_token(event_a.client_id, person.subject_id)
    assert read_token(token) == (event_a.client_id, person.subject_id)
    browser = Browser(enforce_csrf_checks=True)
    for bad in (token[:-2] + "xx", "nonsense", token.replace(token[0], "A", 1) + "a"):
        assert browser.post(f"/u/{bad}/").status_code == 404
    assert not Unsubscribe.objects.exists()


def test_issue4_7_unsubscribe_is_per_client(event_a: Any, event_b: Any) -> None:
    """Leaving client A's messages says nothing about client B's."""
    from livesession.messaging.unsubscribe import is_unsubscribed

    person = _person(event_a)
    other = _person(event_b)
    Browser().post(_path(url_for(event_a.client_id, person.subject_id)))
    assert is_unsubscribed(event_a.client_id, person.subject_id)
    assert not is_unsubscribed(event_b.client_id, other.subject_id)
