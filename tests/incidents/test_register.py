"""The breach register (issue 8 §1; GDPR art. 33.5, reference B-01): every incident is
assessed, decided and closed through services that check what they are given, audit every
step with pseudonymous ids, and refuse closing without the risk assessment."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from livesession.audit.models import AuditEntry
from livesession.core.clock import freeze, now
from livesession.core.models import Client
from livesession.incidents import breach
from livesession.incidents.models import Incident, Kind, Phase, Risk, Role, Source, Status
from livesession.incidents.services import open_incident

ACTOR = "account:1"


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


def _incident(client: Client | None = None, aware_at: dt.datetime | None = None) -> Incident:
    return open_incident(Source.STAFF, summary="Laptop stolen", refs=["account:9"],
                         client_id=client.pk if client else None,
                         detected_at=aware_at, aware_at=aware_at)


def _assess(incident: Incident, **overrides: Any) -> Incident:
    values: dict[str, Any] = dict(
        actor=ACTOR, natures=["confidentiality", "availability"],
        data_categories=["registrations.Registration"], people_approx=120, records_approx=340,
        likely_consequences="Phishing using the names and emails of the participants",
        risk_level=Risk.HIGH, risk_reasoning="Names and emails readable, disk not encrypted",
        measures_taken="Passwords reset", measures_proposed="Warn participants of phishing",
        role=Role.PROCESSOR, client_ids=[])
    values.update(overrides)
    return breach.assess(incident, **values)


def test_p3_7_assessment_is_recorded_and_audited(client_a: Client, client_b: Client) -> None:
    incident = _assess(_incident(client_a), client_ids=[client_a.pk, client_b.pk])
    incident.refresh_from_db()
    assert incident.natures == ["confidentiality", "availability"]
    assert incident.nature == "confidentiality"
    assert incident.data_categories == ["registrations.Registration"]
    assert (incident.people_approx, incident.records_approx) == (120, 340)
    assert incident.risk_level == Risk.HIGH and incident.role == Role.PROCESSOR
    assert set(incident.clients_affected.values_list("pk", flat=True)) == {client_a.pk,
                                                                           client_b.pk}
    assert incident.assessed_by == ACTOR and incident.assessed_at is not None
    entry = AuditEntry.objects.get(action="incident.assessed")
    assert entry.actor == ACTOR and entry.target == f"incident:{incident.pk}"
    assert entry.details["risk_level"] == "high"
    assert entry.details["clients"] == sorted([client_a.pk, client_b.pk])
    assert "Phishing" not in str(entry.details)  # words stay in the register, not the trail


def test_b_01_assessment_errors_say_what_is_wrong() -> None:
    incident = _incident()
    with pytest.raises(ValidationError) as caught:
        _assess(incident, natures=["unknown"], data_categories=["nope.Nothing"],
                risk_level="huge", risk_reasoning="", likely_consequences="",
                role="owner", people_approx=-1)
    errors = caught.value.message_dict
    assert "confidentiality, integrity or availability" in errors["natures"][0]
    assert "nope.Nothing" in errors["data_categories"][0]
    assert "risk level" in errors["risk_level"][0]
    assert "Explain why" in errors["risk_reasoning"][0]
    assert "controller" in errors["role"][0]
    assert "zero or more" in errors["people_approx"][0]
    incident.refresh_from_db()
    assert incident.assessed_at is None


def test_b_01_processor_names_the_clients_and_texts_hold_no_personal_data() -> None:
    with pytest.raises(ValidationError) as caught:
        _assess(_incident(), role=Role.PROCESSOR, client_ids=[],
                likely_consequences="Mail to lou@example.org leaked")
    errors = caught.value.message_dict
    assert "name the client" in errors["client_ids"][0]
    assert "email address" in errors["likely_consequences"][0]


def test_b_01_closing_is_refused_without_the_risk_assessment() -> None:
    incident = _incident()
    with pytest.raises(ValidationError) as caught:
        breach.close(incident, actor=ACTOR)
    assert "without its risk assessment" in caught.value.messages[0]
    incident.refresh_from_db()
    assert incident.status == Status.OPEN and incident.closed_at is None
    assert not AuditEntry.objects.filter(action="incident.closed").exists()


def test_b_01_closing_needs_the_decision_and_its_rationale(client_a: Client) -> None:
    incident = _assess(_incident(), role=Role.CONTROLLER)
    with pytest.raises(ValidationError) as caught:
        breach.close(incident, actor=ACTOR)
    assert "decision to notify or not" in caught.value.messages[0]
    with pytest.raises(ValidationError) as caught:
        breach.decide(incident, actor=ACTOR, notify_cnil=False, notify_people=False,
                      rationale="  ")
    assert "why you notify" in caught.value.message_dict["rationale"][0]
    incident = breach.decide(incident, actor=ACTOR, notify_cnil=True, notify_people=True,
                             rationale="High risk: names and emails exposed")
    closed = breach.close(incident, actor=ACTOR)
    assert closed.status == Status.CLOSED and closed.closed_at is not None
    assert [e.action for e in AuditEntry.objects.filter(action__startswith="incident.")
            .order_by("pk")] == [
        "incident.opened", "incident.assessed", "incident.decided", "incident.closed"]
    with pytest.raises(ValidationError):
        breach.decide(closed, actor=ACTOR, notify_cnil=False, notify_people=False,
                      rationale="Changed my mind")


def test_b_01_decision_needs_the_assessment_first() -> None:
    with pytest.raises(ValidationError) as caught:
        breach.decide(_incident(), actor=ACTOR, notify_cnil=False, notify_people=False,
                      rationale="Nothing leaked")
    assert "Assess the risk first" in caught.value.messages[0]


def test_b_02_phased_notifications_with_the_cnil_reference(client_a: Client) -> None:
    start = now().replace(microsecond=0) - dt.timedelta(hours=10)
    incident = _assess(_incident(aware_at=start), role=Role.CONTROLLER)
    with pytest.raises(ValidationError) as caught:
        breach.record_notification(incident, actor=ACTOR, kind=Kind.CNIL,
                                   phase=Phase.COMPLEMENTARY)
    assert "initial notification before" in caught.value.message_dict["phase"][0]
    first = breach.record_notification(incident, actor=ACTOR, kind=Kind.CNIL,
                                       reference="CNIL-2026-0042")
    second = breach.record_notification(incident, actor=ACTOR, kind=Kind.CNIL,
                                        phase=Phase.COMPLEMENTARY, reference="CNIL-2026-0042")
    assert [n.phase for n in incident.notifications.all()] == ["initial", "complementary"]
    assert first.reference == "CNIL-2026-0042" and not first.late and not second.late
    entries = AuditEntry.objects.filter(action="incident.notified").order_by("pk")
    assert [e.details["phase"] for e in entries] == ["initial", "complementary"]
    assert entries[0].details["reference"] == "CNIL-2026-0042"


def test_b_04_a_client_notice_names_an_affected_client(client_a: Client,
                                                       client_b: Client) -> None:
    incident = _assess(_incident(client_a), client_ids=[client_a.pk])
    with pytest.raises(ValidationError) as caught:
        breach.record_notification(incident, actor=ACTOR, kind=Kind.CLIENT,
                                   client_id=client_b.pk)
    assert "not among the clients affected" in caught.value.message_dict["client_id"][0]
    with pytest.raises(ValidationError) as caught:
        breach.record_notification(incident, actor=ACTOR, kind=Kind.CLIENT)
    assert "Choose the client" in caught.value.message_dict["client_id"][0]
    row = breach.record_notification(incident, actor=ACTOR, kind=Kind.CLIENT,
                                     client_id=client_a.pk)
    assert row.client == client_a
    assert breach.notified(incident, Kind.CLIENT, client_a.pk)
    assert not breach.notified(incident, Kind.CLIENT, client_b.pk)


def test_registry_categories_are_the_declared_personal_models() -> None:
    labels = [label for label, _name in breach.registry_categories()]
    assert "registrations.Registration" in labels and "accounts.User" in labels
    assert "incidents.Alert" not in labels  # declares nothing personal


def test_p3_7_the_frozen_clock_drives_the_assessment_time() -> None:
    moment = now().replace(microsecond=0)
    incident = _incident(aware_at=moment - dt.timedelta(hours=1))
    with freeze(moment):
        assessed = _assess(incident, role=Role.CONTROLLER)
    assert assessed.assessed_at == moment
