"""Per-client templates with a safe placeholder syntax (issue 4 §7, first point)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from livesession.messaging import defaults, templating
from livesession.messaging.models import MessageKind, MessageTemplate, OutboxMessage
from livesession.messaging.services import save_template
from livesession.registrations import services as reg


def test_issue4_7_placeholders_are_substituted_as_plain_text() -> None:
    values = {"first_name": "{{ last_name }}<b>", "event_title": "A {% now %} B"}
    out = templating.render("Hi {{first_name}}, {{ event_title }}!", values)
    # Values are never interpreted again: no second pass, no template tags, no escaping.
    assert out == "Hi {{ last_name }}<b>, A {% now %} B!"


def test_issue4_7_empty_value_takes_its_space_before_punctuation() -> None:
    assert templating.render("Bonjour {{ first_name }},", {"first_name": ""}) == "Bonjour,"
    assert templating.render("Bonjour {{ first_name }} !", {}) == "Bonjour  !"
    assert templating.render_body("A\n\n{{ note }}\n\nB", {}) == "A\n\nB\n"


@pytest.mark.no_db
def test_issue4_7_unknown_placeholder_is_refused_naming_it_and_the_allowed_ones() -> None:
    with pytest.raises(ValidationError) as exc:
        templating.validate("denied", "Hello {{ first_name }}", "Link: {{ join_link }} {{ x }}")
    errors = exc.value.message_dict
    assert "{{ join_link }}" in errors["body"][0] and "{{ x }}" in errors["body"][0]
    assert "{{ note }}" in errors["body"][0]  # the allowed list for a denial
    assert "subject" not in errors


@pytest.mark.no_db
@pytest.mark.parametrize("text", ["Hi {{ first_name }", "Hi {{ first_name", "x }} y",
                                  "{{ first name }}", "{{}}", "{{ event_title }} }}"])
def test_issue4_7_unbalanced_braces_are_refused(text: str) -> None:
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        templating.validate("confirmation", "S", text)
    assert any("brace" in m.lower() or "placeholder" in m.lower()
               for m in exc.value.message_dict["body"])


@pytest.mark.no_db
def test_issue4_7_single_braces_are_plain_text() -> None:
    templating.validate("confirmation", "S {x}", "Prix : {15 €} {{ event_title }}")


@pytest.mark.parametrize("kind", [k.value for k in MessageKind])
@pytest.mark.parametrize("language", ["fr", "en"])
def test_issue4_7_every_builtin_default_is_a_valid_template(kind: str, language: str) -> None:
    subject, body = defaults.default(kind, language)
    templating.validate(kind, subject, body)
    for variant in ({"note": False}, {"replay": False}):
        templating.validate(kind, subject, defaults.default(kind, language, **variant)[1])


def test_issue4_7_builtin_defaults_are_translated() -> None:
    french = defaults.default("confirmation", "fr")[0]
    assert french.startswith("Votre inscription") and french.endswith(": {{ event_title }}")
    assert defaults.default("confirmation", "en")[0] == "Your registration: {{ event_title }}"


def test_issue4_7_client_template_words_the_confirmation_in_the_registration_language(
        event_a: Any, client_b: Any) -> None:
    save_template(event_a.client, "confirmation", "en", actor="t",
                  subject="Welcome {{ first_name }} to {{ event_title }}",
                  body="See you at {{ event_start }} ({{ time_zone }}).\n{{ join_link }}")
    # Another client's template never applies.
    save_template(client_b, "confirmation", "fr", actor="t", subject="B {{ event_title }}",
                  body="B")
    made = reg.register(event_a, email="ann@example.org", first_name="Ann", last_name="Lee",
                        language="en")
    reg.register(event_a, email="zoe@example.org", first_name="Zoé", last_name="Roy",
                 language="fr")
    english, french = OutboxMessage.objects.order_by("id")
    assert english.subject_line == f"Welcome Ann to {event_a.title}"
    assert made.token in english.body and "(Europe/Paris)" in english.body
    assert french.subject_line.startswith("Votre inscription")  # the default
    assert french.subject_line.endswith(f": {event_a.title}")
    assert english.kind == french.kind == "registration.confirmation"


def test_issue4_7_saving_a_bad_template_stores_nothing(client_a: Any) -> None:
    with pytest.raises(ValidationError):
        save_template(client_a, "reminder", "fr", actor="t", subject="{{ event_title }}",
                      body="{{ unsubscribe_link }}")  # reminders are transactional
    assert not MessageTemplate.objects.exists()


def test_issue4_7_saving_again_updates_the_one_template(client_a: Any) -> None:
    for text in ("One {{ event_title }}", "Two {{ event_title }}"):
        save_template(client_a, "reminder", "fr", actor="t", subject=text, body=text)
    assert MessageTemplate.objects.get().subject == "Two {{ event_title }}"


def test_issue4_7_denial_note_approval_and_promotion_use_their_kinds(event_a: Any) -> None:
    from livesession.events.services import update_event

    event = update_event(event_a, actor="t", approval_required=True, capacity=1)
    first = reg.register(event, email="a@example.org", first_name="A", last_name="A",
                         language="en").registration
    second = reg.register(event, email="b@example.org", first_name="Bea", last_name="B",
                          language="en").registration
    reg.approve(first, actor="t")
    reg.deny(second, note="Members only; sorry.", actor="t")
    approved = OutboxMessage.objects.get(kind="registration.approved")
    assert "approved your registration" in approved.body
    assert approved.attachment_name == "invite.ics"
    denied = OutboxMessage.objects.get(kind="registration.denied")
    assert denied.body.startswith("Hello Bea,\n") and "Members only; sorry." in denied.body
    reg.cancel(first, actor="t", by_participant=False)
    cancelled = OutboxMessage.objects.get(kind="registration.cancelled")
    assert "The organizer cancelled it." in cancelled.body
