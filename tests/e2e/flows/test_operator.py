"""The operator's path in a real browser: sign in, set up the second factor from the
enrolment page (the QR code for a phone, the secret shown as text for typing, the first code
computed from that text as an authenticator app does), keep the recovery codes, accept the
confidentiality rules, then walk the console: clients, outbox, request desk, incidents, and
a verification of the audit chain.

Staff must set up their second factor before anything else, once per account: the desktop
run is the demo's operator (what a newcomer following the Quick start meets), the phone run
an operator account created with the ``createoperator`` command, as an administrator would.
The harness (``person``) checks every page with axe-core and fails on any 4xx/5xx, console
error or leaked secret (the typed password, the session cookie)."""

from __future__ import annotations

import re
import secrets
import time

import pytest
from playwright.sync_api import expect

from livesession.accounts import mfa
from tests.e2e.flows.harness import Person
from tests.e2e.flows.shots import shot
from tests.e2e.flows.staff_steps import button, fits, link, menu, sign_in
from tests.e2e.test_browser import Stack

pytestmark = [pytest.mark.slow, pytest.mark.no_db]


def _account(site: Stack, viewport: str) -> tuple[str, str]:
    if viewport == "desktop":
        return site.credentials["operator_email"], site.credentials["operator_password"]
    email = f"operator.{viewport}@example.org"
    password = secrets.token_urlsafe(12)
    site.run("manage", "createoperator", email, "--password", password)
    return email, password


def _code(secret_text: str) -> str:
    """What an authenticator app shows for the secret it was given, right now; the next
    30-second step when this one is about to end, so the code is still good when sent."""
    moment = time.time()
    if 30 - moment % 30 < 3:
        moment += 3
    # The product's own TOTP (what staffaccess checks codes with), as the app computes it.
    return mfa.totp(mfa._key(secret_text), moment)


def enrol(person: Person, site: Stack) -> bool:
    """Set up the second factor; returns whether the page showed a QR code to scan."""
    page = person.page
    expect(page).to_have_url(f"{site.base}/console/mfa/")
    person.submit(button(person, "Configurer la double authentification"))
    # A phone scans the QR code; the secret stays on the page as text for typing by hand.
    qr_shown = page.get_by_role("img", name=re.compile("QR", re.IGNORECASE)).count() > 0
    secret_text = re.sub(r"\s", "", page.locator("#mfa-secret").inner_text())
    assert re.fullmatch(r"[A-Z2-7]{16,}", secret_text), "no base32 secret shown as text"
    fits(person)
    shot(page, "console-mfa", top=page.get_by_role("heading", level=1))
    code = page.get_by_role("textbox", name="Code", exact=True)
    person.type(code, _code(secret_text), personal=False)
    person.submit(button(person, "Activer la double authentification"))
    recovery = page.get_by_role("heading", name="Vos codes de secours")
    expect(recovery).to_be_visible()
    expect(page.locator("#main ul.secret li")).to_have_count(10)
    person.secrets |= {c.strip() for c in page.locator("#main ul.secret li").all_inner_texts()}
    person.follow(link(person, "Je les ai conservés, continuer"))
    return qr_shown


def acknowledge(person: Person, site: Stack) -> None:
    page = person.page
    expect(page).to_have_url(f"{site.base}/console/acknowledge/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    fits(person)
    person.submit(button(person, "J'ai lu ces règles et je m'engage à les respecter"))
    expect(page).to_have_url(f"{site.base}/console/")


def console_pages(person: Person) -> None:
    page = person.page
    expect(page.get_by_role("heading", level=1)).to_have_text("Console de l'opérateur")
    expect(page.get_by_role("table")).to_contain_text("Démo Formation")
    fits(person)
    shot(page, "console-clients")

    person.follow(menu(person, "Boîte d'envoi"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Boîte d'envoi")
    # The demo's messages are listed (their contents stay sealed).
    expect(page.locator("#main table tbody tr").first).to_be_visible()
    fits(person)
    shot(page, "console-outbox")

    person.follow(menu(person, "Guichet des demandes"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    fits(person)

    person.follow(menu(person, "Incidents"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Incidents")
    fits(person)

    person.follow(menu(person, "Journal d'audit"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Journal d'audit")
    person.submit(button(person, "Vérifier toute la chaîne maintenant"))
    status = page.get_by_role("status").filter(has_text="intacte")
    expect(status).to_be_visible()
    fits(person)
    shot(page, "console-audit")


def test_operator_flow(site: Stack, person: Person, viewport: str) -> None:
    email, password = _account(site, viewport)
    sign_in(person, email, password)
    qr_shown = enrol(person, site)
    acknowledge(person, site)
    console_pages(person)
    # Checked last, so the rest of the console is walked even while it is missing.
    assert qr_shown, "the enrolment page shows no QR code (an image named 'QR…') to scan"
