"""The console's "Audit trail" page (P6.6, P3.4): operator staff only, chain status,
pseudonymous entries, filters by client and action."""

from __future__ import annotations

from typing import Any

from django.test import Client as Browser

from livesession.audit.models import AuditEntry
from livesession.audit.services import record
from livesession.registrations.services import register
from tests.audit.tampering import raw, trigger_off


def _console(operator: Any) -> Browser:
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(operator)
    return browser


def test_p6_6_only_operator_staff_see_the_trail(owner_a: Any) -> None:
    member = Browser()
    member.force_login(owner_a)
    assert member.get("/console/audit/").status_code == 404
    assert member.post("/console/audit/verify/").status_code == 404
    assert Browser().get("/console/audit/").status_code == 302  # to sign-in


def test_p6_6_trail_lists_pseudonymous_entries_and_filters(operator: Any, client_a: Any,
                                                           client_b: Any,
                                                           event_a: Any) -> None:
    register(event_a, email="someone.private@example.org", first_name="Privata",
             last_name="Person")
    record("account:5", "test.alpha", client_id=client_a.pk, target="event:1")
    record("account:6", "test.beta", client_id=client_b.pk, target="event:2")
    browser = _console(operator)
    html = browser.get("/console/audit/").content.decode()
    assert "test.alpha" in html and "test.beta" in html and "registration.created" in html
    assert "someone.private" not in html and "Privata" not in html
    only_a = browser.get("/console/audit/", {"client": client_a.pk}).content.decode()
    assert "test.alpha" in only_a and "test.beta" not in only_a
    by_action = browser.get("/console/audit/", {"action": "test.beta"}).content.decode()
    assert "test.beta" in by_action and "test.alpha" not in by_action
    prefix = browser.get("/console/audit/", {"action": "test."}).content.decode()
    assert "test.alpha" in prefix and "test.beta" in prefix
    assert "registration.created" not in prefix
    bad = browser.get("/console/audit/", {"client": "999999"})
    assert bad.status_code == 400 and 'role="alert"' in bad.content.decode()


def test_p6_6_verify_now_shows_intact_then_broken(operator: Any) -> None:
    browser = _console(operator)
    first = record("account:1", "test.one")
    record("account:1", "test.two")
    assert "Not verified from the console yet" in browser.get("/console/audit/").content.decode()
    response = browser.post("/console/audit/verify/")
    assert response.status_code == 302
    html = browser.get("/console/audit/").content.decode()
    assert "intact" in html and 'role="alert"' not in html
    with trigger_off():
        raw("UPDATE audit_auditentry SET action = %s WHERE id = %s", ["test.forged", first.pk])
    browser.post("/console/audit/verify/")
    html = browser.get("/console/audit/").content.decode()
    assert 'role="alert"' in html and f"breaks at entry {first.pk}" in html
    assert AuditEntry.objects.filter(action="audit.verified").count() == 2


def test_older_entries_page(operator: Any) -> None:
    for i in range(105):
        record("account:1", f"test.n{i:03d}")
    browser = _console(operator)
    html = browser.get("/console/audit/").content.decode()
    assert "test.n104" in html and "test.n004" not in html and "Next page" in html
    pages = 0
    while "test.n004" not in html:  # 50 entries a page: the oldest is two pages on
        link = html.split('rel="next"')[0].rsplit('href="?', 1)[1].split('"')[0]
        html = browser.get(f"/console/audit/?{link.replace('&amp;', '&')}").content.decode()
        pages += 1
        assert "test.n104" not in html and pages <= 2
    assert pages == 2
