"""The question builder without technical inputs: keys made from labels (unique, accents
dropped, stable once answers may exist), options edited as rows (round trip, add, remove,
move, all server-side), questions and options reordered by buttons through the services.
The sensitive-data guard still answers on the row it is about (P1.4, P6.2)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client as Browser
from django.urls import reverse

from livesession.audit.models import AuditEntry
from livesession.core.models import Client, Role
from livesession.events.models import Event
from livesession.manager import option_rows
from livesession.registrations import fields_services
from livesession.registrations import services as registrations
from livesession.registrations.fieldkeys import base_key, moved, unique_key, unique_value
from livesession.registrations.models import CustomField
from tests.manager.test_builder import error_of, rows

BASE = {"kind": "short_text", "label_en": "Question", "purpose": "adapter le contenu"}


@pytest.fixture
def organizer(client_a: Client, make_member: Any) -> Browser:
    browser = Browser()
    browser.force_login(make_member(client_a, Role.ORGANIZER, "orga@alpha.test"))
    return browser


def url(name: str, **kwargs: Any) -> str:
    return reverse(f"manager:{name}", kwargs={"client_slug": "alpha", **kwargs})


def add(event: Event, label: str, **more: Any) -> CustomField:
    return fields_services.add_custom_field(event, {**BASE, "label_fr": label, **more},
                                            actor="test")


# --- Keys -------------------------------------------------------------------------------------

@pytest.mark.no_db
@pytest.mark.parametrize(("label", "key"), [
    ("Niveau d'expérience ?", "niveau_d_experience"),
    ("Œuvre préférée — à Noël", "oeuvre_preferee_a_noel"),
    ("  Taille de l'entreprise (salariés)  ", "taille_de_l_entreprise_salaries"),
    ("2e choix", "q_2e_choix"),
    ("日本語", "question"),
    ("Quelle est la raison principale de votre inscription à ce webinaire",
     "quelle_est_la_raison_principale_de_votre"),
])
def test_a_key_is_made_from_the_label(label: str, key: str) -> None:
    made = base_key(label)
    assert made == key
    assert re.fullmatch(r"[a-z][a-z0-9_]{0,39}", made)


@pytest.mark.no_db
def test_a_made_key_avoids_taken_and_standard_names() -> None:
    assert unique_key("Ville", []) == "ville"
    assert unique_key("Ville", ["ville", "ville_2"]) == "ville_3"
    assert unique_key("City", []) == "city_2"  # "city" is a standard field
    assert unique_key("E-mail", []) == "e_mail"
    assert unique_key("Email", []) == "email_2"


def test_questions_typed_without_keys_get_unique_keys(event_a: Event,
                                                      client_a: Client,
                                                      make_event: Any) -> None:
    first = add(event_a, "Entreprise")
    second = add(event_a, "Entreprise ?")  # same words, another question
    third = add(event_a, "Entrèprise")
    assert [first.key, second.key, third.key] == ["entreprise", "entreprise_2", "entreprise_3"]
    other_event = make_event(client_a, title="Autre")
    assert add(other_event, "Entreprise").key == "entreprise"  # unique per event only
    # A key given (the API's way) is still taken as given, and still checked.
    given = add(event_a, "Taille", key="company_size")
    assert given.key == "company_size"
    with pytest.raises(ValidationError) as refused:
        add(event_a, "Autre", key="company_size")
    assert "key" in refused.value.message_dict


def test_a_key_stays_when_the_label_changes_and_is_frozen_once_answers_may_exist(
        event_a: Event) -> None:
    question = add(event_a, "Entreprise")
    follower = add(event_a, "Secteur", show_if_key="entreprise", show_if_value="oui")
    fields_services.update_custom_field(question, {"label_fr": "Société"}, actor="test")
    question.refresh_from_db()
    assert question.key == "entreprise"  # stable: the label changed, the key did not
    # Before anyone registered, it may be renamed; the condition that uses it follows.
    fields_services.update_custom_field(question, {"key": "societe"}, actor="test")
    follower.refresh_from_db()
    assert follower.show_if_key == "societe"
    registrations.register(event_a, email="ada@example.org", first_name="Ada",
                           last_name="L", answers={"societe": "Analytical"})
    with pytest.raises(ValidationError) as refused:
        fields_services.update_custom_field(question, {"key": "company"}, actor="test")
    assert "societe" in " ".join(refused.value.message_dict["key"])
    question.refresh_from_db()
    assert question.key == "societe"


def test_the_key_is_shown_under_advanced_only_when_something_depends_on_it(
        organizer: Browser, event_a: Event) -> None:
    question = add(event_a, "Entreprise")
    edit = url("question-edit", event_id=event_a.pk, field_id=question.pk)
    assert 'name="key"' not in organizer.get(url("questions", event_id=event_a.pk)).content.decode()
    assert 'name="key"' not in organizer.get(edit).content.decode()
    add(event_a, "Secteur", show_if_key="entreprise", show_if_value="oui")
    html = organizer.get(edit).content.decode()
    assert '<details class="group advanced">' in html and 'name="key"' in html
    registrations.register(event_a, email="ada@example.org", first_name="Ada", last_name="L",
                           answers={"entreprise": "Analytical"})
    html = organizer.get(edit).content.decode()
    assert 'name="key"' not in html and "<code>entreprise</code>" in html  # read-only now


# --- Option rows ------------------------------------------------------------------------------

def test_option_rows_round_trip_and_values_stay_when_labels_change(
        organizer: Browser, event_a: Event) -> None:
    body = {**BASE, "kind": "single_choice", "label_fr": "Niveau", "label_en": "Level"}
    response = organizer.post(url("questions", event_id=event_a.pk), {
        **body, **rows(("Débutant", "Beginner"), ("Confirmé", ""), ("Expert", "Expert"))})
    assert response.status_code == 302
    question = CustomField.objects.get(event=event_a)
    assert question.key == "niveau"
    assert question.options == [
        {"value": "Débutant", "label_fr": "Débutant", "label_en": "Beginner"},
        {"value": "Confirmé", "label_fr": "Confirmé", "label_en": "Confirmé"},
        {"value": "Expert", "label_fr": "Expert", "label_en": "Expert"}]
    edit = url("question-edit", event_id=event_a.pk, field_id=question.pk)
    html = organizer.get(edit).content.decode()
    shown = [(re.search(rf'name="option-{i}-label_fr" value="([^"]*)"', html).group(1),
              re.search(rf'name="option-{i}-value" value="([^"]*)"', html).group(1))
             for i in range(3)]
    assert shown == [("Débutant", "Débutant"), ("Confirmé", "Confirmé"), ("Expert", "Expert")]
    # Sent back with one label reworded and a new option named like the old label: the
    # reworded option keeps its value, the new one gets its own.
    response = organizer.post(edit, {**body, **rows(
        ("Débutant", "Beginner", "Débutant"), ("Intermédiaire", "Intermediate", "Confirmé"),
        ("Expert", "Expert", "Expert"), ("Confirmé", "Advanced"))})
    assert response.status_code == 302
    question.refresh_from_db()
    assert [o["value"] for o in question.options] == ["Débutant", "Confirmé", "Expert",
                                                      "Confirmé (2)"]
    assert question.options[1]["label_fr"] == "Intermédiaire"


def test_two_new_rows_with_the_same_label_are_refused_and_nothing_typed_is_lost(
        organizer: Browser, event_a: Event) -> None:
    response = organizer.post(url("questions", event_id=event_a.pk), {
        **BASE, "kind": "single_choice", "label_fr": "Repas", "help_fr": "Pour le traiteur",
        **rows(("Oui", "Yes"), ("Oui", "Yes too"))})
    html = response.content.decode()
    assert response.status_code == 400 and "Oui" in error_of(html, "options")
    assert 'value="Yes too"' in html and "Pour le traiteur" in html
    assert not CustomField.objects.exists()
    response = organizer.post(url("questions", event_id=event_a.pk), {
        **BASE, "kind": "single_choice", "label_fr": "Repas",
        **rows(("Oui", "Yes"), ("", "No"))})
    assert response.status_code == 400
    assert error_of(response.content.decode(), "id_option-1-label_fr")  # French missing
    assert not CustomField.objects.exists()


@pytest.mark.no_db
def test_row_buttons_add_remove_and_move_rows() -> None:
    three = [{"value": "", "label_fr": name, "label_en": ""} for name in "ABC"]
    labels = lambda rows: [r["label_fr"] for r in rows]  # noqa: E731 - a one-line reader
    assert labels(option_rows.apply_action(three, "add")) == ["A", "B", "C", ""]
    assert labels(option_rows.apply_action(three, "remove-1")) == ["A", "C"]
    assert labels(option_rows.apply_action(three, "up-2")) == ["A", "C", "B"]
    assert labels(option_rows.apply_action(three, "down-0")) == ["B", "A", "C"]
    assert labels(option_rows.apply_action(three, "up-0")) == ["A", "B", "C"]  # at the top
    assert labels(option_rows.apply_action(three, "down-2")) == ["A", "B", "C"]
    assert labels(option_rows.apply_action(three, "down-9")) == ["A", "B", "C"]
    assert labels(option_rows.apply_action(three, "drop table")) == ["A", "B", "C"]
    assert labels(option_rows.apply_action(three[:1], "remove-0")) == [""]  # one row stays
    assert moved([1, 2, 3], 1, "sideways") == [1, 2, 3]


def test_a_row_button_shows_the_page_again_with_the_rows_changed_and_saves_nothing(
        organizer: Browser, event_a: Event) -> None:
    body = {**BASE, "kind": "single_choice", "label_fr": "Niveau", "label_en": "Level",
            **rows(("Débutant", "Beginner"), ("Expert", "Expert"), ("Confirmé", "Advanced"))}
    address = url("questions", event_id=event_a.pk)
    html = organizer.post(address, {**body, "option_action": "up-2"}).content.decode()
    order = re.findall(r'name="option-\d-label_fr" value="([^"]*)"', html)
    assert order == ["Débutant", "Confirmé", "Expert"]
    assert 'value="Level"' in html and 'class="errorlist"' not in html
    html = organizer.post(address, {**body, "option_action": "add"}).content.decode()
    assert 'name="option-TOTAL_FORMS" value="4"' in html
    assert 'name="option-3-label_fr"' in html
    html = organizer.post(address, {**body, "option_action": "remove-0"}).content.decode()
    assert re.findall(r'name="option-\d-label_fr" value="([^"]*)"', html) == ["Expert",
                                                                               "Confirmé"]
    assert not CustomField.objects.exists()
    # Enter in a text input presses the first submit button: the form's "save".
    first = re.search(r"<form[^>]*question-editor.*?<button([^>]*)>", html, re.S)
    assert first and 'name="option_action"' not in first.group(1)


def test_p6_2_a_sensitive_option_is_refused_on_its_row(organizer: Browser,
                                                       event_a: Event) -> None:
    response = organizer.post(url("questions", event_id=event_a.pk), {
        **BASE, "kind": "single_choice", "label_fr": "Repas",
        **rows(("Standard", "Standard"), ("Halal", "Halal"))})
    html = response.content.decode()
    assert response.status_code == 400
    assert error_of(html, "id_option-1-label_fr") and not error_of(html, "id_option-0-label_fr")
    assert not CustomField.objects.exists()


def test_the_api_still_takes_options_as_strings_and_as_rows_without_values(
        event_a: Event) -> None:
    strings = fields_services.add_custom_field(event_a, {
        **BASE, "label_fr": "Niveau", "kind": "single_choice", "options": ["Débutant", "Expert"]},
        actor="test")
    assert strings.options[0] == {"value": "Débutant", "label_fr": "Débutant",
                                  "label_en": "Débutant"}
    dicts = fields_services.add_custom_field(event_a, {
        **BASE, "label_fr": "Format", "kind": "single_choice", "options": [
            {"value": "on", "label_fr": "En ligne", "label_en": "Online"},
            {"label_fr": "Sur place", "label_en": "On site"}]}, actor="test")
    assert [o["value"] for o in dicts.options] == ["on", "Sur place"]


# --- Reordering -------------------------------------------------------------------------------

def test_move_service_renumbers_and_records_one_entry(event_a: Event) -> None:
    first, second, third = (add(event_a, label) for label in ("Un", "Deux", "Trois"))
    before = AuditEntry.objects.filter(action="form.custom_field_moved").count()
    assert fields_services.move_custom_field(third, "up", actor="test")
    order = list(CustomField.objects.filter(event=event_a).values_list("key", "position"))
    assert order == [("un", 0), ("trois", 1), ("deux", 2)]
    assert not fields_services.move_custom_field(first, "up", actor="test")  # already first
    assert fields_services.move_custom_field(first, "down", actor="test")
    assert list(CustomField.objects.filter(event=event_a).values_list("key", flat=True)) == [
        "trois", "un", "deux"]
    assert AuditEntry.objects.filter(action="form.custom_field_moved").count() == before + 2
    with pytest.raises(ValidationError):
        fields_services.move_custom_field(second, "left", actor="test")


def test_a_question_that_fails_todays_checks_does_not_block_moving(event_a: Event) -> None:
    kept = add(event_a, "Un")
    old = add(event_a, "Deux")
    # Written before a rule existed: no purpose. Moving must not re-check its texts.
    CustomField.objects.filter(pk=old.pk).update(purpose="")
    assert fields_services.move_custom_field(old, "up", actor="test")
    assert list(CustomField.objects.filter(event=event_a).values_list("pk", flat=True)) == [
        old.pk, kept.pk]


@pytest.mark.no_db
def test_a_value_is_made_unique_with_a_number() -> None:
    assert unique_value(" Oui ", []) == "Oui"
    assert unique_value("Oui", ["Oui", "Oui (2)"]) == "Oui (3)"
