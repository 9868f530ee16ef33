"""The CNIL notification document (P3.7, P5.2, GDPR art. 33.3; B-03): generated from the
register with the nature, the categories and approximate numbers of people and records, the
contact point, the likely consequences and the measures; refused while a part is missing;
printable HTML and JSON in the console; the CNIL's reference recorded once filed."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client as Browser
from django.utils import translation

from livesession.accounts.models import User
from livesession.core.models import Client
from livesession.incidents import breach, cnil
from livesession.incidents.affected import Scope
from livesession.incidents.models import Incident, Kind, Source
from livesession.incidents.notices import store_affected
from livesession.incidents.services import open_incident
from livesession.registrations.services import register
from tests.accounts.conftest import Mailbox

CONTACT = "dpo@operator.test"


@pytest.fixture(autouse=True)
def _contact(settings: Any) -> None:
    settings.PRIVACY_CONTACT_EMAIL = CONTACT
    settings.DPO_EMAIL = ""


@pytest.fixture
def incident(client_a: Client, event_a: Any) -> Incident:
    for i in range(3):
        register(event_a, email=f"p{i}@example.org", first_name="Eli", last_name="Roux")
    made = open_incident(Source.STAFF, summary="A database copy was left readable",
                         refs=[], client_id=client_a.pk)
    store_affected(made, Scope(clients=(client_a.pk,)), actor="account:1")
    return made


def _assess(incident: Incident, client: Client, **changes: Any) -> None:
    values: dict[str, Any] = {
        "natures": ["confidentiality"], "data_categories": ["registrations.Registration"],
        "people_approx": 3, "records_approx": 3,
        "likely_consequences": "Names and addresses readable by an outsider.",
        "risk_level": "high", "risk_reasoning": "Contact data of many people.",
        "measures_taken": "Access closed, copy deleted.",
        "measures_proposed": "Tell the people; watch for phishing.", "role": "processor",
        "client_ids": [client.pk]}
    values.update(changes)
    breach.assess(incident, actor="account:1", **values)


def test_p3_7_the_document_holds_the_art_33_3_content(incident: Incident,
                                                      client_a: Client) -> None:
    _assess(incident, client_a)
    incident.refresh_from_db()
    doc = cnil.document(incident)
    assert doc["nature"] == ["confidentiality"]
    assert doc["people_approx"] == 3          # computed from the data, not typed
    emails = [c for c in doc["data_categories"]
              if c["category"] == "registrations.Registration.email_enc"]
    assert emails and emails[0]["records"] == 3
    assert doc["contact"]["email"] == CONTACT
    assert doc["likely_consequences"] == "Names and addresses readable by an outsider."
    assert doc["measures_taken"] == "Access closed, copy deleted."
    assert doc["measures_proposed"] == "Tell the people; watch for phishing."
    assert doc["deadline"] == breach.deadline(incident, Kind.CNIL).isoformat()
    assert doc["filed"] == []
    assert "example.org" not in json.dumps(doc)  # numbers, never the people themselves


def test_p3_7_a_document_missing_a_part_is_refused(incident: Incident,
                                                  client_a: Client) -> None:
    with pytest.raises(ValidationError) as caught, translation.override("en"):
        cnil.document(incident)  # not assessed: no nature, consequences, measures
    text = caught.value.messages[0]
    assert "nature" in text and "consequences" in text and "measures" in text
    _assess(incident, client_a, measures_taken="", measures_proposed="", risk_level="none",
            likely_consequences="")
    incident.refresh_from_db()
    with pytest.raises(ValidationError) as caught, translation.override("en"):
        cnil.document(incident)
    assert "measures" in caught.value.messages[0]
    assert "nature" not in caught.value.messages[0]


def test_p3_7_console_prints_it_and_downloads_json_then_records_the_reference(
        incident: Incident, client_a: Client, operator: User) -> None:
    _assess(incident, client_a)
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(operator)
    page = browser.get(f"/console/incidents/{incident.pk}/cnil.html")
    assert page.status_code == 200
    html = page.content.decode()
    for part in ("Names and addresses readable by an outsider.", "Access closed, copy deleted.",
                 CONTACT, "Not filed yet"):
        assert part in html
    download = browser.get(f"/console/incidents/{incident.pk}/cnil.json")
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    assert json.loads(download.content)["people_approx"] == 3
    breach.record_notification(incident, actor="account:1", kind=Kind.CNIL,
                               reference="CNIL-2026-0042")
    incident.refresh_from_db()
    assert cnil.document(incident)["filed"][0]["reference"] == "CNIL-2026-0042"
    assert "CNIL-2026-0042" in browser.get(
        f"/console/incidents/{incident.pk}/cnil.html").content.decode()


def test_p3_7_an_incomplete_document_is_not_served(incident: Incident,
                                                   operator: User) -> None:
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(operator)
    response = browser.get(f"/console/incidents/{incident.pk}/cnil.json", follow=True)
    assert response.redirect_chain[0][0].endswith("/notices/")
    assert "cannot be generated yet" in response.content.decode()


def test_p5_1_console_notices_page_computes_sends_and_shows_status(
        incident: Incident, client_a: Client, operator: User, smtp_server: Any,
        django_capture_on_commit_callbacks: Any) -> None:
    """The console's forms go through the services: scope, instruction, notices, status."""
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(operator)
    assert browser.get(f"/console/incidents/{incident.pk}/notices/").status_code == 200
    base = f"/console/incidents/{incident.pk}/notices/"
    response = browser.post(base + "affected/", {"scope-clients": [client_a.pk],
                                                 "scope-events": "not-a-uuid"})
    assert response.status_code == 400 and "one a line" in response.content.decode()
    assert browser.post(base + "affected/", {"scope-clients": [client_a.pk]}).status_code == 302
    parts = {"participants-nature_en": "A copy was readable.",
             "participants-consequences_en": "Phishing is possible.",
             "participants-measures_en": "We closed it; be careful.",
             "participants-nature_fr": "Une copie était lisible.",
             "participants-consequences_fr": "Hameçonnage possible.",
             "participants-measures_fr": ""}
    response = browser.post(base + "participants/", parts)
    assert response.status_code == 400
    assert "FR" in response.content.decode() and 'role="alert"' in response.content.decode()
    assert "Camille" not in response.content.decode()
    parts["participants-measures_fr"] = "Nous l'avons fermée."
    response = browser.post(base + "participants/", parts)  # no instruction from ALPHA yet
    assert response.status_code == 400 and "instruction" in response.content.decode()
    assert parts["participants-nature_en"] in response.content.decode()  # nothing lost
    response = browser.post(base + "instruction/", {
        "instruction-client": client_a.pk, "instruction-by": "account:5",
        "instruction-at": "2020-01-01 10:00", "instruction-text": "Tell them"})
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        assert browser.post(base + "participants/", parts).status_code == 302
    page = browser.get(base).content.decode()
    assert page.count("Sent") >= 3
    box = Mailbox(smtp_server, django_capture_on_commit_callbacks)
    notices = [m for m in box.messages if not m.is_multipart() and CONTACT in box.body(m)]
    assert sorted(m["X-Envelope-To"] for m in notices) == [f"p{i}@example.org"
                                                           for i in range(3)]
