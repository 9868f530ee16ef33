"""Public event page and registration form: bad input, closed events, no enumeration
(issue 2 "Bad input", P0.3)."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

import pytest
from django.test import Client as Browser

from livesession.access.models import AccessLink
from livesession.messaging.models import OutboxMessage
from livesession.registrations.models import Registration


def test_p0_3_form_links_the_privacy_notice_and_stores_nothing_before_submit(
        event_a: Any) -> None:
    page = Browser().get(f"/e/{event_a.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'href="/privacy/"' in html
    boxes = re.findall(r'<input type="checkbox"[^>]*>', html)
    assert boxes, "the optional purposes are offered"
    assert not [box for box in boxes if "checked" in box]  # nothing pre-ticked (P2.3)
    assert not Registration.objects.exists()


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"email": "", "first_name": "A", "last_name": "B"}, "email", "adresse"),
    ({"email": "nope", "first_name": "A", "last_name": "B"}, "email", "name@example.org"),
    ({"email": "a@example.org", "first_name": "", "last_name": "B"}, "first_name", "prénom"),
    ({"email": "a@example.org", "first_name": "A", "last_name": ""}, "last_name", "nom"),
])
def test_bad_input_keeps_what_was_typed_and_names_the_field(event_a: Any, data: dict,
                                                            field: str, message: str) -> None:
    response = Browser().post(f"/e/{event_a.pk}/", data)
    html = response.content.decode()
    assert response.status_code == 400
    assert 'role="alert"' in html and message in html
    for value in data.values():
        if value:
            assert f'value="{value}"' in html  # nothing typed is lost
    assert not Registration.objects.exists()


def test_errors_in_english_when_the_visitor_reads_english(event_a: Any) -> None:
    response = Browser(HTTP_ACCEPT_LANGUAGE="en").post(
        f"/e/{event_a.pk}/", {"email": "nope", "first_name": "A", "last_name": "B"})
    assert "Enter a valid email address" in response.content.decode()


def test_registering_twice_answers_the_same_and_resends_the_same_link(event_a: Any) -> None:
    data = {"email": "zoe@example.org", "first_name": "Zoé", "last_name": "Petit"}
    first = Browser().post(f"/e/{event_a.pk}/", data)
    second = Browser().post(f"/e/{event_a.pk}/", dict(data, email="ZOE@example.org"))
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Registration.objects.count() == 1 and AccessLink.objects.count() == 1
    bodies = [m.body for m in OutboxMessage.objects.order_by("id")]
    assert len(bodies) == 2
    link = AccessLink.objects.get().token
    assert all(link in body for body in bodies)


def test_unknown_event_404_draft_404_closed_says_so(client_a: Any, make_event: Any) -> None:
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
    assert browser.get(f"/e/{uuid.uuid4()}/").status_code == 404
    assert browser.get(f"/e/{make_event(client_a, published=False).pk}/").status_code == 404
    past = make_event(client_a, starts_in=-dt.timedelta(days=3))
    page = browser.get(f"/e/{past.pk}/")
    assert page.status_code == 200
    assert "Registrations to this event are closed." in page.content.decode()
    assert "<form method=\"post\" novalidate>" not in page.content.decode()
    post = browser.post(f"/e/{past.pk}/", {"email": "a@example.org", "first_name": "A",
                                            "last_name": "B"})
    assert post.status_code == 409 and not Registration.objects.exists()


def test_csrf_is_enforced_on_the_public_form(event_a: Any) -> None:
    browser = Browser(enforce_csrf_checks=True)
    response = browser.post(f"/e/{event_a.pk}/", {"email": "a@example.org",
                                                  "first_name": "A", "last_name": "B"})
    assert response.status_code == 403 and not Registration.objects.exists()


def test_revoked_link_answers_404(event_a: Any) -> None:
    from livesession.access.services import revoke
    from livesession.registrations.services import register

    made = register(event_a, email="r@example.org", first_name="R", last_name="S")
    browser = Browser()
    assert browser.get(f"/j/{made.token}/").status_code == 200
    revoke(made.registration)
    assert browser.get(f"/j/{made.token}/").status_code == 404


def test_waiting_page_never_leaks_the_token_in_referer(event_a: Any) -> None:
    from livesession.registrations.services import register

    made = register(event_a, email="w@example.org", first_name="W", last_name="X")
    page = Browser().get(f"/j/{made.token}/")
    assert page["Referrer-Policy"] == "same-origin"
    assert "no-cache" in page["Cache-Control"] or "no-store" in page["Cache-Control"]


def test_unpublished_event_page_says_so_without_showing_the_draft(client_a: Any,
                                                                  make_event: Any) -> None:
    draft = make_event(client_a, published=False, title="Secret draft")
    page = Browser(HTTP_ACCEPT_LANGUAGE="en").get(f"/e/{draft.pk}/")
    html = page.content.decode()
    assert page.status_code == 404
    assert "Event not published" in html
    assert "Secret draft" not in html and client_a.name not in html


def test_p6_5_token_paths_and_addresses_are_masked_in_logs() -> None:
    import logging

    from livesession.core.logging import RedactPersonalData

    record = logging.LogRecord("django.request", logging.ERROR, __file__, 1,
                               "Internal Server Error: %s for %s", ("/j/AbC_123-x/", "a@b.org"),
                               None)
    RedactPersonalData().filter(record)
    text = record.getMessage()
    assert "AbC_123-x" not in text and "a@b.org" not in text
    assert "/j/<token>/" in text


def test_p1_1_page_refuses_an_answer_to_a_field_not_collected(event_a: Any) -> None:
    response = Browser(HTTP_ACCEPT_LANGUAGE="en").post(
        f"/e/{event_a.pk}/", {"email": "x@example.org", "first_name": "X", "last_name": "Y",
                              "mobile_phone": "0612345678"})
    assert response.status_code == 400
    assert "This event does not collect this field" in response.content.decode()
    assert not Registration.objects.exists()
