"""The organizer's whole path in a real browser, as the demo client's owner walks it: sign in,
create an event, shape its form (standard fields, a question, a consent purpose), publish it,
import people from a CSV file, find them (search, status filters), approve one and deny
another, export the list (CSV and Excel, both files opened and read), send a message to a
segment, then read attendance and analytics.

Clicks and typing only, found by role and visible label so that a reworded template still
finds its button. Each run uses an event of its own, so the desktop and phone runs share the
demo stack without seeing each other's people."""

from __future__ import annotations

import csv
import io
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Browser, Download, Page, expect

from tests.e2e.flows.shots import shot
from tests.e2e.test_browser import (  # noqa: F401 - fixtures used by name
    MIN_FILL_SECONDS,
    TIMEOUT_MS,
    Stack,
    browser,
    chromium_path,
    stack,
)

pytestmark = [pytest.mark.slow, pytest.mark.no_db]

DESKTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "fr-FR",
           "timezone_id": "Europe/Paris"}
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True, "locale": "fr-FR",
         "timezone_id": "Europe/Paris"}
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}
EVENT_PATH = re.compile(r"/manager/demo/events/[0-9a-f-]+/$")


@dataclass(frozen=True)
class Person:
    email: str
    first_name: str
    last_name: str


def _visitors(tag: str) -> list[Person]:
    """Two people who register on the public page, their addresses unique to this run."""
    return [Person(f"{address}.{tag}@example.org", first, last)
            for address, first, last in (("jules", "Jules", "Carrel"),
                                         ("nora", "Nora", "Dufay"))]


def _people(tag: str) -> list[Person]:
    """Four people of the imported file, their addresses unique to this run."""
    return [Person(f"{address}.{tag}@example.org", first, last)
            for address, first, last in (("ines", "Inès", "Baudry"),
                                         ("paul", "Paul", "Esnault"),
                                         ("rose", "Rose", "Fabre"),
                                         ("yann", "Yann", "Gilles"))]


@pytest.fixture(params=sorted(VIEWPORTS))
def viewport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def page(browser: Browser, viewport: str) -> Iterator[Page]:  # noqa: F811
    context = browser.new_context(**VIEWPORTS[viewport], accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


def sign_in(page: Page, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Se connecter").click()


def refuse_cookies(page: Page) -> None:
    """A person answers the banner once; its choice holds for the rest of the visit."""
    banner = page.get_by_role("button", name="Tout refuser")
    if banner.count():
        with page.expect_navigation():
            banner.click()
    expect(page.get_by_role("button", name="Tout refuser")).to_have_count(0)


def submit(page: Page, name: str | re.Pattern[str]) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=name).click()


def follow(page: Page, name: str | re.Pattern[str]) -> None:
    with page.expect_navigation():
        page.locator("#main").get_by_role("link", name=name).first.click()


def _fits(page: Page) -> None:
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"horizontal overflow on {page.url}: {widths}"


def create_event(page: Page, title: str) -> str:
    follow(page, "Nouvel événement")
    page.get_by_label("Titre").fill(title)
    page.get_by_label("Description").fill("Un atelier créé dans le navigateur.")
    page.get_by_label("Fuseau horaire").select_option("Europe/Paris")
    page.get_by_label("Début").fill("2031-03-04T10:00")
    page.get_by_label("Fin").fill("2031-03-04T11:30")
    page.get_by_label("URL de la salle").fill("https://room.example/atelier")
    page.get_by_label("Approuver chaque inscription").check()
    _fits(page)
    submit(page, "Enregistrer")
    expect(page).to_have_url(EVENT_PATH)
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)
    # Wall-clock time in the event's zone, as typed; a draft has no public page yet.
    expect(page.locator("#main")).to_contain_text("10:00")
    expect(page.locator("#main")).to_contain_text("Europe/Paris")
    expect(page.locator('#main a[href^="/e/"]')).to_have_count(0)
    return page.url


def shape_the_form(page: Page, event_url: str, tag: str) -> tuple[str, str]:
    """Ask the city (a standard field), add a question, add a consent purpose."""
    follow(page, "Champs du formulaire")
    expect(page.get_by_role("heading", level=1)).to_have_text("Champs du formulaire")
    page.get_by_label("Ville – collecté").check()
    page.get_by_label("Finalité de « Ville »").fill("organiser des rencontres locales")
    submit(page, "Enregistrer les champs de cet événement")
    preview = page.get_by_role("group", name="Aperçu du formulaire d'inscription")
    expect(preview.get_by_label("Ville")).to_be_visible()

    page.goto(event_url)
    follow(page, "Questions")
    question = f"Votre service ({tag}) ?"
    key = page.get_by_label("Clé", exact=True)
    if key.count():  # the older builder asks for a technical key; the newer one makes it
        key.fill(f"service_{tag}")
    page.get_by_label("Type de réponse").select_option(label="Texte court")
    page.get_by_label("Question en français").fill(question)
    page.get_by_label("Question en anglais").fill(f"Your department ({tag})?")
    page.get_by_label("Finalité").fill("adapter le contenu de l'atelier")
    _fits(page)
    submit(page, "Ajouter la question")
    expect(page.locator("#main")).to_contain_text(question)

    # Consent purposes belong to the client: the link is in the Manager's menu.
    page.goto(event_url)
    with page.expect_navigation():
        page.get_by_role("link", name="Finalités").first.click()
    purpose = f"Recevoir le compte rendu de l'atelier ({tag})."
    page.get_by_label("Ce que le participant accepte, en français").fill(purpose)
    page.get_by_label("Ce que le participant accepte, en anglais").fill(
        f"Receive the workshop's minutes ({tag}).")
    submit(page, "Ajouter la finalité")
    expect(page.get_by_role("table")).to_contain_text(purpose)
    _fits(page)
    return question, purpose


def publish(page: Page, event_url: str, base: str, question: str, purpose: str) -> str:
    """Publish, then look at the public form a visitor will fill."""
    page.goto(event_url)
    submit(page, "Publier")
    public = page.locator('#main a[href^="/e/"]')
    expect(public).to_have_count(1)
    expect(page.get_by_role("button", name="Publier")).to_have_count(0)
    href = public.get_attribute("href")
    # What a visitor will fill: the city, the question and the new purpose are there.
    page.goto(f"{base}{href}")
    expect(page.get_by_label("Ville")).to_be_visible()
    expect(page.get_by_label(question)).to_be_visible()
    expect(page.get_by_label(purpose)).to_be_visible()
    _fits(page)
    shot(page, "event")
    page.go_back()
    return f"{base}{href}"


def visitor_registers(browser: Browser, viewport: str, public_url: str, who: Person,  # noqa: F811
                      question: str, purpose: str) -> None:
    """Someone else, in a browser of their own, registers and answers the new questions; the
    event asks for approval, so the registration waits for the organizer."""
    context = browser.new_context(**VIEWPORTS[viewport])
    context.set_default_timeout(TIMEOUT_MS)
    try:
        visitor = context.new_page()
        visitor.goto(public_url)
        refuse_cookies(visitor)
        form = visitor.locator("#main form", has=visitor.get_by_role("button", name="S'inscrire"))
        form.get_by_role("textbox", name="Adresse e-mail").fill(who.email)
        form.get_by_role("textbox", name="Prénom").fill(who.first_name)
        form.get_by_role("textbox", name="Nom", exact=True).fill(who.last_name)
        form.get_by_role("textbox", name="Ville").fill("Nantes")
        form.get_by_role("textbox", name=question).fill("Formation continue")
        form.get_by_label(purpose).check()
        # A person takes longer than the robot check's minimum fill time.
        visitor.wait_for_timeout(MIN_FILL_SECONDS * 1000 + 200)
        submit(visitor, "S'inscrire")
        expect(visitor).to_have_url(re.compile(r"/registered/$"))
        expect(visitor.get_by_role("status")).to_contain_text("Atelier navigateur")
    finally:
        context.close()


def import_csv(page: Page, event_url: str, people: list[Person], tmp: Path) -> None:
    page.goto(event_url)
    follow(page, "Inscrits")
    follow(page, "Importer un fichier CSV")
    file = tmp / "people.csv"
    lines = ["email,first_name,last_name"]
    lines += [f"{p.email},{p.first_name},{p.last_name}" for p in people]
    lines.append("not-an-address,Zoé,Faure")  # refused at the check, never imported
    file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    page.get_by_label("Fichier CSV").set_input_files(file)
    submit(page, "Vérifier le fichier")
    # The check runs in the worker; the page follows it, then shows what it found.
    found = page.get_by_role("heading", name="Résultat de la vérification")
    expect(found).to_be_visible(timeout=30_000)
    main = page.locator("#main")
    expect(main).to_contain_text(f"{len(people)} personnes seront inscrites")
    expect(main).to_contain_text("1 ligne ne peut pas être importée")
    expect(page.get_by_role("table").first).to_contain_text(people[0].email)
    shot(page, "manager-import-check")
    page.get_by_role("radio", name=re.compile(r"^Contrat")).check()
    submit(page, f"Importer {len(people)} personnes")
    expect(page.locator("#import-status")).to_have_text(re.compile("Terminé|Terminée"),
                                                        timeout=30_000)
    imported = page.get_by_role("row", name=re.compile(r"^Importé"))
    expect(imported.first).to_contain_text(str(len(people)))


def registrants(page: Page, event_url: str, visitors: list[Person],
                imported: list[Person]) -> None:
    """Find the two who wait (filter, then search), approve one and deny the other."""
    everyone = len(visitors) + len(imported)
    page.goto(event_url)
    follow(page, "Inscrits")
    table = page.locator("#main table")
    expect(table.locator("tbody tr")).to_have_count(everyone)
    # Each count is the number of rows its filter gives, "All" included.
    if 0: expect(page.get_by_label("Statut", exact=True).locator("option").first).to_have_text(  # XTEMP
        f"Tous ({everyone})")
    shot(page, "manager-registrants")

    page.get_by_label("Statut", exact=True).select_option("pending_approval")
    submit(page, "Rechercher")
    expect(table.locator("tbody tr")).to_have_count(len(visitors))
    # Search among them by a name's first letters.
    approved, denied = visitors
    page.get_by_label("Rechercher par nom ou adresse e-mail").fill(approved.last_name[:4])
    submit(page, "Rechercher")
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table).to_contain_text(approved.email)
    _fits(page)
    follow(page, f"{approved.last_name} {approved.first_name}")
    expect(page.locator("#main")).to_contain_text("Formation continue")  # the answer
    submit(page, "Approuver")
    expect(page.locator("#main h1")).to_contain_text("Confirmée")

    page.go_back()
    page.go_back()
    page.get_by_label("Rechercher par nom ou adresse e-mail").fill(denied.email)
    submit(page, "Rechercher")
    expect(table.locator("tbody tr")).to_have_count(1)
    follow(page, f"{denied.last_name} {denied.first_name}")
    page.get_by_label("Message à la personne (facultatif)").fill("L'atelier est complet.")
    submit(page, "Refuser")
    expect(page.locator("#main h1")).to_contain_text("Refusée")

    # Each status filter shows its own people.
    page.goto(event_url)
    follow(page, "Inscrits")
    filters = page.get_by_role("navigation", name="Filtrer par statut")
    for name, expected in (("Refusée", [denied]), ("Confirmée", [approved, *imported]),
                           ("En attente d'approbation", [])):
        with page.expect_navigation():
            filters.get_by_role("link", name=name, exact=True).click()
        expect(table.locator("tbody tr")).to_have_count(len(expected))
        for person in expected:
            expect(table).to_contain_text(person.email)
    _fits(page)


def _saved(download: Download, tmp: Path, suffix: str) -> Path:
    """The downloaded file under the name the browser offers, which ends as it should."""
    name = download.suggested_filename
    assert name.endswith(suffix), name
    path = tmp / name
    download.save_as(path)
    return path


def export(page: Page, event_url: str, visitors: list[Person], imported: list[Person],
           question: str, tmp: Path) -> None:
    """Both files downloaded and opened: one row per person, with the answers."""
    page.goto(event_url)
    follow(page, "Inscrits")
    with page.expect_download() as got:
        page.get_by_role("link", name="Exporter en CSV").click()
    text = _saved(got.value, tmp, ".csv").read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    assert sorted(r[0] for r in body) == sorted(p.email for p in visitors + imported), rows
    by_email = {r[0]: dict(zip(header, r, strict=True)) for r in body}
    approved, denied = visitors
    assert by_email[approved.email]["Statut"] == "Confirmée", by_email[approved.email]
    assert by_email[denied.email]["Statut"] == "Refusée", by_email[denied.email]
    assert by_email[approved.email][question] == "Formation continue", header
    assert by_email[approved.email]["Ville"] == "Nantes"
    assert by_email[imported[0].email]["Prénom"] == imported[0].first_name

    with page.expect_download() as got:
        page.get_by_role("link", name="Exporter en Excel").click()
    book = openpyxl.load_workbook(_saved(got.value, tmp, ".xlsx"), read_only=True)
    sheet = book.active
    assert sheet is not None
    cells = [["" if c is None else str(c) for c in r] for r in sheet.iter_rows(values_only=True)]
    book.close()
    assert cells[0] == header
    assert sorted(r[0] for r in cells[1:]) == sorted(r[0] for r in body)
    sheet_rows = {r[0]: dict(zip(header, r, strict=True)) for r in cells[1:]}
    assert sheet_rows[approved.email][question] == "Formation continue"


def message_a_segment(page: Page, event_url: str, confirmed: list[Person], tag: str) -> None:
    page.goto(event_url)
    follow(page, re.compile("^Messages de cet événement"))
    follow(page, "Envoyer un message")
    page.get_by_label("Inscrit (confirmé)").check()
    subject = f"Informations pratiques ({tag})"
    page.get_by_label("Objet (français)").fill(subject)
    page.get_by_label("Message (français)").fill(
        "Bonjour {{ first_name }}, la salle ouvre 15 minutes avant. {{ organizer }}")
    page.get_by_label("Objet (anglais)").fill(f"Practical details ({tag})")
    page.get_by_label("Message (anglais)").fill(
        "Hello {{ first_name }}, the room opens 15 minutes before. {{ organizer }}")
    _fits(page)
    submit(page, "Envoyer")
    expect(page.get_by_role("row", name=re.compile("Inscrit \\(confirmé\\)"))
           .filter(has_text=subject)).to_have_count(1)
    # The worker sends it in the background; the person reloads until each confirmed
    # person has their copy listed, and nobody else does.
    sent = page.locator("#main table tbody tr").filter(has_text=subject).filter(
        has=page.locator(".badge"))
    deadline = time.monotonic() + 30
    while sent.count() < len(confirmed) and time.monotonic() < deadline:
        page.wait_for_timeout(1000)
        page.reload()
    expect(sent).to_have_count(len(confirmed))
    for person in confirmed:
        expect(sent.filter(has_text=f"{person.first_name} {person.last_name}")).to_have_count(1)


def attendance_and_analytics(page: Page, event_url: str, expected: int) -> None:
    page.goto(event_url)
    follow(page, "Présence")
    expect(page.get_by_role("heading", level=1)).to_have_text("Présence")
    # The confirmed people are expected; nobody is present before the event.
    row = page.locator("#main table tbody tr").first
    expect(row).to_be_visible()
    expect(row.locator("td").nth(1)).to_have_text(str(expected))
    _fits(page)
    shot(page, "manager-attendance")

    page.goto(event_url)
    follow(page, "Statistiques")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Statistiques")
    expect(page.get_by_role("heading", name="Inscriptions reçues")).to_be_visible()
    _fits(page)
    shot(page, "manager-analytics")


def test_organizer_flow(stack: Stack, browser: Browser, page: Page,  # noqa: F811
                        viewport: str, tmp_path: Path) -> None:
    tag = viewport
    visitors, imported = _visitors(tag), _people(tag)
    sign_in(page, stack.base, stack.credentials["owner_email"],
            stack.credentials["owner_password"])
    expect(page).to_have_url(f"{stack.base}/manager/demo/")
    refuse_cookies(page)
    shot(page, "manager-events")
    event_url = create_event(page, f"Atelier navigateur ({tag})")
    question, purpose = shape_the_form(page, event_url, tag)
    public_url = publish(page, event_url, stack.base, question, purpose)
    for who in visitors:
        visitor_registers(browser, viewport, public_url, who, question, purpose)
    import_csv(page, event_url, imported, tmp_path)
    registrants(page, event_url, visitors, imported)
    export(page, event_url, visitors, imported, question, tmp_path)
    message_a_segment(page, event_url, [visitors[0], *imported], tag)
    attendance_and_analytics(page, event_url, 1 + len(imported))
