"""Templates and sends through the API (issue 4 §10)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as Browser

from livesession.api.services import create_token
from livesession.messaging.models import Campaign, MessageTemplate, OutboxMessage
from livesession.registrations import services as reg


@pytest.fixture
def api(client_a: Any) -> Browser:
    secret = create_token(client_a, "t", actor="t").secret
    return Browser(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE="en")


def _json(browser: Browser, method: str, url: str, body: Any = None) -> Any:
    return getattr(browser, method)(url, body, content_type="application/json")


def test_issue4_10_templates_list_get_put_delete(api: Browser, client_a: Any) -> None:
    listed = api.get("/api/v1/message-templates").json()
    assert len(listed) == 12 * 2 and not any(t["custom"] for t in listed)
    url = "/api/v1/message-templates/followup_absent/en"
    current = api.get(url).json()
    assert current["subject"] == "Sorry we missed you: {{ event_title }}"
    assert "{{ unsubscribe_link }}" in current["placeholders"]
    put = _json(api, "put", url, {"subject": "Missed you, {{ first_name }}",
                                  "body": "Replay: {{ replay_link }}\n{{ unsubscribe_link }}"})
    assert put.status_code == 200 and put.json()["custom"] is True
    assert MessageTemplate.objects.get(client=client_a).subject == "Missed you, {{ first_name }}"
    assert api.delete(url).status_code == 204
    assert api.get(url).json()["custom"] is False
    assert api.get("/api/v1/message-templates/nonsense/en").status_code == 404
    assert api.get("/api/v1/message-templates/reminder/de").status_code == 404


def test_issue4_10_template_validation_errors_name_the_placeholders(api: Browser) -> None:
    answer = _json(api, "put", "/api/v1/message-templates/reminder/fr",
                   {"subject": "Rappel {{ event_title", "body": "{{ unsubscribe_link }}"})
    assert answer.status_code == 400
    errors = answer.json()["errors"]
    assert "{{ unsubscribe_link }}" in errors["body"][0] and "{{ join_link }}" in errors["body"][0]
    assert set(errors) == {"subject", "body"}
    assert not MessageTemplate.objects.exists()


def test_issue4_10_preview_with_sample_values(api: Browser) -> None:
    answer = _json(api, "post", "/api/v1/message-templates/waitlisted/en/preview",
                   {"body": "Hi {{ first_name }}, you are number {{ position }}."})
    assert answer.status_code == 200
    assert answer.json()["body"] == "Hi Camille, you are number 3.\n"
    assert answer.json()["subject"] == "Waiting list: Sample event"
    bad = _json(api, "post", "/api/v1/message-templates/waitlisted/en/preview",
                {"body": "{{ note }}"})
    assert bad.status_code == 400 and "body" in bad.json()["errors"]


def test_issue4_10_settings_sends_and_statuses(api: Browser, event_a: Any,
                                              django_capture_on_commit_callbacks: Any) -> None:
    base = f"/api/v1/events/{event_a.pk}"
    settings = _json(api, "put", f"{base}/message-settings",
                     {"reminder_offsets": [60, 2880], "followup_enabled": False})
    assert settings.json() == {"reminder_offsets": [2880, 60], "followup_enabled": False}
    assert _json(api, "put", f"{base}/message-settings",
                 {"reminder_offsets": [1], "followup_enabled": True}).status_code == 400
    made = reg.register(event_a, email="ann@example.org", first_name="Ann", last_name="Lee",
                        language="en")
    texts = {"segment": "registered", "subject_fr": "Merci", "body_fr": "Bonjour",
             "subject_en": "Thanks", "body_en": "Hi {{ first_name }}"}
    with django_capture_on_commit_callbacks(execute=True):
        created = _json(api, "post", f"{base}/sends", texts)
    assert created.status_code == 202
    listed = api.get(f"{base}/sends").json()
    assert [(s["segment"], s["status"], s["total"], s["queued"]) for s in listed] == [
        ("registered", "done", 1, 1)]
    bad = _json(api, "post", f"{base}/sends", {**texts, "segment": "everyone"})
    assert bad.status_code == 400 and "segment" in bad.json()["errors"]
    assert Campaign.objects.count() == 1
    statuses = api.get(f"{base}/messages").json()
    assert {s["kind"] for s in statuses} == {"registration.confirmation", "segment"}
    assert all(s["registration"] == str(made.registration.pk) for s in statuses)
    assert made.token not in api.get(f"{base}/messages").content.decode()  # no bodies
    only = api.get(f"{base}/messages", {"kind": "segment"}).json()
    assert [s["kind"] for s in only] == ["segment"]
    assert OutboxMessage.objects.get(kind="segment").subject_line == "Thanks"
