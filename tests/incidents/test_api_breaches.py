"""The breach register's API for operator staff (issue 8 §6; GDPR art. 33.5; P3.4, S-02):
session and CSRF, operator staff with the second factor proved only, members 404, the
same services and messages as the console."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client as Browser

from livesession.accounts.models import User
from livesession.audit.models import AuditEntry
from livesession.core.clock import now
from livesession.incidents.models import Incident, Source, Status
from livesession.incidents.services import open_incident

BASE = "/api/v1/breaches"


def _incident(hours_ago: float = 1, client: Any = None) -> Incident:
    aware = now().replace(microsecond=0) - dt.timedelta(hours=hours_ago)
    return open_incident(Source.NOT_ME, summary="Sign-in not recognised",
                         refs=["account:4"], detected_at=aware, aware_at=aware,
                         client_id=client.pk if client else None)


def _staff(operator: User) -> Browser:
    browser = Browser(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(operator)
    browser.get("/console/incidents/")  # the page sets the CSRF cookie
    return browser


def _post(browser: Browser, url: str, body: dict[str, Any] | None = None) -> Any:
    return browser.post(url, body or {}, content_type="application/json",
                        HTTP_X_CSRFTOKEN=browser.cookies["csrftoken"].value)


def test_art_33_5_staff_list_and_read_the_register(operator: User) -> None:
    first, second = _incident(5), _incident(2)
    browser = _staff(operator)
    listed = browser.get(BASE).json()["incidents"]
    assert [row["id"] for row in listed] == [str(second.pk), str(first.pk)]
    detail = browser.get(f"{BASE}/{first.pk}").json()
    assert detail["source"] == "not_me" and detail["risk_level"] is None
    assert detail["clock"]["cnil"]["seconds_left"] == pytest.approx(67 * 3600, abs=120)
    assert browser.get(f"{BASE}?status=closed").json()["incidents"] == []


def test_b_01_assess_decide_notify_close_through_the_api(operator: User,
                                                          client_a: Any) -> None:
    incident = _incident(client=client_a)
    browser = _staff(operator)
    url = f"{BASE}/{incident.pk}"
    answer = _post(browser, url + "/close")
    assert answer.status_code == 400
    assert "without its risk assessment" in str(answer.json()["errors"])
    answer = _post(browser, url + "/assess", {
        "natures": ["confidentiality"], "data_categories": ["accounts.User"],
        "people_approx": 1, "risk_level": "risk", "risk_reasoning": "Password reused",
        "likely_consequences": "Account takeover", "role": "controller"})
    assert answer.status_code == 200, answer.content
    assert answer.json()["risk_level"] == "risk"
    answer = _post(browser, url + "/decide", {"notify_cnil": True, "notify_people": True,
                                              "rationale": "Risk for the person"})
    assert answer.status_code == 200 and answer.json()["decision"]["notify_cnil"] is True
    answer = _post(browser, url + "/notifications", {"kind": "cnil",
                                                     "reference": "CNIL-2026-7"})
    assert answer.status_code == 201
    assert answer.json()["notifications"][0]["reference"] == "CNIL-2026-7"
    answer = _post(browser, url + "/close")
    assert answer.status_code == 200 and answer.json()["status"] == "closed"
    assert Incident.objects.get().status == Status.CLOSED
    actors = set(AuditEntry.objects.filter(action__startswith="incident.")
                 .exclude(action="incident.opened").values_list("actor", flat=True))
    assert actors == {f"account:{operator.pk}"}


def test_bad_input_answers_errors_per_field(operator: User) -> None:
    incident = _incident(hours_ago=80)
    browser = _staff(operator)
    answer = _post(browser, f"{BASE}/{incident.pk}/assess", {"natures": ["fire"],
                                                             "risk_level": "high"})
    errors = answer.json()["errors"]
    assert answer.status_code == 400 and {"natures", "risk_reasoning", "role"} <= set(errors)
    answer = _post(browser, f"{BASE}/{incident.pk}/notifications", {
        "kind": "participants", "at": (incident.aware_at + dt.timedelta(hours=73)).isoformat()})
    assert answer.status_code == 400
    assert "reason for the delay" in answer.json()["errors"]["delay_reason"][0]


def test_p3_4_csrf_is_enforced_on_changes(operator: User) -> None:
    incident = _incident()
    browser = _staff(operator)
    answer = browser.post(f"{BASE}/{incident.pk}/close", {}, content_type="application/json")
    assert answer.status_code == 403 and "CSRF" in answer.json()["detail"]
    assert not AuditEntry.objects.filter(action="incident.closed").exists()


def test_p3_4_members_get_404_and_visitors_403(owner_a: User) -> None:
    incident = _incident()
    member = Browser()
    member.force_login(owner_a)
    assert member.get(BASE).status_code == 404
    assert member.get(f"{BASE}/{incident.pk}").status_code == 404
    assert Browser().get(BASE).status_code == 403


@pytest.mark.real_mfa
def test_s_02_staff_without_the_second_factor_proved_get_403(operator: User) -> None:
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(operator)  # no code step: the second factor is not proved
    answer = browser.get(BASE)
    assert answer.status_code == 403 and "second factor" in answer.json()["detail"]


def test_an_api_token_is_not_operator_staff(client_a: Any) -> None:
    from livesession.api.services import create_token

    made = create_token(client_a, name="probe", actor="test")
    answer = Browser(HTTP_AUTHORIZATION=f"Bearer {made.secret}").get(BASE)
    assert answer.status_code in {401, 403}
    assert "incidents" not in answer.json()
