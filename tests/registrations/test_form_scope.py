"""Form scope and custom fields (P1.1, P1.2): what is not enabled is never stored."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from livesession.registrations import fields_services as fields
from livesession.registrations import services as reg
from livesession.registrations.models import Registration
from livesession.registrations.scope import effective


def test_p1_1_default_scope_is_email_first_and_last_name(event_a: Any) -> None:
    scope = effective(event_a)
    assert [k for k, v in scope.items() if v["enabled"]] == ["first_name", "last_name"]


def test_p1_1_an_answer_to_a_field_not_enabled_is_refused(event_a: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        reg.register(event_a, {"email": "a@example.org", "first_name": "A", "last_name": "B",
                               "mobile_phone": "0612345678"})
    assert "mobile_phone" in exc.value.message_dict
    assert not Registration.objects.exists()


def test_p1_1_enabling_a_field_needs_its_purpose(client_a: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        fields.set_client_scope(client_a, {"city": {"enabled": True, "required": False}},
                                actor="t")
    assert "city" in exc.value.message_dict
    fields.set_client_scope(client_a, {"city": {"enabled": True, "purpose": "statistics"}},
                            actor="t")
    client_a.refresh_from_db()
    assert client_a.form_defaults["city"]["enabled"]


def test_p1_1_event_override_and_client_default(event_a: Any, client_a: Any) -> None:
    fields.set_client_scope(client_a, {"job_function": {"enabled": True, "required": True,
                                                        "purpose": "adapt the content"}},
                            actor="t")
    event_a.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        reg.register(event_a, {"email": "a@example.org", "first_name": "A", "last_name": "B"})
    assert "job_function" in exc.value.message_dict
    fields.set_event_scope(event_a, {"first_name": {"enabled": False},
                                     "last_name": {"enabled": False},
                                     "mobile_phone": {"enabled": True, "required": True,
                                                      "purpose": "call if the room changes"}},
                           actor="t")
    made = reg.register(event_a, {"email": "a@example.org", "mobile_phone": "06 12 34 56 78"})
    assert made.registration.mobile_phone == "+33612345678"
    assert made.registration.first_name == "" and made.registration.first_name_enc == ""


QUESTIONS = [
    {"key": "company", "kind": "short_text", "label_fr": "Entreprise", "label_en": "Company"},
    {"key": "questions", "kind": "long_text", "label_fr": "Vos questions",
     "label_en": "Your questions", "rules": {"max_length": 50}},
    {"key": "team_size", "kind": "number", "label_fr": "Taille de l'équipe",
     "label_en": "Team size", "rules": {"min": 1, "max": 500}},
    {"key": "start_date", "kind": "date", "label_fr": "Date d'arrivée", "label_en": "Start date"},
    {"key": "level", "kind": "single_choice", "label_fr": "Niveau", "label_en": "Level",
     "options": ["Débutant", "Expert"]},
    {"key": "topics", "kind": "multiple_choice", "label_fr": "Sujets", "label_en": "Topics",
     "options": [{"value": "api", "label_fr": "API", "label_en": "API"},
                 {"value": "ux", "label_fr": "Ergonomie", "label_en": "UX"}]},
    {"key": "newsletter_paper", "kind": "checkbox", "label_fr": "Version papier",
     "label_en": "Paper copy"},
    {"key": "office_phone", "kind": "phone", "label_fr": "Téléphone du bureau",
     "label_en": "Office phone"},
    {"key": "office_postcode", "kind": "postal_code_fr", "label_fr": "Code postal du bureau",
     "label_en": "Office postal code"},
    {"key": "country", "kind": "country", "label_fr": "Pays", "label_en": "Country"},
    {"key": "expert_years", "kind": "number", "label_fr": "Années d'expertise",
     "label_en": "Years of expertise", "show_if_key": "level", "show_if_value": "Expert",
     "required": True},
]


@pytest.fixture
def questioned_event(event_a: Any) -> Any:
    for question in QUESTIONS:
        fields.add_custom_field(event_a, {**question, "purpose": "adapt the session"},
                                actor="t")
    return event_a


def _submit(event: Any, answers: dict[str, Any]) -> Any:
    return reg.register(event, {"email": "q@example.org", "first_name": "Q", "last_name": "R",
                                "answers": answers})


def test_p1_2_every_kind_is_cleaned_and_stored_sealed(questioned_event: Any) -> None:
    made = _submit(questioned_event, {
        "company": "ACME", "questions": "Pourquoi ?", "team_size": "12,5",
        "start_date": "2026-12-01", "level": "Débutant", "topics": ["ux", "api"],
        "newsletter_paper": "on", "office_phone": "+33 1 23 45 67 89",
        "office_postcode": "75 011", "country": "fr", "expert_years": "9"})
    answers = Registration.objects.get(pk=made.registration.pk).answers
    assert answers == {"company": "ACME", "questions": "Pourquoi ?", "team_size": "12.5",
                       "start_date": "2026-12-01", "level": "Débutant",
                       "topics": ["api", "ux"], "newsletter_paper": True,
                       "office_phone": "+33123456789", "office_postcode": "75011",
                       "country": "FR"}
    # expert_years was hidden (level is not Expert): its answer is not kept.
    assert "ACME" not in made.registration.answers_enc


@pytest.mark.parametrize(("answers", "key"), [
    ({"team_size": "lots"}, "team_size"), ({"team_size": "900"}, "team_size"),
    ({"start_date": "01/12/2026"}, "start_date"), ({"level": "Guru"}, "level"),
    ({"topics": ["ux", "cooking"]}, "topics"), ({"office_phone": "12"}, "office_phone"),
    ({"office_postcode": "7501"}, "office_postcode"), ({"country": "XX"}, "country"),
    ({"questions": "x" * 51}, "questions"), ({"level": "Expert"}, "expert_years"),
    ({"nope": "1"}, "nope"), ({"company": {"a": 1}}, "company"),
])
def test_p1_2_bad_answers_are_named_and_nothing_is_stored(questioned_event: Any,
                                                          answers: dict, key: str) -> None:
    with pytest.raises(ValidationError) as exc:
        _submit(questioned_event, answers)
    assert f"answers.{key}" in exc.value.message_dict
    assert not Registration.objects.exists()


def test_p1_2_condition_shows_and_requires_the_dependent_question(questioned_event: Any) -> None:
    made = _submit(questioned_event, {"level": "Expert", "expert_years": "4"})
    assert made.registration.answers["expert_years"] == "4"


@pytest.mark.parametrize(("change", "field"), [
    ({"key": "email"}, "key"), ({"key": "Bad Key"}, "key"), ({"kind": "file"}, "kind"),
    ({"label_en": ""}, "label_en"), ({"purpose": ""}, "purpose"),
    ({"kind": "single_choice", "options": ["only one"]}, "options"),
    ({"rules": {"min": 1}}, "rules"), ({"show_if_key": "ghost", "show_if_value": "x"},
                                       "show_if_key"),
])
def test_p1_2_bad_question_definitions_are_refused(event_a: Any, change: dict,
                                                   field: str) -> None:
    data = {"key": "company", "kind": "short_text", "label_fr": "Entreprise",
            "label_en": "Company", "purpose": "know the audience", **change}
    with pytest.raises(ValidationError) as exc:
        fields.add_custom_field(event_a, data, actor="t")
    assert field in exc.value.message_dict


def test_p1_4_sensitive_question_is_refused_with_what_to_ask_instead(event_a: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        fields.add_custom_field(event_a, {
            "key": "diet", "kind": "single_choice", "label_fr": "Repas",
            "label_en": "Meal", "options": ["Standard", "Halal"], "purpose": "catering"},
            actor="t")
    assert "options" in exc.value.message_dict
    assert not event_a.custom_fields.exists()
