"""Organizer API over registrants, questions, form scope and purposes (issue 3 §12)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as Browser

from livesession.api.services import create_token
from livesession.events.services import update_event
from livesession.registrations.models import CustomField, Registration


@pytest.fixture
def api(client_a: Any) -> Browser:
    return Browser(HTTP_AUTHORIZATION=f"Bearer {create_token(client_a, 't', actor='t').secret}")


def _json(browser: Browser, method: str, url: str, body: Any = None) -> Any:
    return getattr(browser, method)(url, body, content_type="application/json")


def test_questions_scope_and_registration_with_answers(api: Browser, event_a: Any) -> None:
    base = f"/api/v1/events/{event_a.pk}"
    made = _json(api, "post", f"{base}/questions", {
        "key": "level", "kind": "single_choice", "label_fr": "Niveau", "label_en": "Level",
        "options": ["Débutant", "Expert"], "required": True, "purpose": "adapt the content"})
    assert made.status_code == 201, made.content
    scope = _json(api, "put", f"{base}/form", {
        "job_function": {"enabled": True, "required": False, "purpose": "statistics"}})
    assert scope.status_code == 200 and scope.json()["job_function"]["enabled"]
    public = Browser().post(f"{base}/registrations", {
        "email": "ines@example.org", "first_name": "Inès", "last_name": "Roy",
        "job_function": "DSI", "answers": {"level": "Expert"}, "consents": ["attendee_list"]},
        content_type="application/json")
    assert public.status_code == 202, public.content
    page = api.get(f"{base}/registrants").json()
    assert page["next_cursor"] is None
    (row,) = page["results"]
    assert row["email"] == "ines@example.org" and row["answers"] == {"level": "Expert"}
    assert row["job_function"] == "DSI"
    questions = api.get(f"{base}/questions").json()
    assert [q["key"] for q in questions] == ["level"]


def test_p1_4_sensitive_question_refused_by_the_api(api: Browser, event_a: Any) -> None:
    response = _json(api, "post", f"/api/v1/events/{event_a.pk}/questions", {
        "key": "health", "kind": "long_text", "label_fr": "Problèmes de santé",
        "label_en": "Health issues", "purpose": "care"})
    assert response.status_code == 400
    assert {"label_fr", "label_en"} & set(response.json()["errors"])
    assert not CustomField.objects.exists()


def test_approve_deny_cancel_and_pagination(api: Browser, event_a: Any) -> None:
    event = update_event(event_a, actor="t", approval_required=True, capacity=150)
    for i in range(120):
        assert _json(api, "post", f"/api/v1/events/{event.pk}/registrations",
                     {"email": f"p{i}@example.org", "first_name": "P", "last_name": str(i)}
                     ).status_code == 202
    first = api.get(f"/api/v1/events/{event.pk}/registrants?status=pending_approval").json()
    assert len(first["results"]) == 100 and first["next_cursor"]
    second = api.get(f"/api/v1/events/{event.pk}/registrants?status=pending_approval"
                     f"&cursor={first['next_cursor']}").json()
    assert len(second["results"]) == 20 and second["next_cursor"] is None
    ids = [r["id"] for r in first["results"] + second["results"]]
    assert len(set(ids)) == 120
    approved = _json(api, "post", f"/api/v1/registrations/{ids[0]}/approve")
    assert approved.status_code == 200 and approved.json()["status"] == "confirmed"
    denied = _json(api, "post", f"/api/v1/registrations/{ids[1]}/deny", {"message": "Complet"})
    assert denied.json()["status"] == "denied"
    assert _json(api, "post", f"/api/v1/registrations/{ids[1]}/approve").status_code == 409
    cancelled = _json(api, "post", f"/api/v1/registrations/{ids[0]}/cancel")
    assert cancelled.json()["status"] == "cancelled"
    assert api.get(f"/api/v1/events/{event.pk}/registrants?status=bogus").status_code == 400
    assert api.get(f"/api/v1/events/{event.pk}/registrants?cursor=nope").status_code == 400


def test_rectify_and_add_by_hand(api: Browser, event_a: Any) -> None:
    added = _json(api, "post", f"/api/v1/events/{event_a.pk}/registrants",
                  {"email": "hand@example.org", "first_name": "Hand", "last_name": "Made"})
    assert added.status_code == 201 and added.json()["channel"] == "manager"
    rid = added.json()["id"]
    fixed = _json(api, "patch", f"/api/v1/registrations/{rid}", {"last_name": "Fait"})
    assert fixed.status_code == 200 and fixed.json()["last_name"] == "Fait"
    bad = _json(api, "patch", f"/api/v1/registrations/{rid}", {"mobile_phone": "0600000000"})
    assert bad.status_code == 400 and "mobile_phone" in bad.json()["errors"]
    again = _json(api, "post", f"/api/v1/events/{event_a.pk}/registrants",
                  {"email": "HAND@example.org", "first_name": "H", "last_name": "M"})
    assert again.status_code == 409
    assert Registration.objects.count() == 1


def test_idempotency_key_repeats_the_first_answer(event_a: Any) -> None:
    public = Browser()
    url = f"/api/v1/events/{event_a.pk}/registrations"
    body = {"email": "retry@example.org", "first_name": "Re", "last_name": "Try"}
    first = public.post(url, body, content_type="application/json",
                        HTTP_IDEMPOTENCY_KEY="abc-123")
    second = public.post(url, body, content_type="application/json",
                         HTTP_IDEMPOTENCY_KEY="abc-123")
    assert first.status_code == second.status_code == 202
    assert first.json() == second.json()
    from livesession.messaging.models import OutboxMessage

    assert OutboxMessage.objects.count() == 1  # the retry sent nothing more
    bad = public.post(url, {"email": "x"}, content_type="application/json",
                      HTTP_IDEMPOTENCY_KEY="k2")
    again = public.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k2")
    assert bad.status_code == again.status_code == 400  # the key replays the first answer


def test_purposes_api(api: Browser) -> None:
    listed = api.get("/api/v1/consent-purposes").json()
    assert {p["key"] for p in listed} == {"organizer_news", "attendee_list"}
    added = _json(api, "post", "/api/v1/consent-purposes",
                  {"key": "partners", "label_fr": "Partager avec nos partenaires",
                   "label_en": "Share with our partners"})
    assert added.status_code == 201
    sensitive = _json(api, "post", "/api/v1/consent-purposes",
                      {"key": "faith", "label_fr": "Votre religion", "label_en": "Your religion"})
    assert sensitive.status_code == 400


def test_a_question_without_a_key_gets_one_made_from_its_label(api: Browser,
                                                               event_a: Any) -> None:
    """The key is still accepted when given; left out, it is made and kept."""
    base = f"/api/v1/events/{event_a.pk}/questions"
    made = _json(api, "post", base, {
        "kind": "single_choice", "label_fr": "Niveau d'expérience", "label_en": "Level",
        "options": ["Débutant", "Expert"], "purpose": "adapt the content"})
    assert made.status_code == 201, made.content
    assert made.json()["key"] == "niveau_d_experience"
    renamed = _json(api, "patch", f"{base}/{made.json()['id']}", {"label_fr": "Niveau"})
    assert renamed.status_code == 200 and renamed.json()["key"] == "niveau_d_experience"
    given = _json(api, "post", base, {
        "key": "level", "kind": "short_text", "label_fr": "Niveau", "label_en": "Level",
        "purpose": "adapt the content"})
    assert given.status_code == 201 and given.json()["key"] == "level"
