"""Incidents for the operator (issue 5 §7; the base of issue 8's register, GDPR art. 33.5):
one service opens them from every source, with no personal data in them, and the console
lists them with source, age and status for operator staff only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client as Browser
from django.utils import translation

from livesession.accounts.models import User
from livesession.audit.models import AuditEntry
from livesession.core.clock import freeze, now
from livesession.core.models import Client
from livesession.incidents.models import Incident, Nature, Source, Status
from livesession.incidents.services import open_incident


def _staff_browser(operator: User) -> Browser:
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(operator)
    return browser


# --- The service ----------------------------------------------------------------------------

def test_p1_5_open_incident_records_it_with_an_audit_entry(client_a: Client) -> None:
    moment = now().replace(microsecond=0)
    with freeze(moment):
        incident = open_incident(Source.UNUSUAL_EXPORT, summary="Large export at night",
                                 refs=["account:7", " client:3 ", "account:7"],
                                 client_id=client_a.pk)
    incident.refresh_from_db()
    assert incident.source == Source.UNUSUAL_EXPORT and incident.status == Status.OPEN
    assert incident.nature == Nature.UNKNOWN  # may be unknown at first
    assert incident.detected_at == incident.aware_at == moment
    assert incident.refs == ["account:7", "client:3"]
    assert incident.created_by == "system" and incident.client == client_a
    entry = AuditEntry.objects.get(action="incident.opened")
    assert entry.target == f"incident:{incident.pk}" and entry.client_id == client_a.pk
    assert entry.details == {"source": "unusual_export", "nature": "unknown"}


@pytest.mark.parametrize(("summary", "what"), [
    ("Seen from lou.bernard@example.org", "an email address"),
    ("Called from +33 6 12 34 56 78", "a phone number"),
    ("Requests from 203.0.113.45", "an IP address"),
    ("Requests from 2001:db8:abcd:12::1", "an IP address"),
])
def test_p6_5_a_summary_with_personal_data_is_refused(summary: str, what: str) -> None:
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        open_incident(Source.STAFF, summary=summary, refs=[])
    [message] = caught.value.message_dict["summary"]
    assert what in message and "account:12" in message
    assert not Incident.objects.exists()


def test_p6_5_references_must_be_pseudonymous_ids() -> None:
    with pytest.raises(ValidationError) as caught:
        open_incident(Source.STAFF, summary="Odd access", refs=["account:12", "Lou Bernard"])
    assert "Lou Bernard" in caught.value.message_dict["refs"][0]
    with pytest.raises(ValidationError):
        open_incident("rumour", summary="Odd access", refs=[])
    assert not Incident.objects.exists()


def test_aware_before_detected_or_in_the_future_is_refused() -> None:
    moment = now()
    with pytest.raises(ValidationError) as caught:
        open_incident(Source.STAFF, summary="Lost laptop", refs=[], detected_at=moment,
                      aware_at=moment - dt.timedelta(hours=1))
    assert "aware_at" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        open_incident(Source.STAFF, summary="Lost laptop", refs=[],
                      detected_at=moment + dt.timedelta(hours=1))
    assert "detected_at" in caught.value.message_dict
    made = open_incident(Source.STAFF, summary="Lost laptop", refs=[],
                         detected_at=moment - dt.timedelta(days=2),
                         aware_at=moment - dt.timedelta(hours=5))
    assert made.aware_at - made.detected_at == dt.timedelta(days=2) - dt.timedelta(hours=5)


# --- The console --------------------------------------------------------------------------

def test_p1_5_console_lists_source_age_and_status(operator: User, client_a: Client) -> None:
    start = now()
    with freeze(start - dt.timedelta(hours=5)):
        older = open_incident(Source.NOT_ME, summary="Holder reported misuse",
                              refs=["account:41"], nature=Nature.CONFIDENTIALITY)
    with freeze(start - dt.timedelta(days=3)):
        oldest = open_incident(Source.STAFF, summary="Backup disk missing", refs=[],
                               client_id=client_a.pk, nature=Nature.AVAILABILITY)
    Incident.objects.filter(pk=oldest.pk).update(status=Status.CLOSED)
    browser = _staff_browser(operator)
    with freeze(start):
        page = browser.get("/console/incidents/").content.decode()
    assert "“This was not me” report" in page and "Recorded by staff" in page
    assert "5 hours" in page and "3 days" in page
    assert "Open" in page and "Closed" in page
    assert client_a.name in page and "1 open incident." in page
    assert page.index(older.reference) < page.index(oldest.reference)  # newest first
    with freeze(start):
        only_open = browser.get("/console/incidents/?status=open").content.decode()
    assert older.reference in only_open and oldest.reference not in only_open

    with freeze(start):
        detail = browser.get(f"/console/incidents/{older.pk}/").content.decode()
    assert "Holder reported misuse" in detail and "account:41" in detail
    assert "Confidentiality" in detail and "5 hours ago" in detail


def test_p3_4_incidents_are_for_operator_staff_only(owner_a: User) -> None:
    made = open_incident(Source.STAFF, summary="Odd access", refs=[])
    member = Browser()
    member.force_login(owner_a)
    for url in ("/console/incidents/", f"/console/incidents/{made.pk}/"):
        assert member.get(url).status_code == 404
    assert member.post("/console/incidents/", {"summary": "Planted"}).status_code == 404
    anonymous = Browser().get("/console/incidents/")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    assert Incident.objects.count() == 1


def test_staff_record_an_incident_and_land_on_it(operator: User, client_b: Client) -> None:
    browser = _staff_browser(operator)
    answer = browser.post("/console/incidents/", {
        "summary": "A member's laptop was stolen", "nature": "confidentiality",
        "client": client_b.pk, "refs": "account:9, event:abc-123", "detected_at": "",
        "aware_at": ""})
    incident = Incident.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/console/incidents/{incident.pk}/"
    assert incident.source == Source.STAFF and incident.client == client_b
    assert incident.refs == ["account:9", "event:abc-123"]
    assert incident.created_by == f"account:{operator.pk}"


def test_staff_form_errors_say_what_to_fix_and_keep_the_text(operator: User) -> None:
    browser = _staff_browser(operator)
    typed = "Mail sent to camille.durand@example.org by mistake"
    answer = browser.post("/console/incidents/", {
        "summary": typed, "nature": "integrity", "refs": "Camille Durand",
        "detected_at": "2020-01-02T10:00", "aware_at": "2020-01-01T10:00"})
    page = answer.content.decode()
    assert answer.status_code == 400 and 'role="alert"' in page
    assert "seems to contain an email address" in page
    assert "not of the form kind:id" in page
    assert "cannot become aware before the detection" in page
    assert "camille.durand@example.org by mistake</textarea>" in page  # nothing typed is lost
    assert not Incident.objects.exists()
