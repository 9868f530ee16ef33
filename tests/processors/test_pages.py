"""Pages of the sub-processor register: the console (operator staff) adds and changes
entries and reads objections; the Manager shows the register and takes objections from
owners and administrators (P2.4, P6.11, P6.1)."""

from __future__ import annotations

from typing import Any

from django.test import Client as Browser

from livesession.core.models import Role
from livesession.processors import services
from livesession.processors.models import ChangeNotice, Objection, SubProcessor
from tests.processors.test_register import entry


def _as(user: Any) -> Browser:
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(user)
    return browser


def _form(**overrides: Any) -> dict[str, Any]:
    data = {**entry(), **overrides}
    data["active_from"] = data["active_from"].isoformat()
    return data


def test_p6_11_console_refuses_a_non_hosting_service_and_keeps_the_input(operator: Any) -> None:
    browser = _as(operator)
    response = browser.post("/console/subprocessors/new/",
                            _form(service_kind="analytics", legal_entity="Tracker Corp"))
    html = response.content.decode()
    assert response.status_code == 400 and 'role="alert"' in html
    assert "Only hosting can be a sub-processor" in html
    assert 'value="Tracker Corp"' in html  # nothing typed is lost
    assert not SubProcessor.objects.filter(legal_entity="Tracker Corp").exists()


def test_p2_4_console_adds_and_changes_an_entry(operator: Any, client_a: Any) -> None:
    browser = _as(operator)
    response = browser.post("/console/subprocessors/new/", _form())
    assert response.status_code == 302
    row = SubProcessor.objects.get(legal_entity="Stockage Europe SAS")
    assert ChangeNotice.objects.filter(subprocessor=row).count() == 1
    page = browser.get("/console/subprocessors/").content.decode()
    assert "Stockage Europe SAS" in page and "Inside the European Economic Area" in page
    changed = browser.post(f"/console/subprocessors/{row.pk}/",
                           _form(service="Object storage, Strasbourg"))
    assert changed.status_code == 302
    row.refresh_from_db()
    assert row.service == "Object storage, Strasbourg"
    assert ChangeNotice.objects.filter(subprocessor=row).count() == 2


def test_p2_4_client_sees_register_and_owner_objects(client_a: Any, owner_a: Any,
                                                    operator: Any, make_member: Any) -> None:
    row = services.add_subprocessor(entry(), actor="account:1")
    notice = ChangeNotice.objects.get(subprocessor=row)
    viewer = make_member(client_a, Role.VIEWER, "viewer@alpha.test")
    page = _as(viewer).get("/manager/alpha/subprocessors/").content.decode()
    assert "Stockage Europe SAS" in page and "Object to this change" not in page
    assert _as(viewer).post("/manager/alpha/subprocessors/object/",
                            {"notice": notice.pk, "reason": "No"}).status_code == 403
    owner = _as(owner_a)
    assert "Object to this change" in owner.get("/manager/alpha/subprocessors/").content.decode()
    empty = owner.post("/manager/alpha/subprocessors/object/",
                       {"notice": notice.pk, "reason": ""})
    assert empty.status_code == 400 and 'role="alert"' in empty.content.decode()
    sent = owner.post("/manager/alpha/subprocessors/object/",
                      {"notice": notice.pk, "reason": "Our contract names a single host."})
    assert sent.status_code == 302
    assert Objection.objects.get(client=client_a).reason == "Our contract names a single host."
    assert "Your organization objected" in owner.get(
        "/manager/alpha/subprocessors/").content.decode()
    console = _as(operator).get("/console/subprocessors/objections/").content.decode()
    assert "Our contract names a single host." in console and client_a.name in console
    owner.post("/manager/alpha/subprocessors/withdraw/", {"notice": notice.pk})
    assert Objection.objects.get(client=client_a).withdrawn_at is not None


def test_p6_1_another_clients_manager_pages_are_404(client_a: Any, client_b: Any,
                                                   owner_a: Any) -> None:
    row = services.add_subprocessor(entry(), actor="account:1")
    notice = ChangeNotice.objects.get(subprocessor=row)
    owner = _as(owner_a)
    assert owner.get("/manager/beta/subprocessors/").status_code == 404
    assert owner.post("/manager/beta/subprocessors/object/",
                      {"notice": notice.pk, "reason": "Across"}).status_code == 404
    assert not Objection.objects.exists()
    assert owner.get("/console/subprocessors/").status_code == 404
