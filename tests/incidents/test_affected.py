"""Who a breach affects (issue 8 §2, P5.1, B-03 a): people and records from a scope, counted
from the personal-data registry, checked against the data the test seeds."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from livesession.access.models import AccessLink
from livesession.audit.services import record
from livesession.core.clock import now
from livesession.core.models import Client
from livesession.incidents.affected import Scope, affected
from livesession.incidents.models import Incident, Source
from livesession.incidents.notices import store_affected, stored_affected
from livesession.incidents.services import open_incident
from livesession.messaging.models import OutboxMessage
from livesession.registrations.models import Registration
from livesession.registrations.services import register

REG = "registrations.Registration"


def _reg(event: Any, email: str, *, phone: str = "", at: dt.datetime | None = None
         ) -> Registration:
    registration = register(event, email=email, first_name="Ana",
                            last_name="Lopez").registration
    if phone:  # a field this event does not collect: set as an import would
        registration.mobile_phone = phone
        registration.save()
    if at is not None:  # written earlier, with its link and its mail: before the window
        Registration.objects.filter(pk=registration.pk).update(created_at=at, updated_at=at)
        AccessLink.objects.filter(registration=registration).update(created_at=at)
        OutboxMessage.objects.filter(registration=registration).update(created_at=at)
    return registration


@pytest.fixture
def seeded(client_a: Client, client_b: Client, make_client: Any, make_event: Any
           ) -> dict[str, Any]:
    client_c = make_client("gamma")
    a1, a2 = make_event(client_a, title="A one"), make_event(client_a, title="A two")
    b1, c1 = make_event(client_b), make_event(client_c)
    long_ago = now() - dt.timedelta(days=30)
    inside = [_reg(a1, "in1@example.org", phone="+33612345678"),
              _reg(a1, "in2@example.org"),
              _reg(b1, "in3@example.org", phone="+33698765432")]
    outside = [_reg(a1, "old@example.org", at=long_ago),   # before the window
               _reg(a2, "other-event@example.org"),         # another event of client A
               _reg(c1, "other-client@example.org")]        # a client out of scope
    return {"a": client_a, "b": client_b, "c": client_c, "events": (a1.pk, b1.pk),
            "inside": inside, "outside": outside}


def test_p5_1_scoped_incident_two_clients_one_event_each_and_a_window(seeded: Any) -> None:
    """Clients A and B, events A1 and B1, rows written in the last day: the three people
    registered there, not the older row, the other event, nor the other client."""
    scope = Scope(clients=(seeded["a"].pk, seeded["b"].pk), events=seeded["events"],
                  since=now() - dt.timedelta(days=1), until=now() + dt.timedelta(minutes=1))
    found = affected(scope)
    assert found.subjects == {r.subject_id for r in seeded["inside"]}
    assert found.people == 3
    assert found.rows[REG] == 3
    assert found.rows["access.AccessLink"] == 3  # each registration's personal link
    assert found.counts[f"{REG}.email_enc"] == 3
    assert found.counts[f"{REG}.mobile_phone_enc"] == 2   # two gave a phone
    assert found.by_client == {seeded["a"].pk: 2, seeded["b"].pk: 1}
    assert found.records == sum(found.rows.values()) >= 3
    # Only models with a path to the person and to the event are counted; the others say so.
    assert "protection.Subject" in found.skipped or "protection.Subject" not in found.rows


def test_p5_1_the_window_and_categories_narrow_the_count(seeded: Any) -> None:
    everything = affected(Scope(clients=(seeded["a"].pk,), categories=(REG,)))
    assert set(everything.rows) == {REG}
    assert everything.rows[REG] == 4  # in1, in2, old, other-event
    assert everything.people == 4
    one_field = affected(Scope(clients=(seeded["a"].pk,),
                               categories=(f"{REG}.mobile_phone_enc",)))
    assert one_field.counts == {f"{REG}.mobile_phone_enc": 1}
    old = affected(Scope(clients=(seeded["a"].pk,), categories=(REG,),
                         until=now() - dt.timedelta(days=2)))
    assert old.subjects == {seeded["outside"][0].subject_id}


def test_p5_1_accesses_in_the_audit_trail_give_the_people_reached(seeded: Any) -> None:
    """An actor's reads in the audit trail: their pseudonymous targets are the people."""
    read = [seeded["inside"][0], seeded["outside"][2]]
    for registration in read:
        record("account:99", "registrant.viewed", target=f"registration:{registration.pk}",
               client_id=registration.client_id)
    record("account:98", "registrant.viewed", target=f"registration:{seeded['inside'][1].pk}")
    found = affected(Scope(audit_actors=("account:99",), categories=(REG,)))
    assert found.subjects == {r.subject_id for r in read}
    assert found.rows == {REG: 2}
    only_c = affected(Scope(audit_actors=("account:99",), clients=(seeded["c"].pk,),
                            categories=(REG,)))
    assert only_c.subjects == {seeded["outside"][2].subject_id}


def test_p5_1_store_affected_keeps_scope_and_counts_on_the_incident(seeded: Any) -> None:
    incident = open_incident(Source.STAFF, summary="Leaked export of two events", refs=[])
    scope = Scope(clients=(seeded["a"].pk, seeded["b"].pk), events=seeded["events"],
                  since=now() - dt.timedelta(days=1))
    found = store_affected(incident, scope, actor="account:1")
    incident = Incident.objects.get(pk=incident.pk)
    assert incident.people_approx == 3 and incident.records_approx == found.records
    assert REG in incident.data_categories
    assert set(incident.clients_affected.values_list("pk", flat=True)) == {
        seeded["a"].pk, seeded["b"].pk}
    kept = stored_affected(incident)
    assert kept is not None and kept["people"] == 3
    assert kept["counts"][f"{REG}.email_enc"] == 3
    assert Scope.from_json(kept["scope"]) == scope
    # No person's address or id in what the register keeps.
    assert "example.org" not in str(kept)
    assert not any(str(r.subject_id) in str(kept) for r in seeded["inside"])
