"""The Manager's form builder (issue 3 points 1–5): standard fields of the client default
and of each event (P1.1), custom questions (P1.2) with the sensitive-data guard (P1.4,
P6.2), consent purposes (P2.3), event registration settings, roles (P3.4) and tenancy
(P6.1)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client as Browser
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from livesession.core.models import Client, Role
from livesession.events.models import Event
from livesession.privacy.models import ConsentPurpose
from livesession.privacy.services import purposes_for
from livesession.protection.sensitive import check_field
from livesession.registrations import fields_services
from livesession.registrations import services as registrations
from livesession.registrations.models import CustomField, Registration
from livesession.registrations.models import RegistrationStatus as S

PERSON = {"email": "ada@example.org", "first_name": "Ada", "last_name": "Lovelace"}
QUESTION = {"key": "company", "kind": "short_text", "label_fr": "Entreprise",
            "label_en": "Company", "purpose": "connaître le public"}


def browser_for(user: Any) -> Browser:
    browser = Browser()
    browser.force_login(user)
    return browser


@pytest.fixture
def owner(owner_a: Any) -> Browser:
    return browser_for(owner_a)


@pytest.fixture
def organizer(client_a: Client, make_member: Any) -> Browser:
    return browser_for(make_member(client_a, Role.ORGANIZER, "orga@alpha.test"))


@pytest.fixture
def viewer(client_a: Client, make_member: Any) -> Browser:
    return browser_for(make_member(client_a, Role.VIEWER, "viewer@alpha.test"))


def url(name: str, **kwargs: Any) -> str:
    return reverse(f"manager:{name}", kwargs={"client_slug": "alpha", **kwargs})


def error_of(html: str, field_id: str) -> str:
    """The text of the error list tied to an input (``id_<name>_error``), or ''."""
    found = re.search(rf'<ul class="errorlist" id="{re.escape(field_id)}_error" '
                      rf'role="alert">(.*?)</ul>', html, re.S)
    return found.group(1) if found else ""


def rows(*options: tuple[str, str] | tuple[str, str, str]) -> dict[str, str]:
    """The option rows of the question form as a browser sends them: French label, English
    label and, for a stored option, its hidden value."""
    data = {"option-TOTAL_FORMS": str(len(options)), "option-INITIAL_FORMS": str(len(options)),
            "option-MIN_NUM_FORMS": "0", "option-MAX_NUM_FORMS": "100"}
    for index, option in enumerate(options):
        label_fr, label_en, *value = option
        data |= {f"option-{index}-label_fr": label_fr, f"option-{index}-label_en": label_en,
                 f"option-{index}-value": value[0] if value else ""}
    return data


def value_of(html: str, name: str) -> str:
    found = re.search(rf'<(?:input|textarea)[^>]*name="{re.escape(name)}"[^>]*>', html)
    assert found, f"no input {name}"
    return found.group(0)


# --- Standard fields (P1.1) -----------------------------------------------------------------

def test_p1_1_enabling_a_field_needs_a_purpose_and_the_error_sits_next_to_it(
        owner: Browser, client_a: Client) -> None:
    response = owner.post(url("client-form"), {
        "city-enabled": "on", "city-purpose": "",
        "job_function-enabled": "on", "job_function-purpose": "adapter le contenu",
        "first_name-enabled": "on", "first_name-required": "on",
        "first_name-purpose": "vous identifier"})
    html = response.content.decode()
    assert response.status_code == 400 and error_of(html, "id_city-purpose")
    assert 'aria-describedby="id_city-purpose_error"' in html
    assert "adapter le contenu" in html and "vous identifier" in html  # nothing lost
    client_a.refresh_from_db()
    assert client_a.form_defaults == {}  # nothing stored
    response = owner.post(url("client-form"), {
        "city-enabled": "on", "city-purpose": "statistiques par ville",
        "first_name-enabled": "on", "first_name-required": "on",
        "first_name-purpose": "vous identifier"})
    assert response.status_code == 302
    client_a.refresh_from_db()
    assert client_a.form_defaults["city"] == {"enabled": True, "required": False,
                                              "purpose": "statistiques par ville"}
    assert client_a.form_defaults["last_name"]["enabled"] is False


def test_p1_1_email_is_always_on_and_shown_disabled(owner: Browser, event_a: Event) -> None:
    for page in (url("client-form"), url("event-form", event_id=event_a.pk)):
        html = owner.get(page).content.decode()
        assert re.search(r'<input type="checkbox" id="scope-email-enabled" checked disabled>',
                         html)
        editor = html.split('id="preview-title"')[0]
        assert 'name="email' not in editor  # not something one can send


def test_p1_1_event_override_changes_the_public_form_and_reset_restores_it(
        organizer: Browser, event_a: Event, client_a: Client, make_event: Any) -> None:
    other = make_event(client_a, title="Autre")
    assert 'name="mobile_phone"' not in Browser().get(f"/e/{event_a.pk}/").content.decode()
    response = organizer.post(url("event-form", event_id=event_a.pk), {
        "first_name-enabled": "on", "first_name-required": "on",
        "first_name-purpose": "vous identifier",
        "mobile_phone-enabled": "on", "mobile_phone-required": "on",
        "mobile_phone-purpose": "vous appeler si la salle change"})
    assert response.status_code == 302
    page = Browser().get(f"/e/{event_a.pk}/").content.decode()
    assert 'name="mobile_phone"' in page and 'name="last_name"' not in page
    # The other event still follows the client default.
    assert 'name="mobile_phone"' not in Browser().get(f"/e/{other.pk}/").content.decode()
    event_page = organizer.get(url("event", event_id=event_a.pk)).content.decode()
    assert url("event-form-reset", event_id=event_a.pk) in event_page
    assert organizer.post(url("event-form-reset", event_id=event_a.pk)).status_code == 302
    event_a.refresh_from_db()
    assert event_a.form_scope is None
    assert 'name="mobile_phone"' not in Browser().get(f"/e/{event_a.pk}/").content.decode()


def test_p1_1_an_answer_to_a_field_no_longer_enabled_is_never_stored(
        organizer: Browser, event_a: Event) -> None:
    """A participant loaded the form while the phone was collected; the organizer turned it
    off before the submit: the answer is refused by name and nothing is stored; the page
    comes back without the field, and sending it again registers."""
    body = {"mobile_phone-enabled": "on", "mobile_phone-purpose": "vous appeler",
            "first_name-enabled": "on", "first_name-purpose": "vous identifier",
            "last_name-enabled": "on", "last_name-purpose": "vous identifier"}
    organizer.post(url("event-form", event_id=event_a.pk), body)
    assert 'name="mobile_phone"' in Browser().get(f"/e/{event_a.pk}/").content.decode()
    del body["mobile_phone-enabled"]
    assert organizer.post(url("event-form", event_id=event_a.pk), body).status_code == 302
    visitor = Browser(HTTP_ACCEPT_LANGUAGE="en")
    response = visitor.post(f"/e/{event_a.pk}/", {**PERSON, "mobile_phone": "0612345678"})
    assert response.status_code == 400
    assert "does not collect this field" in response.content.decode()
    assert 'name="mobile_phone"' not in response.content.decode()
    assert not Registration.objects.filter(event=event_a).exists()
    assert visitor.post(f"/e/{event_a.pk}/", PERSON).status_code == 302
    stored = Registration.objects.get(event=event_a)
    assert stored.mobile_phone_enc == "" and stored.mobile_phone == ""
    event_a.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        registrations.register(event_a, {**PERSON, "email": "bob@example.org",
                                         "mobile_phone": "0612345678"})
    with translation.override("en"):
        assert "does not collect this field" in " ".join(
            refused.value.message_dict["mobile_phone"])
    assert Registration.objects.filter(event=event_a).count() == 1


# --- Custom questions (P1.2) -----------------------------------------------------------------

KINDS = {
    "short_text": {"rule_max_length": "80"},
    "long_text": {"rule_min_length": "5", "rule_max_length": "1000"},
    "number": {"rule_min": "1", "rule_max": "500"},
    "date": {"rule_min": "2030-01-01"},
    "single_choice": rows(("Débutant", "Beginner"), ("Expert", "Expert")),
    "multiple_choice": {**rows(("API", "API"), ("Ergonomie", "UX"), ("Données", "")),
                        "rule_max_choices": "2"},
    "checkbox": {},
    "phone": {},
    "postal_code_fr": {},
    "country": {},
}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_p1_2_a_question_of_each_kind_is_created_and_shown_on_the_public_form(
        organizer: Browser, event_a: Event, kind: str) -> None:
    key = f"q_{kind}"
    body = {"key": key, "kind": kind, "label_fr": f"Question {kind} en français",
            "label_en": f"Question {kind} in English", "help_fr": "Aide", "help_en": "Help",
            "required": "on", "purpose": "préparer la session", **KINDS[kind]}
    response = organizer.post(url("questions", event_id=event_a.pk), body)
    assert response.status_code == 302, response.content.decode()[:3000]
    question = CustomField.objects.get(event=event_a, key=key)
    assert question.kind == kind and question.required and question.client == event_a.client
    page = Browser().get(f"/e/{event_a.pk}/").content.decode()
    assert f'name="answer_{key}"' in page
    assert f"Question {kind} en français" in page


def test_p1_2_option_rows_and_rules_are_stored_as_typed(organizer: Browser,
                                                        event_a: Event) -> None:
    organizer.post(url("questions", event_id=event_a.pk), {
        "kind": "multiple_choice", "label_fr": "Sujets", "label_en": "Topics",
        **rows(("API", "API"), ("Pas de valeur", "No value"), ("", ""), ("Données", "")),
        "rule_max_choices": "2", "purpose": "préparer la session"})
    organizer.post(url("questions", event_id=event_a.pk), {
        "kind": "number", "label_fr": "Taille de l'équipe",
        "label_en": "Team size", "rule_min": "1", "rule_max": "2,5", "purpose": "adapter"})
    topics = CustomField.objects.get(label_fr="Sujets")
    assert topics.key == "sujets"  # made from the label, never typed
    assert topics.options == [  # the empty row is left out; values made from the labels
        {"value": "API", "label_fr": "API", "label_en": "API"},
        {"value": "Pas de valeur", "label_fr": "Pas de valeur", "label_en": "No value"},
        {"value": "Données", "label_fr": "Données", "label_en": "Données"}]
    assert topics.rules == {"max_choices": 2}
    team = CustomField.objects.get(key="taille_de_l_equipe")
    assert team.rules == {"min": "1", "max": "2.5"}
    # The edit form gives the rows back, each with its value carried along hidden.
    html = organizer.get(url("question-edit", event_id=event_a.pk,
                             field_id=topics.pk)).content.decode()
    assert 'name="option-1-label_en" value="No value"' in html
    assert 'type="hidden" name="option-1-value" value="Pas de valeur"' in html
    assert 'name="key"' not in html  # nothing depends on the key yet: not shown
    # And the public form applies them.
    response = Browser().post(f"/e/{event_a.pk}/", {
        **PERSON, "answer_sujets": ["API", "ux"], "answer_taille_de_l_equipe": "3"})
    assert response.status_code == 400
    assert Browser().post(f"/e/{event_a.pk}/", {
        **PERSON, "answer_sujets": ["API", "Données"],
        "answer_taille_de_l_equipe": "2"}).status_code == 302
    assert Registration.objects.get().answers == {"taille_de_l_equipe": "2",
                                                  "sujets": ["API", "Données"]}


def test_p1_2_bad_rules_are_explained_and_nothing_typed_is_lost(organizer: Browser,
                                                                event_a: Event) -> None:
    response = organizer.post(url("questions", event_id=event_a.pk), {
        "key": "team", "kind": "number", "label_fr": "Taille de l'équipe",
        "label_en": "Team size", "rule_min": "10", "rule_max": "2", "purpose": "adapter"})
    html = response.content.decode()
    assert response.status_code == 400 and error_of(html, "id_rule_max")
    assert 'value="Team size"' in html and 'value="adapter"' in html
    # A rule that does not apply to the kind is refused by the service, in its own place.
    response = organizer.post(url("questions", event_id=event_a.pk), {
        "key": "team", "kind": "checkbox", "label_fr": "Papier", "label_en": "Paper",
        "rule_min_length": "3", "purpose": "adapter"})
    assert response.status_code == 400
    assert 'id="rules_error" role="alert"' in response.content.decode()
    assert not CustomField.objects.exists()


def test_p1_2_questions_move_edit_condition_and_remove(organizer: Browser,
                                                       event_a: Event) -> None:
    for key, label in (("level", "Niveau"), ("company", "Entreprise"), ("years", "Années")):
        body = {"key": key, "kind": "short_text", "label_fr": label, "label_en": label,
                "purpose": "adapter"}
        if key == "level":
            body |= {"kind": "single_choice", **rows(("Débutant", "Beginner"),
                                                     ("Expert", "Expert"))}
        assert organizer.post(url("questions", event_id=event_a.pk), body).status_code == 302
    years = CustomField.objects.get(key="years")
    organizer.post(url("question-move", event_id=event_a.pk, field_id=years.pk),
                   {"direction": "up"})
    order = list(CustomField.objects.filter(event=event_a).values_list("key", flat=True))
    assert order == ["level", "years", "company"]
    organizer.post(url("question-move", event_id=event_a.pk, field_id=years.pk),
                   {"direction": "up"})
    organizer.post(url("question-move", event_id=event_a.pk, field_id=years.pk),
                   {"direction": "up"})  # already first: nothing moves
    order = list(CustomField.objects.filter(event=event_a).values_list("key", flat=True))
    assert order == ["years", "level", "company"]
    response = organizer.post(url("question-edit", event_id=event_a.pk, field_id=years.pk), {
        "key": "years", "kind": "number", "label_fr": "Années d'expérience",
        "label_en": "Years of experience", "show_if_key": "level", "show_if_value": "expert",
        "purpose": "adapter"})
    assert response.status_code == 302
    years.refresh_from_db()
    # The condition names the option as people read it ("expert"); its value is stored.
    assert (years.kind, years.show_if_key, years.show_if_value) == ("number", "level", "Expert")
    page = organizer.get(url("questions", event_id=event_a.pk)).content.decode()
    assert "Années d&#x27;expérience" in page
    assert "affichée uniquement quand «\u00a0Niveau\u00a0» vaut «\u00a0Expert\u00a0»" in page
    level = CustomField.objects.get(key="level")
    assert organizer.post(url("question-remove", event_id=event_a.pk,
                              field_id=level.pk)).status_code == 302
    years.refresh_from_db()
    assert not CustomField.objects.filter(key="level").exists() and years.show_if_key == ""


def test_p1_2_the_questions_page_previews_the_public_form(organizer: Browser,
                                                          event_a: Event) -> None:
    fields_services.add_custom_field(event_a, QUESTION, actor="test")
    html = organizer.get(url("questions", event_id=event_a.pk)).content.decode()
    preview = html.split('id="preview-title"', 1)[1]
    assert "<fieldset disabled>" in preview
    assert 'id="preview_answer_company"' in preview and "Entreprise" in preview
    assert 'id="preview_email"' in preview


# --- The sensitive-data guard (P1.4, P6.2) ---------------------------------------------------

SENSITIVE = ["Avez-vous des allergies alimentaires ?", "Religion",
             "Numéro de sécurité sociale"]


@pytest.mark.parametrize("label", SENSITIVE)
def test_p1_4_p6_2_a_sensitive_question_is_refused_with_the_guards_message(
        organizer: Browser, event_a: Event, label: str) -> None:
    body = {"key": "about_you", "kind": "short_text", "label_fr": label,
            "label_en": "About you", "help_fr": "Une réponse courte", "purpose": "accueillir"}
    response = organizer.post(url("questions", event_id=event_a.pk), body)
    html = response.content.decode()
    assert response.status_code == 400
    with translation.override("fr"):
        message = check_field(label, "About you")[0].message
    assert escape(message) in error_of(html, "id_label_fr")  # why + what to ask instead
    assert 'aria-describedby="id_label_fr_error"' in html
    assert escape(label) in value_of(html, "label_fr")  # nothing typed is lost
    assert 'value="accueillir"' in html and "Une réponse courte" in html
    assert not CustomField.objects.exists()


def test_p1_4_p6_2_the_guard_speaks_english_to_an_english_reader(organizer: Browser,
                                                                 event_a: Event) -> None:
    organizer.cookies["django_language"] = "en"
    response = organizer.post(url("questions", event_id=event_a.pk), {
        "key": "faith", "kind": "short_text", "label_fr": "Entreprise",
        "label_en": "Religion", "purpose": "welcome"})
    with translation.override("en"):
        message = check_field("Entreprise", "Religion")[0].message
    assert escape(message) in error_of(response.content.decode(), "id_label_en")
    assert not CustomField.objects.exists()


def test_p6_2_sensitive_options_and_edits_are_refused_too(organizer: Browser,
                                                          event_a: Event) -> None:
    response = organizer.post(url("questions", event_id=event_a.pk), {
        "key": "diet", "kind": "single_choice", "label_fr": "Repas", "label_en": "Meal",
        **rows(("Standard", "Standard"), ("Sans porc", "No pork")),
        "purpose": "commander les repas"})
    assert response.status_code == 400
    assert error_of(response.content.decode(), "options")
    assert error_of(response.content.decode(), "id_option-1-label_fr")  # on its row
    assert "Sans porc" in response.content.decode()
    question = fields_services.add_custom_field(event_a, QUESTION, actor="test")
    response = organizer.post(url("question-edit", event_id=event_a.pk, field_id=question.pk),
                              {**QUESTION, "help_fr": "Et votre carte Vitale"})
    assert response.status_code == 400
    assert error_of(response.content.decode(), "id_help_fr")
    question.refresh_from_db()
    assert question.help_fr == ""


def test_p1_4_the_guard_answers_with_the_other_errors_in_one_go(organizer: Browser,
                                                                event_a: Event) -> None:
    """The service checks the key before the guard; the page shows both at once."""
    response = organizer.post(url("questions", event_id=event_a.pk), {
        "key": "Bad Key", "kind": "short_text", "label_fr": "Religion",
        "label_en": "Faith", "purpose": "accueillir"})
    html = response.content.decode()
    assert error_of(html, "id_key") and error_of(html, "id_label_fr")
    assert not CustomField.objects.exists()


# --- Consent purposes (P2.3) -----------------------------------------------------------------

def test_p2_3_builtin_purposes_are_listed_and_a_client_purpose_is_added(
        owner: Browser, event_a: Event) -> None:
    html = owner.get(url("purposes")).content.decode()
    assert ConsentPurpose.NEWS in html and ConsentPurpose.ATTENDEE_LIST in html
    response = owner.post(url("purposes"), {
        "label_fr": "Recevoir le programme de la saison",
        "label_en": "Receive the season programme"})
    assert response.status_code == 302
    added = ConsentPurpose.objects.get(key="receive-the-season-programme")
    page = Browser().get(f"/e/{event_a.pk}/").content.decode()
    box = re.search(rf'<input type="checkbox" name="consent_{added.key}"[^>]*>', page)
    assert box and "checked" not in box.group(0)  # offered, never pre-ticked


def test_p2_3_p6_2_a_sensitive_purpose_is_refused_next_to_its_text(owner: Browser) -> None:
    owner.get(url("purposes"))  # the built-in purposes exist from the first visit
    before = ConsentPurpose.objects.count()
    response = owner.post(url("purposes"), {
        "label_fr": "Recevoir les informations de notre syndicat",
        "label_en": "Receive our news"})
    html = response.content.decode()
    assert response.status_code == 400 and error_of(html, "id_label_fr")
    assert "Recevoir les informations de notre syndicat" in html
    assert ConsentPurpose.objects.count() == before
    response = owner.post(url("purposes"), {"label_fr": "", "label_en": "Only English"})
    assert response.status_code == 400 and error_of(response.content.decode(), "id_label_fr")


def test_p2_3_a_deactivated_purpose_leaves_the_forms_and_can_come_back(
        owner: Browser, client_a: Client, event_a: Event) -> None:
    news = next(p for p in purposes_for(client_a) if p.key == ConsentPurpose.NEWS)
    assert owner.post(url("purpose-deactivate", purpose_id=news.pk)).status_code == 302
    news.refresh_from_db()
    assert not news.active
    assert f"consent_{news.key}" not in Browser().get(f"/e/{event_a.pk}/").content.decode()
    assert news.key in owner.get(url("purposes")).content.decode()  # still listed
    assert owner.post(url("purpose-reactivate", purpose_id=news.pk)).status_code == 302
    assert f"consent_{news.key}" in Browser().get(f"/e/{event_a.pk}/").content.decode()


# --- Roles (P3.4) ----------------------------------------------------------------------------

def test_p3_4_a_viewer_cannot_change_the_form(viewer: Browser, client_a: Client,
                                              event_a: Event) -> None:
    question = fields_services.add_custom_field(event_a, QUESTION, actor="test")
    news = purposes_for(client_a)[0]
    attempts = [
        (url("client-form"), {"city-enabled": "on", "city-purpose": "x"}),
        (url("event-form", event_id=event_a.pk), {"city-enabled": "on", "city-purpose": "x"}),
        (url("event-form-reset", event_id=event_a.pk), {}),
        (url("questions", event_id=event_a.pk), {**QUESTION, "key": "other"}),
        (url("question-edit", event_id=event_a.pk, field_id=question.pk),
         {**QUESTION, "label_fr": "Changé"}),
        (url("question-move", event_id=event_a.pk, field_id=question.pk), {"direction": "up"}),
        (url("question-remove", event_id=event_a.pk, field_id=question.pk), {}),
        (url("purposes"), {"label_fr": "Autre", "label_en": "Other"}),
        (url("purpose-deactivate", purpose_id=news.pk), {}),
    ]
    for address, body in attempts:
        assert viewer.post(address, body).status_code == 403, address
        assert viewer.get(address).status_code in {403, 405}, address
    client_a.refresh_from_db()
    event_a.refresh_from_db()
    question.refresh_from_db()
    news.refresh_from_db()
    assert client_a.form_defaults == {} and event_a.form_scope is None
    assert question.label_fr == "Entreprise" and CustomField.objects.count() == 1
    assert news.active and ConsentPurpose.objects.filter(client=client_a).count() == 2


def test_p3_4_the_client_default_and_purposes_are_for_owners_and_admins(
        organizer: Browser, owner: Browser, event_a: Event) -> None:
    assert organizer.get(url("client-form")).status_code == 403
    assert organizer.get(url("purposes")).status_code == 403
    assert organizer.get(url("event-form", event_id=event_a.pk)).status_code == 200
    nav = organizer.get(url("events")).content.decode()
    assert url("client-form") not in nav and url("purposes") not in nav
    nav = owner.get(url("events")).content.decode()
    assert url("client-form") in nav and url("purposes") in nav


# --- Registration settings of the event form (issue 3 §5) ------------------------------------

EVENT = {"title": "Atelier", "description": "", "time_zone": "America/Montreal",
         "starts_at": "2030-06-01T09:00", "ends_at": "2030-06-01T10:00",
         "room_url": "https://room.example/atelier"}


def test_capacity_and_waiting_list_set_in_the_event_form(organizer: Browser,
                                                         client_a: Client) -> None:
    response = organizer.post(url("event-create"), {**EVENT, "capacity": "2",
                                                     "waitlist_enabled": "on"})
    assert response.status_code == 302
    event = Event.objects.get(client=client_a, title="Atelier")
    assert (event.capacity, event.waitlist_enabled) == (2, True)
    assert (event.approval_required, event.double_opt_in) == (False, False)
    organizer.post(url("event-publish", event_id=event.pk))
    event.refresh_from_db()
    made = [registrations.register(event, email=f"p{i}@example.org", first_name="P",
                                   last_name=str(i)) for i in range(3)]
    statuses = [m.registration.status for m in made]
    assert statuses == [S.CONFIRMED, S.CONFIRMED, S.WAITLISTED]
    organizer.cookies["django_language"] = "en"
    html = organizer.get(url("event", event_id=event.pk)).content.decode()
    assert "taken: 2 of 2; left: 0" in html
    registrations.cancel(made[0].registration, actor="test", by_participant=True)
    third = Registration.objects.get(pk=made[2].registration.pk)
    assert third.status == S.CONFIRMED  # promoted


def test_event_form_settings_in_the_events_time_zone(organizer: Browser,
                                                     client_a: Client) -> None:
    response = organizer.post(url("event-create"), {
        **EVENT, "capacity": "", "approval_required": "on", "double_opt_in": "on",
        "registration_deadline": "2030-06-01T08:30"})
    assert response.status_code == 302
    event = Event.objects.get(client=client_a)
    assert event.capacity is None and not event.waitlist_enabled
    assert event.approval_required and event.double_opt_in
    assert event.registration_deadline is not None
    assert event.registration_deadline.isoformat() == "2030-06-01T12:30:00+00:00"  # EDT
    form = organizer.get(url("event-edit", event_id=event.pk)).content.decode()
    assert 'value="2030-06-01T08:30"' in form
    page = organizer.get(url("event", event_id=event.pk)).content.decode()
    assert url("questions", event_id=event.pk) in page
    assert url("event-form", event_id=event.pk) in page


@pytest.mark.parametrize(("change", "field"), [
    ({"capacity": "0"}, "capacity"),
    ({"capacity": "beaucoup"}, "capacity"),
    ({"registration_deadline": "2030-06-01T11:00"}, "registration_deadline"),
    ({"registration_deadline": "demain"}, "registration_deadline"),
])
def test_bad_event_settings_are_explained(organizer: Browser, change: dict,
                                          field: str) -> None:
    response = organizer.post(url("event-create"), {**EVENT, **change})
    html = response.content.decode()
    assert response.status_code == 400 and error_of(html, f"id_{field}")
    assert 'value="Atelier"' in html
    assert not Event.objects.exists()


def test_capacity_below_the_places_taken_is_refused(organizer: Browser,
                                                    event_a: Event) -> None:
    for i in range(2):
        registrations.register(event_a, email=f"p{i}@example.org", first_name="P",
                               last_name=str(i))
    response = organizer.post(url("event-edit", event_id=event_a.pk), {
        **EVENT, "title": event_a.title, "time_zone": "Europe/Paris", "capacity": "1"})
    assert response.status_code == 400 and error_of(response.content.decode(), "id_capacity")


# --- Tenancy (P6.1) --------------------------------------------------------------------------

BUILDER = ["client-form", "event-form", "event-form-reset", "questions", "question-edit",
           "question-remove", "question-move", "purposes", "purpose-deactivate",
           "purpose-reactivate"]


def _pattern(name: str) -> str:
    from livesession.manager import builder_urls

    return next(str(p.pattern) for p in builder_urls.urlpatterns if p.name == name)


def test_p6_1_a_member_of_b_gets_404_on_every_builder_url_of_a(
        owner_b: Any, client_a: Client, event_a: Event, event_b: Event) -> None:
    """With A's slug, or with B's own slug and A's object ids: 404 to GET and POST, nothing
    of A shown, nothing of A changed."""
    question = fields_services.add_custom_field(event_a, QUESTION, actor="test")
    purpose = purposes_for(client_a)[0]
    ids = {"event_id": event_a.pk, "field_id": question.pk, "purpose_id": purpose.pk}
    browser = browser_for(owner_b)
    body = {"direction": "up", **QUESTION, "label_fr": "Écrit par B", "city-enabled": "on",
            "city-purpose": "x", "label_en": "Written by B"}
    tried = 0
    for name in BUILDER:
        kwargs = {k: v for k, v in ids.items() if f":{k}>" in _pattern(name)}
        slugs = ["alpha", "beta"] if kwargs else ["alpha"]  # beta/form/ is B's own page
        for slug in slugs:
            address = reverse(f"manager:{name}", kwargs={"client_slug": slug, **kwargs})
            for method in ("get", "post"):
                response = getattr(browser, method)(address, body)
                tried += 1
                assert response.status_code in ({404, 405} if method == "get" else {404}), (
                    method, address, response.status_code)
                assert event_a.title not in response.content.decode()
    assert tried >= 2 * len(BUILDER)
    client_a.refresh_from_db()
    event_a.refresh_from_db()
    question.refresh_from_db()
    purpose.refresh_from_db()
    assert client_a.form_defaults == {} and event_a.form_scope is None
    assert question.label_fr == "Entreprise" and question.position == 0
    assert CustomField.objects.filter(client=client_a).count() == 1
    assert purpose.active and ConsentPurpose.objects.filter(client=client_a).count() == 2
