"""The breach register in the operator console (issue 8 §3-§5; GDPR art. 33.5; B-01, B-02):
countdowns and risk in the list, the assessment, decision, notification and close forms on
the detail, and the register as JSON and as a printable page, every incident included."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.test import Client as Browser

from livesession.accounts.models import User
from livesession.core.clock import freeze, now
from livesession.incidents import breach
from livesession.incidents.models import Incident, Kind, Risk, Role, Source, Status
from livesession.incidents.services import open_incident


def _browser(user: User) -> Browser:
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(user)
    return browser


def _incident(hours_ago: float = 1, client: Any = None) -> Incident:
    aware = now().replace(microsecond=0) - dt.timedelta(hours=hours_ago)
    return open_incident(Source.STAFF, summary="Laptop stolen", refs=["account:9"],
                         detected_at=aware, aware_at=aware,
                         client_id=client.pk if client else None)


def test_b_02_the_list_shows_countdowns_and_risk(operator: User) -> None:
    incident = _incident(hours_ago=10)
    moment = incident.aware_at + dt.timedelta(hours=10)
    with freeze(moment):
        page = _browser(operator).get("/console/incidents/").content.decode()
    assert "62 h 00 min left" in page  # CNIL and people: 72 h
    assert "14 h 00 min left" in page  # clients: 24 h
    assert "Not assessed" in page
    with freeze(incident.aware_at + dt.timedelta(hours=75)):
        page = _browser(operator).get("/console/incidents/").content.decode()
    assert "overdue by 3 h 00 min" in page


def test_b_01_staff_assess_decide_notify_and_close_from_the_detail(operator: User,
                                                                  client_a: Any) -> None:
    incident = _incident(client=client_a)
    browser = _browser(operator)
    url = f"/console/incidents/{incident.pk}/"
    page = browser.get(url).content.decode()
    assert "Assess the risk" in page and "Deadlines" in page
    answer = browser.post(url + "assess/", {
        "assess-natures": ["confidentiality"], "assess-data_categories": ["accounts.User"],
        "assess-people_approx": "3", "assess-records_approx": "3",
        "assess-likely_consequences": "Phishing", "assess-risk_level": "risk",
        "assess-risk_reasoning": "Emails readable", "assess-measures_taken": "Reset",
        "assess-measures_proposed": "", "assess-role": "processor",
        "assess-clients": [str(client_a.pk)]})
    assert answer.status_code == 302 and answer["Location"] == url
    answer = browser.post(url + "decide/", {"decide-notify_cnil": "on",
                                            "decide-rationale": "Risk to the people"})
    assert answer.status_code == 302
    answer = browser.post(url + "notifications/", {
        "notify-kind": "client", "notify-phase": "initial", "notify-client": client_a.pk,
        "notify-reference": "", "notify-delay_reason": ""})
    assert answer.status_code == 302
    incident.refresh_from_db()
    assert incident.risk_level == Risk.RISK and incident.notify_cnil is True
    assert incident.notifications.get().client == client_a
    assert browser.post(url + "close/").status_code == 302
    incident.refresh_from_db()
    assert incident.status == Status.CLOSED
    page = browser.get(url).content.decode()
    assert "Record the assessment" not in page  # a closed incident no longer changes


def test_b_01_closing_without_assessment_says_why_on_the_page(operator: User) -> None:
    incident = _incident()
    answer = _browser(operator).post(f"/console/incidents/{incident.pk}/close/")
    page = answer.content.decode()
    assert answer.status_code == 400 and 'role="alert"' in page
    assert "cannot be closed without its risk assessment" in page
    incident.refresh_from_db()
    assert incident.status == Status.OPEN


def test_assessment_errors_keep_what_was_typed(operator: User) -> None:
    incident = _incident()
    answer = _browser(operator).post(f"/console/incidents/{incident.pk}/assess/", {
        "assess-natures": ["integrity"], "assess-risk_level": "high",
        "assess-risk_reasoning": "Write to lou@example.org for details",
        "assess-likely_consequences": "Tampered answers", "assess-role": "processor"})
    page = answer.content.decode()
    assert answer.status_code == 400 and 'role="alert"' in page
    assert "email address" in page and "name the client" in page
    assert "Tampered answers</textarea>" in page
    incident.refresh_from_db()
    assert incident.assessed_at is None


def test_b_02_a_late_notification_without_reason_is_refused_on_the_page(
        operator: User) -> None:
    incident = _incident(hours_ago=80)
    late = (incident.aware_at + dt.timedelta(hours=75)).astimezone()
    answer = _browser(operator).post(f"/console/incidents/{incident.pk}/notifications/", {
        "notify-kind": "cnil", "notify-phase": "initial",
        "notify-at": late.strftime("%Y-%m-%dT%H:%M"), "notify-reference": "CNIL-9"})
    assert answer.status_code == 400
    assert "give the reason for the delay" in answer.content.decode()
    assert not incident.notifications.exists()


def test_art_33_5_the_register_exports_every_incident_as_json_and_html(
        operator: User) -> None:
    quiet = _incident()
    notified = _incident()
    breach.assess(notified, actor="account:1", natures=["availability"], data_categories=[],
                  people_approx=None, records_approx=None, likely_consequences="",
                  risk_level=Risk.NONE, risk_reasoning="Encrypted", measures_taken="",
                  measures_proposed="", role=Role.CONTROLLER)
    notified.refresh_from_db()
    breach.record_notification(notified, actor="account:1", kind=Kind.CNIL,
                               reference="CNIL-77")
    browser = _browser(operator)
    answer = browser.get("/console/incidents/register.json")
    assert answer.status_code == 200 and "attachment" in answer["Content-Disposition"]
    document = json.loads(answer.content)
    by_id = {row["id"]: row for row in document["incidents"]}
    assert set(by_id) == {str(quiet.pk), str(notified.pk)}  # not notified included
    assert by_id[str(quiet.pk)]["risk_level"] is None
    assert by_id[str(notified.pk)]["notifications"][0]["reference"] == "CNIL-77"
    assert by_id[str(notified.pk)]["clock"]["cnil"]["notified"] is True
    page = browser.get("/console/incidents/register/").content.decode()
    assert quiet.reference in page and notified.reference in page and "CNIL-77" in page
    assert "Not assessed" in page
