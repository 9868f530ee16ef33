""""My data" and its download (issue 5 §1, P4.1, GDPR art. 15 and 20).

Pia has an account (profile), a registration she made herself at organizer A (with a
consent and an answer holding HTML), and one that organizer B added for her. Quentin, at
A too, must never appear in her pages or her archive.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile
from typing import Any

import jsonschema
import pytest
from django.test import Client as Browser
from django.urls import reverse
from django.utils import translation

from livesession.accounts import services
from livesession.accounts.models import User
from livesession.audit.models import AuditEntry
from livesession.core.clock import freeze, now
from livesession.core.models import Client
from livesession.events.models import Event
from livesession.privacy import services as consents
from livesession.privacy.models import ConsentPurpose
from livesession.protection import access_export
from livesession.registrations.services import register
from tests.accounts.conftest import sign_in

PIA = "pia@example.org"
QUENTIN = "quentin@example.org"
QUENTIN_MARKERS = ("quentin@example.org", "Quentinus", "Marchettissimo", "Quimperlé-sur-Mer")
HOSTILE = "<script>alert('pia')</script>"


@pytest.fixture
def pia(event_a: Event, event_b: Event, client_a: Client, make_participant: Any) -> User:
    pia = make_participant(PIA, "Pia", "Lindqvist")
    services.update_profile(pia, first_name="Pia", last_name="Lindqvist", city="Uppsala",
                            mobile_phone="+46 70 123 45 67", postal_code="75236",
                            job_function=HOSTILE)
    made = register(event_a, email=PIA, first_name="Pia", last_name="Lindqvist")
    register(event_b, email=PIA, first_name="Pia", last_name="Lindqvist",
             channel="manager", actor="test")
    consents.ensure_builtin_purposes(client_a)
    purpose = ConsentPurpose.objects.filter(client=client_a).order_by("pk").first()
    assert purpose is not None
    consents.record_consent(client_id=client_a.pk, subject=made.registration.subject,
                            purpose=purpose, given=True, language="en", channel="web",
                            registration_id=made.registration.pk)
    services.claim_registrations(pia)
    return pia


@pytest.fixture
def quentin(event_a: Event, make_participant: Any) -> User:
    quentin = make_participant(QUENTIN, "Quentinus", "Marchettissimo")
    services.update_profile(quentin, first_name="Quentinus", last_name="Marchettissimo",
                            city="Quimperlé-sur-Mer")
    register(event_a, email=QUENTIN, first_name="Quentinus", last_name="Marchettissimo")
    services.claim_registrations(quentin)
    return quentin


def _browser(email: str = PIA) -> Browser:
    browser, response = sign_in(email)
    assert response.status_code == 302
    return browser


def _download_link(browser: Browser) -> str:
    response = browser.post(reverse("accounts:data-link"))
    assert response.status_code == 302
    page = browser.get(reverse("accounts:data")).content.decode()
    found = re.search(r'href="(/me/data/download/[^"]+/)"', page)
    assert found, "no download link on the page"
    return found.group(1)


def _archive(browser: Browser) -> zipfile.ZipFile:
    response = browser.get(_download_link(browser))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"]
    return zipfile.ZipFile(io.BytesIO(response.content))


def test_p4_1_my_data_page_shows_everything_by_controller(pia: User, quentin: User,
                                                         client_a: Client,
                                                         client_b: Client) -> None:
    """The account (operator) first, then each organizer, with purposes and retention."""
    page = _browser().get(reverse("accounts:data"))
    assert page.status_code == 200
    text = page.content.decode()
    operator_at = text.index("Controller of your platform account")
    a_at, b_at = text.index(client_a.name), text.index(client_b.name)
    assert operator_at < min(a_at, b_at)
    for value in ("Uppsala", "+46 70 123 45 67", "75236", "Lindqvist", PIA):
        assert value in text
    # purpose, basis and retention from the registry
    assert "Run the platform account" in text
    assert "Performance of a contract" in text
    assert "As long as the account, then 3 years" in text
    assert "As long as the client&#x27;s contract, then 60 days" in text
    # escaped, never markup
    assert HOSTILE not in text
    assert "&lt;script&gt;" in text
    for marker in QUENTIN_MARKERS:
        assert marker not in text


def test_p4_1_export_json_is_versioned_and_valid_against_the_published_schema(
        pia: User, client_a: Client, client_b: Client) -> None:
    archive = _archive(_browser())
    names = set(archive.namelist())
    assert {"data.json", "access-export-v1.schema.json", "index.html"} <= names
    document = json.loads(archive.read("data.json"))
    schema = json.loads(archive.read("access-export-v1.schema.json"))
    assert schema == json.loads(access_export.schema_text())  # the published one
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(document, schema)
    assert document["format"] == "livesession-access-export"
    assert document["version"] == 1
    ids = [group["id"] for group in document["controllers"]]
    assert ids[0] == "operator"
    assert set(ids) == {"operator", f"client:{client_a.pk}", f"client:{client_b.pk}"}


def test_p4_1_export_content_per_controller(pia: User, client_a: Client,
                                            client_b: Client) -> None:
    with translation.override("en"):  # the labels asserted below are the English ones
        document = access_export.collect(pia)
    groups = {group["id"]: group for group in document["controllers"]}
    operator = {c["model"]: c for c in groups["operator"]["categories"]}
    account = operator["accounts.User"]["records"]
    assert account == [pytest.approx(account[0])]
    assert account[0]["city"] == "Uppsala"
    assert account[0]["job_function"] == HOSTILE
    assert "password" not in account[0]  # Export.OMIT
    assert "email_index" not in account[0]
    assert len(operator["accounts.AccountLink"]["records"]) == 2
    at_a = {c["model"]: c for c in groups[f"client:{client_a.pk}"]["categories"]}
    registration = at_a["registrations.Registration"]["records"]
    assert [r["email"] for r in registration] == [PIA]
    assert registration[0]["channel"] == "web"
    assert at_a["privacy.ConsentRecord"]["records"][0]["action"]
    at_b = {c["model"]: c for c in groups[f"client:{client_b.pk}"]["categories"]}
    assert at_b["registrations.Registration"]["records"][0]["channel"] == "manager"
    # the field documentation comes from the registry
    fields = {f["field"]: f for f in at_a["registrations.Registration"]["fields"]}
    assert fields["email"]["label"] == "email"
    assert fields["email"]["legal_basis"] == "contract"


def test_p4_1_art_15_sections_are_present_and_generated(pia: User, client_a: Client,
                                                        client_b: Client, settings: Any) -> None:
    """Purposes, categories, recipients, transfers, retention, rights, CNIL, source and
    automated decisions (GDPR art. 15.1 a-h and 15.2)."""
    settings.PERSONAL_DATA_TRANSFERS = [["Relay Inc.", "United States",
                                         "EU-US Data Privacy Framework"]]
    with translation.override("en"):
        notice = access_export.collect(pia)["notice"]
    assert {"run the platform account", "prove the consent given or withdrawn"} <= {
        p["purpose"] for p in notice["purposes"]}
    assert any(c["category"] == "Your account" for c in notice["categories"])
    names = [r["name"] for r in notice["recipients"]]
    assert names[0] == settings.PLATFORM_OPERATOR_NAME
    assert {client_a.name, client_b.name} <= set(names)
    assert "processor" in notice["recipients"][0]["role"]
    assert notice["transfers"] == [{"recipient": "Relay Inc.", "country": "United States",
                                    "safeguard": "EU-US Data Privacy Framework"}]
    assert {r["retention"] for r in notice["retention"]} >= {
        "as long as the account, then 3 years", "as long as the client's contract, then 60 days"}
    assert {r["right"] for r in notice["rights"]} >= {
        "access", "rectification", "erasure", "restriction", "objection", "portability"}
    assert notice["complaint"]["address"].startswith("3 place de Fontenoy, TSA 80715, "
                                                     "75334 Paris Cedex 07")
    assert notice["complaint"]["url"] == "https://www.cnil.fr"
    sources = {s["channel"]: s for s in notice["sources"]}
    assert sources["web"]["collected_from_you"] is True
    assert sources["manager"]["collected_from_you"] is False
    assert sources["manager"]["source"] == "added by the organizer"
    assert notice["automated_decision_making"]["exists"] is False


def test_p4_1_no_transfer_statement_by_default(pia: User, settings: Any) -> None:
    settings.PERSONAL_DATA_TRANSFERS = []
    with translation.override("en"):
        notice = access_export.collect(pia)["notice"]
    assert notice["transfers"] == []
    assert "outside the European Union" in notice["transfers_statement"]


def test_p4_1_csv_per_table_and_escaped_html(pia: User, client_a: Client) -> None:
    archive = _archive(_browser())
    name = f"csv/organizer-{client_a.slug}/registrations.csv"
    rows = list(csv.reader(io.StringIO(archive.read(name).decode())))
    assert "email" in rows[0]
    assert rows[1][rows[0].index("email")] == PIA
    account = list(csv.reader(io.StringIO(archive.read("csv/platform/account.csv").decode())))
    assert account[1][account[0].index("city")] == "Uppsala"
    html = archive.read("index.html").decode()
    assert HOSTILE not in html
    assert "&lt;script&gt;alert(&#x27;pia&#x27;)&lt;/script&gt;" in html
    assert "3 place de Fontenoy" in html
    assert name in html


def test_p4_1_csv_cells_never_run_as_formulas() -> None:
    assert access_export._cell("=HYPERLINK(\"x\")").startswith("'")
    assert access_export._cell("+33 6") == "'+33 6"
    assert access_export._cell("Uppsala") == "Uppsala"


def test_p4_1_another_persons_data_never_appears(pia: User, quentin: User) -> None:
    archive = _archive(_browser())
    blob = b"".join(archive.read(name) for name in archive.namelist()).decode()
    for marker in QUENTIN_MARKERS:
        assert marker not in blob
    assert f"account:{quentin.pk}" not in blob
    # and Quentin's own archive holds none of Pia's
    other = _archive(_browser(QUENTIN))
    blob = b"".join(other.read(name) for name in other.namelist()).decode()
    assert "Uppsala" not in blob and PIA not in blob


def test_p4_1_link_expires_with_a_page_offering_a_new_one(pia: User, settings: Any) -> None:
    browser = _browser()
    with freeze(now() - dt.timedelta(seconds=settings.ACCESS_EXPORT_LINK_SECONDS + 60)):
        assert browser.post(reverse("accounts:data-link")).status_code == 302
    # the page no longer offers the stale link; the link itself still reaches the view
    assert "/me/data/download/" not in browser.get(reverse("accounts:data")).content.decode()
    link = reverse("accounts:data-download",
                   kwargs={"token": browser.session["access_export_link"]})
    response = browser.get(link, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 410
    text = response.content.decode()
    assert "This download link has expired" in text
    assert reverse("accounts:data-link") in text
    assert response["Referrer-Policy"] == "same-origin"
    assert not AuditEntry.objects.filter(action="access_export.downloaded").exists()
    # a new one works
    assert browser.get(_download_link(browser)).status_code == 200


def test_p4_1_link_needs_the_session_that_asked(pia: User, quentin: User) -> None:
    link = _download_link(_browser())
    anonymous = Browser().get(link)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("accounts:login"))
    # Pia again, in another session: not this session's link
    assert _browser().get(link).status_code == 404
    # Quentin with Pia's link
    response = _browser(QUENTIN).get(link)
    assert response.status_code == 404
    assert b"Uppsala" not in response.content
    forged = reverse("accounts:data-download", kwargs={"token": "forged"})
    assert _browser().get(forged).status_code == 404
    assert not AuditEntry.objects.filter(action="access_export.downloaded").exists()


def test_p4_1_export_is_audited_with_pseudonymous_ids(pia: User) -> None:
    _archive(_browser())
    entry = AuditEntry.objects.get(action="access_export.downloaded")
    assert entry.actor == entry.target == f"account:{pia.pk}"
    flat = json.dumps(entry.details)
    for value in (PIA, "Pia", "Lindqvist", "Uppsala"):
        assert value not in flat
    assert entry.details["records"] > 0


def test_p4_1_the_link_needs_a_post_with_csrf(pia: User) -> None:
    browser = Browser(enforce_csrf_checks=True)
    browser.force_login(pia)
    assert browser.post(reverse("accounts:data-link")).status_code == 403
    assert browser.get(reverse("accounts:data-link")).status_code == 405


def test_p4_1_space_navigation_links_my_data(pia: User) -> None:
    page = _browser().get(reverse("accounts:space")).content.decode()
    assert f'href="{reverse("accounts:data")}"' in page
