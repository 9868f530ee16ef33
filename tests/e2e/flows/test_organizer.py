"""The organizer's whole path in a real browser, as the demo client's owner walks it: sign in,
create an event, shape its form (a standard field, a question, a consent purpose), publish
it, let two visitors register, import people from a CSV file, find them (status filters,
search), approve one and deny another, export the list (CSV and Excel, both files opened and
read), send a message to a segment, then read attendance and analytics.

Clicks and typing only, found by role and visible label so that a reworded template still
finds its button. Each run makes an event and people of its own, so the desktop and phone
runs share the demo stack without seeing each other's people. The harness (``person``)
checks every page with axe-core and fails on any 4xx/5xx, console error or leaked secret."""

from __future__ import annotations

import csv
import io
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Download, expect

from tests.e2e.flows.harness import Person
from tests.e2e.flows.shots import shot
from tests.e2e.flows.staff_steps import button, fits, link, menu, refuse_cookies, sign_in
from tests.e2e.test_browser import Stack

pytestmark = [pytest.mark.slow, pytest.mark.no_db]

EVENT_PATH = re.compile(r"/manager/demo/events/[0-9a-f-]+/$")
ANSWER = "Formation continue"
# Each run makes its own event; consent purposes belong to the client, so each run adds one
# of its own words.
TITLES = {"desktop": "Atelier découverte", "phone": "Atelier pratique"}
PURPOSES = {"desktop": ("Recevoir le compte rendu de l'atelier.",
                        "Receive the workshop's minutes."),
            "phone": ("Recevoir les supports de l'atelier.",
                      "Receive the workshop's slides.")}


@dataclass(frozen=True)
class Someone:
    email: str
    first_name: str
    last_name: str

    @property
    def listed(self) -> str:
        """As the registrants list names them."""
        return f"{self.last_name} {self.first_name}"


def _someone(address: str, first: str, last: str, tag: str) -> Someone:
    return Someone(f"{address}.{tag}@example.org", first, last)


def create_event(person: Person, title: str) -> str:
    page = person.page
    person.follow(link(person, "Nouvel événement"))
    person.type(page.get_by_label("Titre"), title, personal=False)
    page.get_by_label("Description").fill("Un atelier créé dans le navigateur.")
    page.get_by_label("Fuseau horaire").select_option("Europe/Paris")
    page.get_by_label("Début").fill("2031-03-04T10:00")
    page.get_by_label("Fin").fill("2031-03-04T11:30")
    page.get_by_label("URL de la salle").fill("https://room.example/atelier")
    page.get_by_label("Approuver chaque inscription").check()
    fits(person)
    person.submit(button(person, "Enregistrer"))
    expect(page).to_have_url(EVENT_PATH)
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)
    # Wall-clock time in the event's zone, as typed; a draft has no public page yet.
    main = page.locator("#main")
    expect(main).to_contain_text("10:00")
    expect(main).to_contain_text("Europe/Paris")
    expect(main.locator('a[href^="/e/"]')).to_have_count(0)
    return page.url


def shape_the_form(person: Person, event_url: str, tag: str) -> tuple[str, str]:
    """Ask the city (a standard field), add a question, add a consent purpose; the preview
    shows what visitors will see."""
    page = person.page
    person.follow(link(person, "Champs du formulaire"))
    page.get_by_label("Ville – collecté").check()
    page.get_by_label("Finalité de « Ville »").fill("organiser des rencontres locales")
    person.submit(button(person, "Enregistrer les champs de cet événement"))
    preview = page.get_by_role("group", name="Aperçu du formulaire d'inscription")
    expect(preview.get_by_role("textbox", name="Ville")).to_be_visible()

    person.open(event_url)
    person.follow(link(person, "Questions"))
    question = "Dans quel service travaillez-vous ?"
    key = page.get_by_label("Clé", exact=True)
    if key.count():  # the builder asked for a technical key before it made one itself
        key.fill(f"service_{tag}")
    page.get_by_label("Type de réponse").select_option(label="Texte court")
    person.type(page.get_by_label("Question en français"), question, personal=False)
    page.get_by_label("Question en anglais").fill("Which department do you work in?")
    page.get_by_label("Finalité").fill("adapter le contenu de l'atelier")
    fits(person)
    person.submit(button(person, "Ajouter la question"))
    expect(page.locator("#main")).to_contain_text(question)
    expect(preview.get_by_role("textbox", name=question)).to_be_visible()

    # Consent purposes belong to the client: the link is in the Manager's menu.
    person.follow(menu(person, "Finalités"))
    purpose, in_english = PURPOSES[tag]
    page.get_by_label("Ce que le participant accepte, en français").fill(purpose)
    page.get_by_label("Ce que le participant accepte, en anglais").fill(in_english)
    person.submit(button(person, "Ajouter la finalité"))
    expect(page.get_by_role("table")).to_contain_text(purpose)
    fits(person)
    return question, purpose


def publish(person: Person, event_url: str, question: str, purpose: str) -> str:
    """Publish, then look at the public page and the form a visitor will fill."""
    page = person.page
    person.open(event_url)
    person.submit(button(person, "Publier"))
    public = page.locator('#main a[href^="/e/"]')
    expect(public).to_have_count(1)
    expect(button(person, "Publier")).to_have_count(0)
    person.follow(public)
    form = page.locator("#main form", has=button(person, "S'inscrire"))
    expect(form.get_by_role("textbox", name="Ville")).to_be_visible()
    expect(form.get_by_role("textbox", name=question)).to_be_visible()
    expect(form.get_by_role("checkbox", name=purpose)).to_be_visible()
    fits(person)
    return page.url


def visitor_registers(visitor: Person, public_url: str, who: Someone, question: str,
                      purpose: str, pictures: bool = False) -> None:
    """Someone else, in a browser of their own, registers and answers the new questions;
    the event asks for approval, so the registration waits for the organizer."""
    page = visitor.page
    visitor.open(public_url)
    refuse_cookies(visitor)
    form = page.locator("#main form", has=button(visitor, "S'inscrire"))
    if pictures:
        shot(page, "event")
        shot(page, "registration-form", top=page.locator("#register-title"))
    visitor.type(form.get_by_role("textbox", name="Adresse e-mail"), who.email)
    visitor.type(form.get_by_role("textbox", name="Prénom"), who.first_name)
    visitor.type(form.get_by_role("textbox", name="Nom", exact=True), who.last_name)
    visitor.type(form.get_by_role("textbox", name="Ville"), "Nantes")
    visitor.type(form.get_by_role("textbox", name=question), ANSWER, personal=False)
    form.get_by_role("checkbox", name=purpose).check()
    visitor.wait_min_fill()
    public_title = page.get_by_role("heading", level=1).inner_text()
    visitor.submit(button(visitor, "S'inscrire"))
    expect(page).to_have_url(re.compile(r"/registered/$"))
    expect(page.get_by_role("status")).to_contain_text(public_title)


def import_csv(person: Person, event_url: str, imported: list[Someone], tmp: Path) -> None:
    """A file with one bad line: the check shows it, the organizer confirms the rest."""
    page = person.page
    person.open(event_url)
    person.follow(link(person, "Inscrits"))
    person.follow(link(person, "Importer un fichier CSV"))
    file = tmp / "people.csv"
    lines = ["email,first_name,last_name"]
    lines += [f"{p.email},{p.first_name},{p.last_name}" for p in imported]
    lines.append("not-an-address,Zoé,Faure")
    file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    person.secrets |= {p.email for p in imported}  # no log line may hold them either
    page.get_by_label("Fichier CSV").set_input_files(file)
    person.submit(button(person, "Vérifier le fichier"))
    # The check runs in the worker; the page follows it, then shows what it found.
    found = page.get_by_role("heading", name="Résultat de la vérification")
    expect(found).to_be_visible(timeout=30_000)
    person.see()
    main = page.locator("#main")
    expect(main).to_contain_text(f"{len(imported)} personnes seront inscrites")
    expect(main).to_contain_text("1 ligne ne peut pas être importée")
    expect(page.get_by_role("table").first).to_contain_text(imported[0].email)
    shot(page, "manager-import-check", top=found)
    page.get_by_role("radio", name=re.compile(r"^Contrat")).check()
    person.submit(button(person, f"Importer {len(imported)} personnes"))
    expect(page.locator("#import-status")).to_have_text(re.compile("Terminé"), timeout=30_000)
    person.see()
    done = page.get_by_role("row", name=re.compile(r"^Importé"))
    expect(done.first).to_contain_text(str(len(imported)))


def registrants(person: Person, event_url: str, visitors: list[Someone],
                imported: list[Someone]) -> None:
    """Find the two who wait (filter, then search), approve one and deny the other."""
    page = person.page
    everyone = len(visitors) + len(imported)
    person.open(event_url)
    person.follow(link(person, "Inscrits"))
    table = page.locator("#main table")
    status = page.get_by_label("Statut", exact=True)
    expect(table.locator("tbody tr")).to_have_count(everyone)
    shot(page, "manager-registrants", top=page.get_by_role("heading", level=1))

    status.select_option("pending_approval")
    person.submit(button(person, "Rechercher"))
    expect(table.locator("tbody tr")).to_have_count(len(visitors))
    approved, denied = visitors
    search = page.get_by_label("Rechercher par nom ou adresse e-mail")
    person.type(search, approved.last_name[:4], personal=False)
    person.submit(button(person, "Rechercher"))
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table).to_contain_text(approved.email)
    fits(person)
    person.follow(link(person, approved.listed))
    expect(page.locator("#main")).to_contain_text(ANSWER)
    person.submit(button(person, "Approuver"))
    expect(page.locator("#main h1")).to_contain_text("Confirmée")

    person.follow(link(person, "Inscrits"))
    person.type(search, denied.email)
    person.submit(button(person, "Rechercher"))
    expect(table.locator("tbody tr")).to_have_count(1)
    person.follow(link(person, denied.listed))
    page.get_by_label("Message à la personne (facultatif)").fill("L'atelier est complet.")
    person.submit(button(person, "Refuser"))
    expect(page.locator("#main h1")).to_contain_text("Refusée")

    # Each status filter shows its own people.
    person.follow(link(person, "Inscrits"))
    filters = page.get_by_role("navigation", name="Filtrer par statut")
    for name, expected in (("Refusée", [denied]), ("Confirmée", [approved, *imported]),
                           ("En attente d'approbation", [])):
        person.follow(filters.get_by_role("link", name=name, exact=True))
        expect(table.locator("tbody tr")).to_have_count(len(expected))
        for one in expected:
            expect(table).to_contain_text(one.email)
    fits(person)


def _saved(download: Download, tmp: Path, suffix: str) -> Path:
    """The downloaded file under the name the browser offers, which ends as it should."""
    name = download.suggested_filename
    assert name.endswith(suffix), name
    path = tmp / name
    download.save_as(path)
    return path


def export(person: Person, event_url: str, visitors: list[Someone], imported: list[Someone],
           question: str, tmp: Path) -> None:
    """Both files downloaded and opened: one row per person, with the answers."""
    page = person.page
    person.open(event_url)
    person.follow(link(person, "Inscrits"))
    with page.expect_download() as got:
        link(person, "Exporter en CSV").click()
    text = _saved(got.value, tmp, ".csv").read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    assert sorted(r[0] for r in body) == sorted(p.email for p in visitors + imported), rows
    by_email = {r[0]: dict(zip(header, r, strict=True)) for r in body}
    approved, denied = visitors
    assert by_email[approved.email]["Statut"] == "Confirmée", by_email[approved.email]
    assert by_email[denied.email]["Statut"] == "Refusée", by_email[denied.email]
    assert by_email[approved.email][question] == ANSWER, header
    assert by_email[approved.email]["Ville"] == "Nantes", header
    assert by_email[imported[0].email]["Prénom"] == imported[0].first_name, header

    with page.expect_download() as got:
        link(person, "Exporter en Excel").click()
    book = openpyxl.load_workbook(_saved(got.value, tmp, ".xlsx"), read_only=True)
    sheet = book.active
    assert sheet is not None
    cells = [["" if c is None else str(c) for c in r] for r in sheet.iter_rows(values_only=True)]
    book.close()
    assert cells[0] == header
    assert sorted(r[0] for r in cells[1:]) == sorted(r[0] for r in body)
    in_sheet = {r[0]: dict(zip(header, r, strict=True)) for r in cells[1:]}
    assert in_sheet[approved.email][question] == ANSWER
    assert in_sheet[denied.email]["Statut"] == "Refusée"


def message_a_segment(person: Person, event_url: str, confirmed: list[Someone],
                      tag: str) -> None:
    """A message to the confirmed people: each of them, and nobody else, gets a copy."""
    page = person.page
    person.open(event_url)
    person.follow(link(person, re.compile("^Messages de cet événement")))
    person.follow(link(person, "Envoyer un message"))
    page.get_by_label("Inscrits (confirmés)").check()
    subject = f"Informations pratiques ({tag})"
    page.get_by_label("Objet (français)").fill(subject)
    page.get_by_label("Message (français)").fill(
        "Bonjour {{ first_name }}, la salle ouvre 15 minutes avant. {{ organizer }}")
    page.get_by_label("Objet (anglais)").fill(f"Practical details ({tag})")
    page.get_by_label("Message (anglais)").fill(
        "Hello {{ first_name }}, the room opens 15 minutes before. {{ organizer }}")
    fits(person)
    person.submit(button(person, "Envoyer"))
    expect(page.get_by_role("row").filter(has_text=subject)).not_to_have_count(0)
    # The worker sends it in the background; the organizer reloads until each copy is
    # listed, as a person would.
    sent = page.locator("#main table tbody tr").filter(has_text=subject).filter(
        has=page.locator(".badge"))
    deadline = time.monotonic() + 30
    while sent.count() < len(confirmed) and time.monotonic() < deadline:
        page.wait_for_timeout(1000)
        page.reload()
    person.see()
    expect(sent).to_have_count(len(confirmed))
    for one in confirmed:
        expect(sent.filter(has_text=f"{one.first_name} {one.last_name}")).to_have_count(1)


def attendance_and_analytics(person: Person, event_url: str, expected: int) -> None:
    page = person.page
    person.open(event_url)
    person.follow(link(person, "Présence"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Présence")
    # The confirmed people are expected; nobody is present before the event.
    row = page.locator("#main table tbody tr").first
    expect(row.locator("td").nth(1)).to_have_text(str(expected))
    fits(person)
    shot(page, "manager-attendance", top=page.get_by_role("heading", level=1))

    person.open(event_url)
    person.follow(link(person, "Statistiques"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Statistiques")
    expect(page.get_by_role("heading", name="Inscriptions reçues")).to_be_visible()
    fits(person)
    shot(page, "manager-analytics", top=page.get_by_role("heading", level=1))


def counts(person: Person, event_url: str, everyone: int) -> None:
    """Each status's count is the number of rows its filter gives, "All" included."""
    page = person.page
    person.open(event_url)
    person.follow(link(person, "Inscrits"))
    options = page.get_by_label("Statut", exact=True).locator("option")
    expect(options.first).to_have_text(f"Tous ({everyone})")
    expect(options.filter(has_text="Confirmée")).to_have_text(f"Confirmée ({everyone - 1})")
    expect(options.filter(has_text="Refusée")).to_have_text("Refusée (1)")


def test_organizer_flow(site: Stack, person: Person, people: Callable[[], Person],
                        viewport: str, tmp_path: Path) -> None:
    tag = viewport
    visitors = [_someone("jules", "Jules", "Carrel", tag), _someone("nora", "Nora", "Dufay", tag)]
    imported = [_someone("ines", "Inès", "Baudry", tag), _someone("paul", "Paul", "Esnault", tag),
                _someone("rose", "Rose", "Fabre", tag), _someone("yann", "Yann", "Gilles", tag)]
    sign_in(person, site.credentials["owner_email"], site.credentials["owner_password"])
    expect(person.page).to_have_url(f"{site.base}/manager/demo/")
    shot(person.page, "manager-events")
    event_url = create_event(person, TITLES[tag])
    question, purpose = shape_the_form(person, event_url, tag)
    public_url = publish(person, event_url, question, purpose)
    for number, who in enumerate(visitors):
        visitor_registers(people(), public_url, who, question, purpose, pictures=number == 0)
    import_csv(person, event_url, imported, tmp_path)
    registrants(person, event_url, visitors, imported)
    export(person, event_url, visitors, imported, question, tmp_path)
    message_a_segment(person, event_url, [visitors[0], *imported], tag)
    attendance_and_analytics(person, event_url, 1 + len(imported))
    counts(person, event_url, len(visitors) + len(imported))
