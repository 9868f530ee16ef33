"""Compliance evidence for each client (issue 6 §7; P6.6, P-06; GDPR art. 28(3)(h)): one
page and one ZIP with its processor record, sub-processors, retention rules and purges,
operator staff accesses, request-desk history, security measures and the audit chain's
state; owners and administrators only, never another client's facts."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from typing import Any

import jsonschema
import pytest
from django.test import Client as Browser
from django.urls import reverse
from django.utils import translation

from livesession.audit.models import AuditEntry
from livesession.audit.services import record
from livesession.core.clock import now
from livesession.core.models import Client, Role
from livesession.desk.services import record_request
from livesession.processors.models import ChangeNotice
from livesession.processors.services import add_subprocessor, object_to
from livesession.registers import services
from livesession.retention.purge import run_purge
from livesession.retention.services import place_hold
from tests.audit.tampering import raw, trigger_off

REASON = "The client's ticket 4711 asks to check a registration that fails"


def evidence_of(client: Client) -> dict[str, Any]:
    with translation.override("en"):
        return services.evidence(client)


def test_p6_6_request_desk_history_counts_by_type_status_and_overdue(
        client_a: Client, client_b: Client) -> None:
    today = now().date()
    record_request(client=client_a, type="erasure", channel="email",
                   received_on=today - dt.timedelta(days=40), email="late@example.org",
                   actor="test")
    record_request(client=client_a, type="access", channel="post", received_on=today,
                   email="fresh@example.org", actor="test")
    record_request(client=client_b, type="access", channel="email", received_on=today,
                   email="other@example.org", actor="test")
    desk = evidence_of(client_a)["request_desk"]
    assert desk["total"] == 2 and desk["open"] == 2 and desk["overdue"] == 1
    assert {t["type"]: t["count"] for t in desk["by_type"]} == {"erasure": 1, "access": 1}
    assert {s["status"]: s["count"] for s in desk["by_status"]} == {"received": 2}
    assert evidence_of(client_b)["request_desk"]["total"] == 1


def test_p6_6_staff_accesses_show_to_their_client_only(client_a: Client, client_b: Client,
                                                       operator: Any) -> None:
    from livesession.staffaccess.services import open_grant  # issue 6 §6 (helper app)

    open_grant(operator, client_a, REASON, "T-4711")
    mine = evidence_of(client_a)["staff_access"]
    assert mine["available"] is True
    assert [(g["staff"], g["reason"], g["ticket"]) for g in mine["grants"]] == [
        (f"account:{operator.pk}", REASON, "T-4711")]
    assert mine["audit_entries"] == 1
    other = evidence_of(client_b)["staff_access"]
    assert other["grants"] == [] and other["audit_entries"] == 0


def test_p6_6_retention_rules_holds_and_purges(client_a: Client, client_b: Client) -> None:
    place_hold(client_a, reason="Litigation with a participant, court of Lyon", actor="test")
    run = run_purge()
    retention = evidence_of(client_a)["retention"]
    assert retention["available"] is True
    assert "registrations" in {r["category"] for r in retention["rules"]}
    assert [h["reason"] for h in retention["holds"]] == [
        "Litigation with a participant, court of Lyon"]
    assert retention["purge_runs"][0]["started_at"] == run.started_at.isoformat()
    assert retention["purge_runs"][0]["status"] == "done"
    # the runs are the platform's: their counts (every client's rows) stay out
    assert set(retention["purge_runs"][0]) == {"started_at", "finished_at", "status",
                                               "resumed", "categories"}
    assert "registrations" in retention["purge_runs"][0]["categories"]
    assert evidence_of(client_b)["retention"]["holds"] == []


def test_p6_6_sub_processor_notices_with_this_clients_objection(client_a: Client,
                                                                client_b: Client) -> None:
    add_subprocessor({
        "legal_entity": "Stockage Europe SAS", "service_kind": "hosting_storage",
        "service": "Object storage for backups", "country": "FR",
        "data_categories": ["backups"], "mechanism": "eea",
        "active_from": now().date() + dt.timedelta(days=30)}, actor="test")
    notice = ChangeNotice.objects.get()
    object_to(notice, client_a.memberships.get(role=Role.OWNER),
              reason="We need the backups in our own country", actor="test")
    assert [n["objected"] for n in evidence_of(client_a)["sub_processors"]["notices"]] == [True]
    assert [n["objected"] for n in evidence_of(client_b)["sub_processors"]["notices"]] == [False]
    entries = evidence_of(client_a)["sub_processors"]["entries"]
    assert "Stockage Europe SAS" in [e["legal_entity"] for e in entries]


def test_p6_6_the_audit_chain_state_is_shown_and_a_break_is_named(client_a: Client) -> None:
    audit = evidence_of(client_a)["audit"]
    assert audit["intact"] is True and audit["broken_id"] is None
    assert audit["client_entries"] == AuditEntry.objects.filter(client_id=client_a.pk).count()
    victim = record("test", "probe.entry", client_id=client_a.pk)
    record("test", "probe.after")
    with trigger_off():
        raw("UPDATE audit_auditentry SET details = %s WHERE id = %s", ['{"n": 3}', victim.pk])
    audit = evidence_of(client_a)["audit"]
    assert audit["intact"] is False and audit["broken_id"] == victim.pk


def test_p6_6_owner_downloads_the_evidence_zip(owner_a: Any, client_a: Client,
                                               client_b: Client) -> None:
    browser = Browser()
    browser.force_login(owner_a)
    page = browser.get(reverse("manager:compliance", kwargs={"client_slug": "alpha"}),
                       HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    body = page.content.decode()
    for heading in ("Processor record", "Sub-processors", "Retention", "Operator staff "
                    "accesses to your data", "Rights requests", "Audit trail",
                    "Security measures"):
        assert heading in body
    answer = browser.get(reverse("manager:compliance-export", kwargs={"client_slug": "alpha"}),
                         HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 200 and answer["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(answer.content))
    assert set(archive.namelist()) == {
        "evidence.json", "evidence.html", "processor-record.json", "processor-record.csv",
        "processor-record.html", "register-v1.schema.json"}
    evidence = json.loads(archive.read("evidence.json"))
    assert evidence["client"] == {"id": f"client:{client_a.pk}", "name": "ALPHA",
                                  "slug": "alpha"}
    jsonschema.validate(json.loads(archive.read("processor-record.json")),
                        json.loads(archive.read("register-v1.schema.json")))
    html = archive.read("evidence.html").decode()
    assert "@media print" in html and "Compliance evidence: ALPHA" in html
    assert all(b"BETA" not in archive.read(name) for name in archive.namelist())
    exported = AuditEntry.objects.get(action="registers.evidence_exported")
    assert (exported.client_id, exported.actor) == (client_a.pk, f"account:{owner_a.pk}")


@pytest.mark.parametrize(("role", "status"), [(Role.ADMIN, 200), (Role.ORGANIZER, 403),
                                              (Role.VIEWER, 403)])
def test_p6_6_evidence_is_for_owners_and_administrators(role: str, status: int,
                                                        client_a: Client,
                                                        make_member: Any) -> None:
    browser = Browser()
    browser.force_login(make_member(client_a, role, f"{role}@alpha.test"))
    for name in ("manager:compliance", "manager:compliance-export"):
        assert browser.get(reverse(name, kwargs={"client_slug": "alpha"})).status_code \
            == status
    # every member reads its own processor record (P-06)
    assert browser.get(reverse("manager:register", kwargs={"client_slug": "alpha"})
                       ).status_code == 200

