"""Operator console: confidentiality first (P3.5), clients with their first owner, outbox
and worker health; no participant data on its pages (P3.4)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as Browser

from livesession.accounts.models import User
from livesession.audit.models import AuditEntry
from livesession.core.models import Client, Role
from livesession.registrations.services import register
from tests.conftest import PASSWORD, enroll_mfa


def test_p3_5_staff_acknowledge_confidentiality_before_first_access() -> None:
    from livesession.accounts.services import create_account

    staff = create_account("new.staff@operator.test", PASSWORD, is_operator=True, actor="t")
    enroll_mfa(staff)  # the second factor comes first (S-02, tests/staffaccess)
    browser = Browser()
    browser.force_login(staff)
    response = browser.get("/console/")
    assert response.status_code == 302 and response["Location"].endswith("/console/acknowledge/")
    browser.post("/console/acknowledge/", {"ack": "yes"})
    staff.refresh_from_db()
    assert staff.confidentiality_ack_at is not None
    assert AuditEntry.objects.filter(action="operator.confidentiality_acknowledged").exists()
    assert browser.get("/console/").status_code == 200


def test_operator_creates_a_client_with_its_first_owner(operator: Any) -> None:
    browser = Browser()
    browser.force_login(operator)
    response = browser.post("/console/", {"name": "Université Ouverte", "slug": "",
                                          "owner_email": "dean@univ.test"})
    html = response.content.decode()
    client = Client.objects.get(slug="universite-ouverte")
    owner = client.memberships.get(role=Role.OWNER).user
    assert owner.email == "dean@univ.test"
    password = html.split('class="secret">')[1].split("<")[0]
    signed_in = Browser().post("/accounts/login/", {"email": "dean@univ.test",
                                                    "password": password})
    assert signed_in.status_code == 302 and "/manager/" in signed_in["Location"]
    duplicate = browser.post("/console/", {"name": "Autre", "slug": "universite-ouverte",
                                           "owner_email": "x@univ.test"})
    assert duplicate.status_code == 400
    assert Client.objects.filter(slug="universite-ouverte").count() == 1


def test_outbox_and_worker_health_without_personal_data(operator: Any, event_a: Any) -> None:
    register(event_a, email="hidden.person@example.org", first_name="Hidden",
             last_name="Person")
    browser = Browser()
    browser.force_login(operator)
    html = browser.get("/console/outbox/").content.decode()
    assert "Inscription confirmée" in html  # the kind in words, in French by default
    assert "hidden.person" not in html and "Hidden" not in html
    home = browser.get("/console/").content.decode()
    assert "jamais vu" in home  # no worker has beaten in this test (French by default)


def test_operator_accounts_are_not_client_members(operator: Any, client_a: Any) -> None:
    from django.core.exceptions import ValidationError

    from livesession.core.services import add_member

    with pytest.raises(ValidationError):
        add_member(client_a, User.objects.get(pk=operator.pk), Role.VIEWER, actor="t")
    assert not client_a.memberships.filter(user=operator).exists()
