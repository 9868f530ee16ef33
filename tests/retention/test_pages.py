"""Retention pages: the Manager (a client's forecast, rules, shorter periods; P6.1 tenancy) and
the console (forecast, runs with counts, legal holds placed and lifted with reasons; P4.4)."""

from __future__ import annotations

from typing import Any

from django.test import Client as Browser

from livesession.audit.models import AuditEntry
from livesession.core.models import Role
from livesession.retention import services
from livesession.retention.models import ClientPeriod, LegalHold
from tests.retention.conftest import DAY, enrol, purge_at


def _as(user: Any) -> Browser:
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(user)
    return browser


def test_d_02_manager_shortens_a_period(owner_a: Any, event_a: Any) -> None:
    enrol(event_a, 2)
    browser = _as(owner_a)
    page = browser.get("/manager/alpha/retention/")
    html = page.content.decode()
    assert page.status_code == 200 and "What will be deleted" in html and "P6.10" in html
    done = browser.post("/manager/alpha/retention/period/",
                        {"category": "registrations", "period_days": "30"})
    assert done.status_code == 302
    assert services.period_for("registrations", event_a.client) == 30
    assert AuditEntry.objects.filter(action="retention.period_changed",
                                     actor=f"account:{owner_a.pk}").exists()


def test_d_02_manager_longer_than_the_bound_is_refused_with_the_bound(owner_a: Any) -> None:
    response = _as(owner_a).post("/manager/alpha/retention/period/",
                                 {"category": "registrations", "period_days": "400"})
    html = response.content.decode()
    assert response.status_code == 400 and 'role="alert"' in html
    assert "Choose 365 days or fewer." in html
    assert 'value="400"' in html  # what was typed stays
    assert not ClientPeriod.objects.exists()


def test_d_02_a_viewer_sees_but_cannot_change(client_a: Any, make_member: Any) -> None:
    viewer = make_member(client_a, Role.VIEWER, "viewer@alpha.test")
    browser = _as(viewer)
    assert browser.get("/manager/alpha/retention/").status_code == 200
    refused = browser.post("/manager/alpha/retention/period/",
                           {"category": "registrations", "period_days": "30"})
    assert refused.status_code == 403
    assert not ClientPeriod.objects.exists()


def test_p6_1_another_client_retention_page_is_404(owner_a: Any, client_b: Any) -> None:
    browser = _as(owner_a)
    assert browser.get("/manager/beta/retention/").status_code == 404
    assert browser.post("/manager/beta/retention/period/",
                        {"category": "registrations", "period_days": "3"}).status_code == 404


def test_p4_4_manager_shows_its_holds_and_not_others(owner_a: Any, client_b: Any,
                                                     event_a: Any) -> None:
    services.place_hold(event_a.client, reason="Tax audit 2026", actor="account:9")
    services.place_hold(client_b, reason="Other client matter", actor="account:9")
    html = _as(owner_a).get("/manager/alpha/retention/").content.decode()
    assert "Tax audit 2026" in html and "Other client matter" not in html


def test_p4_4_console_places_and_lifts_a_hold(operator: Any, event_a: Any) -> None:
    browser = _as(operator)
    refused = browser.post("/console/retention/holds/new/", {"client": "alpha", "reason": ""})
    assert refused.status_code == 400 and 'role="alert"' in refused.content.decode()
    assert not LegalHold.objects.exists()
    placed = browser.post("/console/retention/holds/new/",
                          {"client": "alpha", "event": str(event_a.pk),
                           "reason": "Court order 117"})
    assert placed.status_code == 302
    hold = LegalHold.objects.get()
    assert hold.scope == "event" and hold.created_by == f"account:{operator.pk}"
    page = browser.get("/console/retention/").content.decode()
    assert "Court order 117" in page and event_a.title not in page  # client data stays out
    no_reason = browser.post(f"/console/retention/holds/{hold.pk}/lift/", {"reason": ""})
    assert no_reason.status_code == 400
    lifted = browser.post(f"/console/retention/holds/{hold.pk}/lift/", {"reason": "Closed"})
    assert lifted.status_code == 302
    hold.refresh_from_db()
    assert hold.lifted_at is not None and hold.lift_reason == "Closed"


def test_p4_4_console_hold_on_another_clients_event_is_refused(operator: Any,
                                                               event_b: Any,
                                                               client_a: Any) -> None:
    response = _as(operator).post("/console/retention/holds/new/",
                                  {"client": "alpha", "event": str(event_b.pk),
                                   "reason": "Mistake"})
    assert response.status_code == 400
    assert "This client has no event with this id." in response.content.decode()
    assert not LegalHold.objects.exists()


def test_console_shows_runs_with_counts(operator: Any, event_a: Any) -> None:
    enrol(event_a, 3)
    purge_at(event_a.ends_at + 366 * DAY)
    html = _as(operator).get("/console/retention/").content.decode()
    assert "registrations: 3" in html


def test_pages_are_for_their_people(owner_a: Any) -> None:
    assert _as(owner_a).get("/console/retention/").status_code == 404
    assert Browser().get("/manager/alpha/retention/").status_code == 302
