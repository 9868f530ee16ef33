"""Breach notices (issue 8 §4): the three-part notice to each affected participant (P5.1,
GDPR art. 34) received by a real SMTP server in English and French, only on the client's
instruction for a client's data; the structured notice to each affected client (P6.7, art.
33.2) and its Manager page, 404 for another client."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client as Browser
from django.utils import translation

from livesession.core.clock import now
from livesession.core.models import Client
from livesession.incidents import breach
from livesession.incidents.affected import Scope
from livesession.incidents.models import Incident, Kind, Source
from livesession.incidents.notices import (
    NoticeText,
    notify_clients,
    participant_status,
    record_client_instruction,
    send_participant_notices,
    store_affected,
    validate_template,
    validate_texts,
)
from livesession.incidents.services import open_incident
from livesession.messaging.models import OutboxMessage
from livesession.protection import restriction
from livesession.registrations.services import register
from tests.accounts.conftest import Mailbox

CONTACT = "dpo@operator.test"
TEXTS = {
    "en": NoticeText(nature="A list of registrations was sent to a wrong recipient.",
                     consequences="Your name and address may be read by one stranger.",
                     measures="We asked the recipient to delete it. Beware of phishing."),
    "fr": NoticeText(nature="Une liste d'inscriptions a été envoyée au mauvais destinataire.",
                     consequences="Votre nom et votre adresse ont pu être lus.",
                     measures="Nous avons demandé la suppression. Méfiez-vous des courriels."),
}


@pytest.fixture
def box(smtp_server: Any, django_capture_on_commit_callbacks: Any) -> Mailbox:
    """What the real SMTP server received."""
    return Mailbox(smtp_server, django_capture_on_commit_callbacks)


@pytest.fixture(autouse=True)
def _contact(settings: Any) -> None:
    settings.PRIVACY_CONTACT_EMAIL = CONTACT


@pytest.fixture
def people(event_a: Any, box: Any) -> dict[str, Any]:
    with box.deliver():
        en = register(event_a, email="june@example.org", first_name="June",
                      last_name="Hart", language="en").registration
        fr = register(event_a, email="lea@example.org", first_name="Léa",
                      last_name="Morel", language="fr").registration
    return {"en": en, "fr": fr}


def _notices(box: Any, address: str) -> list[Any]:
    """The breach notices ``address`` received (single-part mails that give the contact)."""
    return [m for m in box.to(address)
            if not m.is_multipart() and CONTACT in box.body(m)]


def _incident(client: Client) -> Incident:
    incident = open_incident(Source.STAFF, summary="Registrations sent to a wrong recipient",
                             refs=[f"client:{client.pk}"], client_id=client.pk)
    store_affected(incident, Scope(clients=(client.pk,)), actor="account:1")
    return incident


def test_p5_1_three_part_notice_reaches_each_person_in_their_language(
        client_a: Client, people: Any, box: Any) -> None:
    incident = _incident(client_a)
    record_client_instruction(incident, client_a, by="account:5", at=now(),
                              text="Tell our participants today")
    before = len(box.messages)
    with box.deliver():
        ids = send_participant_notices(incident, TEXTS, actor="account:1")
    assert len(ids) == 2
    received = box.messages[before:]
    assert len(received) == 2
    [english] = [m for m in received if m["X-Envelope-To"] == "june@example.org"]
    [french] = [m for m in received if m["X-Envelope-To"] == "lea@example.org"]
    body = box.body(english)
    for part in (TEXTS["en"].nature, TEXTS["en"].consequences, TEXTS["en"].measures, CONTACT):
        assert part in body
    assert TEXTS["fr"].nature not in body
    with translation.override("en"):
        assert box.subject(english) == "Important: a security incident concerning " \
                                           "your data"
    body = box.body(french)
    for part in (TEXTS["fr"].nature, TEXTS["fr"].consequences, TEXTS["fr"].measures, CONTACT):
        assert part in body
    assert TEXTS["en"].nature not in body
    with translation.override("fr"):
        # The French subject has a non-breaking space before its colon; folding the mail
        # header turns it into a plain space on the way.
        assert box.subject(french) == translation.gettext(
            "Important: a security incident concerning your data").replace("\xa0", " ")
        assert translation.gettext("What it may mean for you") in body
    assert "What it may mean for you" in box.body(english)
    # Per-recipient status, pseudonymous; and the notification is in the register.
    status = participant_status(incident)
    assert {row["message"] for row in status} == set(ids)
    assert {row["status"] for row in status} == {"sent"}
    assert {row["subject"] for row in status} == {f"subject:{people['en'].subject_id}",
                                                  f"subject:{people['fr'].subject_id}"}
    assert breach.notified(incident, Kind.PARTICIPANTS)


def test_p5_1_client_data_without_the_clients_instruction_is_refused(
        client_a: Client, people: Any) -> None:
    incident = _incident(client_a)
    with pytest.raises(ValidationError) as caught, translation.override("en"):
        send_participant_notices(incident, TEXTS, actor="account:1")
    assert "ALPHA" in caught.value.messages[0] and "instruction" in caught.value.messages[0]
    assert not OutboxMessage.objects.filter(kind="breach.participant").exists()
    assert not breach.notified(incident, Kind.PARTICIPANTS)


def test_p5_1_a_cosigned_notice_names_the_client(client_a: Client, people: Any,
                                                 box: Any) -> None:
    incident = _incident(client_a)
    record_client_instruction(incident, client_a, by="account:5", at=now(),
                              text="Send it signed with our name", cosign=True)
    with box.deliver():
        send_participant_notices(incident, TEXTS, actor="account:1")
    [mail] = _notices(box, "june@example.org")
    assert "ALPHA" in box.body(mail)


def test_p5_1_a_restricted_person_still_receives_the_notice(
        client_a: Client, people: Any, box: Any) -> None:
    restriction.restrict([people["en"].subject_id], actor="account:1", source="manager")
    incident = _incident(client_a)
    record_client_instruction(incident, client_a, by="account:5", at=now(), text="Go ahead")
    with box.deliver():
        ids = send_participant_notices(incident, TEXTS, actor="account:1")
    assert len(ids) == 2
    [mail] = _notices(box, "june@example.org")
    assert TEXTS["en"].nature in box.body(mail)


@pytest.mark.parametrize("missing", ["nature", "consequences", "measures"])
def test_p5_1_a_notice_missing_one_of_the_three_parts_is_refused(
        missing: str, client_a: Client, people: Any) -> None:
    texts = dict(TEXTS)
    texts["fr"] = NoticeText(**{**TEXTS["fr"].__dict__, missing: "  "})
    with pytest.raises(ValidationError) as caught, translation.override("en"):
        validate_texts(texts)
    [message] = caught.value.message_dict[f"{missing}_fr"]
    assert "FR" in message and "three parts" in message
    incident = _incident(client_a)
    record_client_instruction(incident, client_a, by="account:5", at=now(), text="Go ahead")
    with pytest.raises(ValidationError):
        send_participant_notices(incident, texts, actor="account:1")
    assert not OutboxMessage.objects.filter(kind="breach.participant").exists()


def test_p5_1_a_template_missing_a_part_is_refused() -> None:
    with pytest.raises(ValidationError) as caught, translation.override("en"):
        validate_template("Hello,\n{{ nature }}\n{{ measures }}\nWrite to {{ contact }}")
    assert "{{ consequences }}" in caught.value.messages[0]
    validate_template("{{ nature }} {{consequences}} {{ measures }} {{ contact }}")


def test_p5_1_the_instruction_is_for_an_affected_client_and_holds_no_personal_data(
        client_a: Client, client_b: Client, people: Any) -> None:
    incident = _incident(client_a)
    with pytest.raises(ValidationError) as caught, translation.override("en"):
        record_client_instruction(incident, client_b, by="account:5", at=now(), text="Go")
    assert "client" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        record_client_instruction(incident, client_a, by="account:5", at=now(),
                                  text="Call boss@alpha.test first")
    assert "text" in caught.value.message_dict


# --- clients --------------------------------------------------------------------------------

def _assess(incident: Incident, client: Client) -> None:
    breach.assess(incident, actor="account:1", natures=["confidentiality"],
                  data_categories=["registrations.Registration"], people_approx=2,
                  records_approx=2, likely_consequences="Phishing attempts are possible.",
                  risk_level="risk", risk_reasoning="Names and addresses, no passwords.",
                  measures_taken="The recipient deleted the file.",
                  measures_proposed="Warn participants about phishing.", role="processor",
                  client_ids=[client.pk])


def test_p6_7_the_client_notice_reaches_owners_with_the_art_33_3_facts(
        client_a: Client, client_b: Client, owner_a: Any, owner_b: Any, people: Any,
        box: Any) -> None:
    incident = _incident(client_a)
    with pytest.raises(ValidationError):  # not before the assessment
        notify_clients(incident, actor="account:1")
    _assess(incident, client_a)
    store_affected(incident, Scope(clients=(client_a.pk,)), actor="account:1")
    owner_a.language = "en"  # the notice comes in the member's language
    owner_a.save()
    with box.deliver():
        assert notify_clients(incident, actor="account:1") == 1
    [mail] = _notices(box, owner_a.email)
    body = box.body(mail)
    for fact in ("Phishing attempts are possible.", "The recipient deleted the file.",
                 "Warn participants about phishing.", CONTACT, incident.reference,
                 "confidentiality", incident.aware_at.isoformat()):
        assert fact in body
    assert "People concerned (approximate): 2" in body
    assert "As processor of ALPHA's data, livesession tells you" in body
    assert not _notices(box, owner_b.email)
    assert breach.notified(incident, Kind.CLIENT, client_a.pk)
    assert not breach.deadline(incident, Kind.CLIENT) < now()

    # The Manager page: the client's owner reads every fact; another client gets 404.
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(owner_a)
    listing = browser.get(f"/manager/{client_a.slug}/breaches/")
    assert listing.status_code == 200 and incident.reference in listing.content.decode()
    page = browser.get(f"/manager/{client_a.slug}/breaches/{incident.pk}/")
    text = page.content.decode()
    assert page.status_code == 200
    for fact in ("Phishing attempts are possible.", "Warn participants about phishing.",
                 CONTACT, "Registration"):
        assert fact in text
    other = Browser(HTTP_ACCEPT_LANGUAGE="en")
    other.force_login(owner_b)
    assert other.get(f"/manager/{client_a.slug}/breaches/{incident.pk}/").status_code == 404
    assert other.get(f"/manager/{client_b.slug}/breaches/{incident.pk}/").status_code == 404
    assert incident.reference not in other.get(
        f"/manager/{client_b.slug}/breaches/").content.decode()


def test_p6_7_members_who_are_not_owners_or_admins_cannot_read_the_notices(
        client_a: Client, make_member: Any) -> None:
    viewer = make_member(client_a, "viewer", "viewer@alpha.test")
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(viewer)
    assert browser.get(f"/manager/{client_a.slug}/breaches/").status_code == 403
