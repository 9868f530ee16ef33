"""The question builder, reminders and time zones as an organizer meets them, in Debian's
Chromium against the real stack (``test_browser.py``'s fixtures): create an event picking a
zone from the grouped list by its readable name, add a single-choice question by typing its
labels and three options (no key, no ``value | label`` lines), reorder an option and the
question with buttons, set reminders "1 jour, 1 heure" in words, then see the question and
its options in that order on the public page. At a desktop width and a phone width."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.test_browser import (  # noqa: F401 - fixtures used by name
    PHONE,
    TIMEOUT_MS,
    Stack,
    _fits_the_screen,
    _sign_in,
    browser,
    chromium_path,
    stack,
)

pytestmark = [pytest.mark.slow, pytest.mark.no_db]

DESKTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 900}, "locale": "fr-FR",
                           "timezone_id": "Europe/Paris"}
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}


@pytest.fixture(params=sorted(VIEWPORTS))
def page(request: pytest.FixtureRequest, browser: Browser) -> Iterator[Page]:  # noqa: F811
    context = browser.new_context(**VIEWPORTS[request.param])
    context.set_default_timeout(TIMEOUT_MS)
    made = context.new_page()
    made.viewport_name = request.param  # type: ignore[attr-defined]
    try:
        yield made
    finally:
        context.close()


def _submit(page: Page, button: Any) -> None:
    with page.expect_navigation():
        button.click()


def _create_event(page: Page, stack: Stack, title: str) -> str:  # noqa: F811
    page.goto(f"{stack.base}/manager/demo/events/new/")
    page.locator("#id_title").fill(title)
    zone = page.locator("#id_time_zone")
    # The common zones come first, under their own heading, with readable names.
    first_group = zone.locator("optgroup").first
    expect(first_group).to_have_attribute("label", "Les plus utilisés")
    expect(first_group.locator("option").first).to_have_text(
        re.compile(r"^Paris \(UTC\+01:00 / \+02:00\)$"))
    assert zone.locator('option[value="Africa/Asmera"]').count() == 0
    zone.select_option(label="Martinique (UTC−04:00)")
    page.locator("#id_starts_at").fill("2030-03-01T10:00")
    page.locator("#id_ends_at").fill("2030-03-01T11:30")
    page.locator("#id_room_url").fill("https://room.example/atelier")
    _submit(page, page.locator("#main form button[type=submit]"))
    page.wait_for_url(re.compile(r"/manager/demo/events/[0-9a-f-]+/$"))
    expect(page.locator("#main")).to_contain_text("America/Martinique")
    _submit(page, page.locator('#main form[action$="/publish/"] button'))
    return page.url


def _add_question(page: Page, kind: str, label_fr: str, label_en: str,
                  options: list[tuple[str, str]] = ()) -> None:  # type: ignore[assignment]
    page.locator("#id_kind").select_option(kind)
    page.locator("#id_label_fr").fill(label_fr)
    page.locator("#id_label_en").fill(label_en)
    for index, (option_fr, option_en) in enumerate(options):
        page.get_by_label(f"Option {index + 1} – En français").fill(option_fr)
        page.get_by_label(f"Option {index + 1} – En anglais (facultatif)").fill(option_en)
    page.locator("#id_purpose").fill("adapter le contenu de l’atelier")
    _submit(page, page.get_by_role("button", name="Ajouter la question"))
    expect(page.locator(".messages, [role=status]").first).to_contain_text(label_fr)


def test_organizer_builds_a_question_sets_reminders_and_picks_a_zone(
        stack: Stack, page: Page) -> None:  # noqa: F811
    name = page.viewport_name  # type: ignore[attr-defined]
    _sign_in(page, stack, "owner")
    event_page = _create_event(page, stack, f"Atelier questions {name}")

    page.locator('#main a[href$="/questions/"]').first.click()
    page.wait_for_url(re.compile(r"/questions/$"))
    # No technical name to type, no "value | label" lines.
    assert page.locator('#question-editor [name="key"]').count() == 0
    assert page.locator("#question-editor textarea[name=options]").count() == 0
    _add_question(page, "short_text", "Entreprise", "Company")
    # Options only show for a choice question (the script hides the others).
    expect(page.locator("#options")).to_be_hidden()
    page.locator("#id_kind").select_option("single_choice")
    expect(page.locator("#options")).to_be_visible()
    _fits_the_screen(page)
    # Two rows are not enough for this list: the page adds a row on request, keeping what
    # was typed.
    page.locator("#id_label_fr").fill("Niveau en programmation")
    page.get_by_label("Option 1 – En français").fill("Débutant")
    page.get_by_label("Option 2 – En français").fill("Expert")
    page.get_by_label("Option 3 – En français").fill("Confirmé")
    _submit(page, page.get_by_role("button", name="Ajouter une option"))
    expect(page.get_by_label("Option 4 – En français")).to_have_value("")
    expect(page.locator("#id_label_fr")).to_have_value("Niveau en programmation")
    expect(page.get_by_label("Option 3 – En français")).to_have_value("Confirmé")
    # "Confirmé" one step up, with its keyboard-reachable button.
    move = page.get_by_role("button", name="Monter – Option 3")
    move.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.locator("#options").screenshot(path=stack.shots / f"builder-options-{name}.png")
    values = [page.get_by_label(f"Option {i} – En français").input_value() for i in (1, 2, 3)]
    assert values == ["Débutant", "Confirmé", "Expert"]
    page.get_by_label("Option 1 – En anglais (facultatif)").fill("Beginner")
    page.get_by_label("Option 2 – En anglais (facultatif)").fill("Intermediate")
    page.get_by_label("Option 3 – En anglais (facultatif)").fill("Expert")
    page.locator("#id_label_en").fill("Programming level")
    page.locator("#id_purpose").fill("adapter le contenu de l’atelier")
    _submit(page, page.get_by_role("button", name="Ajouter la question"))
    questions = page.locator("ol.questions > li")
    expect(questions).to_have_count(2)
    expect(questions.nth(1)).to_contain_text("Niveau en programmation")
    expect(questions.nth(1).locator("ol.option-list li")).to_have_text(
        [re.compile("^Débutant"), re.compile("^Confirmé"), re.compile("^Expert")])
    # The question one place up, before "Entreprise".
    _submit(page, page.get_by_role("button", name="Monter – Niveau en programmation"))
    expect(questions.nth(0)).to_contain_text("Niveau en programmation")
    expect(questions.nth(1)).to_contain_text("Entreprise")
    _fits_the_screen(page)

    # Reminders in words.
    page.goto(event_page)
    page.locator('#main a[href$="/messages/"]').first.click()
    page.locator('#main a[href$="/messages/settings/"]').click()
    offsets = page.get_by_label("Rappels avant chaque début")
    expect(offsets).to_have_value("1 jour, 1 heure")  # the default, said as people say it
    offsets.fill("2 jours, 1 h")
    _submit(page, page.get_by_role("button", name="Enregistrer"))
    expect(page.locator("#main")).to_contain_text("Rappels avant chaque début\u00a0: "
                                                  "2 jours, 1 heure")
    page.locator('#main a[href$="/messages/settings/"]').click()
    page.get_by_label("Rappels avant chaque début").fill("1 jour, 1 heure")
    _submit(page, page.get_by_role("button", name="Enregistrer"))
    expect(page.locator("#main")).to_contain_text("Rappels avant chaque début\u00a0: "
                                                  "1 jour, 1 heure")
    _fits_the_screen(page)

    # The public page: the question first, its options in the order set.
    page.goto(event_page)
    href = page.locator('#main a[href^="/e/"]').first.get_attribute("href")
    page.goto(f"{stack.base}{href}")
    # A question with choices is a fieldset named by its legend, the others a label.
    fields = page.locator("#registration-form .field > label, "
                          "#registration-form .field > fieldset > legend")
    labels = [text.strip().removesuffix("*").strip() for text in fields.all_inner_texts()]
    assert labels.index("Niveau en programmation") < labels.index("Entreprise"), labels
    radios = page.locator("#id_answer_niveau_en_programmation label")
    expect(radios).to_have_text(["Débutant", "Confirmé", "Expert"])
    radios.nth(1).click()
    expect(page.get_by_label("Confirmé")).to_be_checked()
    _fits_the_screen(page)
    page.screenshot(path=stack.shots / f"builder-public-{name}.png", full_page=True)
