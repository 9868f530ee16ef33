"""Staff access to a client's data (P3.4, P3.5, P6.4, P6.5; gdpr P-03, S-07): a reason,
a time box, every read logged and shown to the client."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client as Browser

from livesession.accounts.services import create_account
from livesession.audit.models import AuditEntry
from livesession.core import clock
from livesession.registrations.services import register
from livesession.staffaccess import services
from livesession.staffaccess.models import StaffAccessGrant, StaffAccessRead
from tests.conftest import PASSWORD

REASON = "Client ticket: a registration fails with an error"


@pytest.fixture
def registrant(event_a: Any) -> Any:
    return register(event_a, email="camille@example.org", first_name="Camille",
                    last_name="Durand")


def _staff_browser(operator: Any) -> Browser:
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(operator)
    return browser


def test_p3_4_without_a_reason_no_access(operator: Any, client_a: Any) -> None:
    browser = _staff_browser(operator)
    response = browser.post("/console/access/", {"client": client_a.pk, "reason": "check"})
    assert response.status_code == 400
    assert b"at least 15 characters" in response.content and b'role="alert"' in response.content
    assert b"check" in response.content  # what was typed is kept
    assert not StaffAccessGrant.objects.exists()


def test_p3_5_s_07_no_grant_without_the_confidentiality_acknowledgement(client_a: Any) -> None:
    staff = create_account("new@operator.test", PASSWORD, is_operator=True, actor="t")
    with pytest.raises(ValidationError):
        services.open_grant(staff, client_a, REASON)


def test_p3_4_without_a_grant_403(operator: Any, client_a: Any, make_client: Any,
                                  event_a: Any) -> None:
    """A grant of another staff member, or one for another client, opens nothing."""
    other = create_account("other@operator.test", PASSWORD, is_operator=True, actor="t")
    other.confidentiality_ack_at = clock.now()
    other.save()
    theirs = services.open_grant(other, client_a, REASON)
    browser = _staff_browser(operator)
    response = browser.get(f"/console/access/{theirs.pk}/")
    assert response.status_code == 403 and b"No open access" in response.content
    assert browser.get(f"/console/access/{theirs.pk}/events/{event_a.pk}/").status_code == 403


def test_p3_4_p6_5_each_read_logged_and_shown_to_the_client(
        operator: Any, client_a: Any, owner_a: Any, event_a: Any, registrant: Any,
        event_b: Any) -> None:
    browser = _staff_browser(operator)
    opened = browser.post("/console/access/", {"client": client_a.pk, "reason": REASON,
                                               "ticket": "SUP-42"})
    grant = StaffAccessGrant.objects.get()
    assert opened["Location"] == f"/console/access/{grant.pk}/"
    assert browser.get(f"/console/access/{grant.pk}/").status_code == 200
    page = browser.get(f"/console/access/{grant.pk}/events/{event_a.pk}/")
    assert page.status_code == 200 and b"camille@example.org" in page.content
    # Another client's event does not exist under this grant.
    assert browser.get(f"/console/access/{grant.pk}/events/{event_b.pk}/").status_code == 404
    reads = list(StaffAccessRead.objects.filter(grant=grant).order_by("at", "id"))
    assert [r.what for r in reads] == ["list of events", f"registrants of event:{event_a.pk}"]
    assert reads[1].rows == 1
    entries = AuditEntry.objects.filter(action="staff_access.read", client_id=client_a.pk)
    assert entries.count() == 2
    assert "camille" not in str(list(entries.values_list("details", "target")))

    owner = Browser(HTTP_ACCEPT_LANGUAGE="en")
    owner.force_login(owner_a)
    shown = owner.get("/manager/alpha/staff-accesses/")
    assert shown.status_code == 200
    body = shown.content.decode()
    assert REASON in body and "SUP-42" in body and f"account:{operator.pk}" in body
    assert f"registrants of event:{event_a.pk}" in body


def test_p3_4_after_expiry_403(operator: Any, client_a: Any, event_a: Any,
                               settings: Any) -> None:
    settings.STAFF_ACCESS_HOURS = 4
    start = clock.now()
    with clock.freeze(start):
        grant = services.open_grant(operator, client_a, REASON)
    assert grant.expires_at == start + dt.timedelta(hours=4)
    browser = _staff_browser(operator)
    with clock.freeze(start + dt.timedelta(hours=3, minutes=59)):
        assert browser.get(f"/console/access/{grant.pk}/").status_code == 200
    with clock.freeze(start + dt.timedelta(hours=4)):
        assert browser.get(f"/console/access/{grant.pk}/").status_code == 403
        with pytest.raises(services.NoOpenGrant):
            services.record_read(operator, grant, "anything")


def test_p3_4_ended_early_403(operator: Any, client_a: Any) -> None:
    grant = services.open_grant(operator, client_a, REASON)
    browser = _staff_browser(operator)
    assert browser.post(f"/console/access/{grant.pk}/end/").status_code == 302
    assert browser.get(f"/console/access/{grant.pk}/").status_code == 403
    assert AuditEntry.objects.filter(action="staff_access.ended").exists()


def test_p3_4_client_members_other_than_owners_and_admins_do_not_see_the_page(
        client_a: Any, make_member: Any, owner_b: Any) -> None:
    viewer = make_member(client_a, "viewer", "viewer@alpha.test")
    browser = Browser()
    browser.force_login(viewer)
    assert browser.get("/manager/alpha/staff-accesses/").status_code == 403
    other = Browser()
    other.force_login(owner_b)
    assert other.get("/manager/alpha/staff-accesses/").status_code == 404


def test_p3_4_staff_name_survives_as_pseudonym(operator: Any, client_a: Any) -> None:
    grant = services.open_grant(operator, client_a, REASON)
    assert grant.staff_ref == f"account:{operator.pk}"
