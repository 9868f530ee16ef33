"""A whole client's destruction in batches (issue 9, S6; issue 6 §2, P4.4, P6.9): keys
destroyed and journal lines written in batches, rows deleted with plain DELETEs in
dependency order; what points at the client's rows from outside it (a platform account's
link to a registration) handled per batch as the collector would, and a break of tenancy
caught by the database's foreign keys and redone by the collector."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import models
from django.db.models.deletion import get_candidate_relations_to_delete

from livesession.accounts import services as accounts
from livesession.accounts.models import AccountLink
from livesession.contracts import destruction
from livesession.contracts.models import DestructionCertificate
from livesession.core.clock import freeze
from livesession.protection import journal
from livesession.protection.models import DataKey, Subject
from livesession.registrations.models import Registration, SessionSeat
from tests.contracts.conftest import DAY, Filled, fill, terminate
from tests.contracts.test_destruction import client_scoped_counts


def _candidates(model: type[models.Model]) -> list[Any]:
    """The relations Django's collector follows when ``model``'s rows are deleted."""
    return list(get_candidate_relations_to_delete(model._meta))


@pytest.mark.no_db
def test_issue9_targets_handle_every_relation_the_collector_would() -> None:
    """P4.4: a cascading target deleted without the collector has every relation that
    points at it either from a target deleted before it (the client's own rows) or handled
    per batch; compared with Django's list, so a new cascade towards a client-scoped model
    fails here until the plan sees it."""
    targets = destruction._targets()
    before: set[type[models.Model]] = set()
    for target in targets:
        if target.on_delete is not models.CASCADE:
            continue
        expected = {(rel.related_model, rel.field.name)
                    for rel in _candidates(target.model)
                    if rel.on_delete is not models.DO_NOTHING}
        uncovered = {(rel.model, rel.field) for rel in target.uncovered}
        for pair in expected:
            model = pair[0]
            assert pair in uncovered or (model in before and model is not target.model), pair
        before.add(target.model)
    labels = [t.model._meta.label for t in targets]
    assert labels[-1] == "protection.Subject"
    assert labels.index("registrations.SessionSeat") < labels.index("registrations.Registration")
    assert labels.index("registrations.Registration") < labels.index("events.Event")
    account_link = {(r.model._meta.label, r.field) for t in targets
                    if t.model is Registration for r in t.uncovered}
    assert ("accounts.AccountLink", "registration") in account_link


def test_issue9_batches_reach_rows_pointed_at_from_outside(filled_a: Filled,
                                                           filled_b: Filled) -> None:
    """D-03: with batches of 2, every client-scoped row goes, a platform account's link to
    one of the client's registrations goes with it (a relation from outside the client),
    the other client keeps everything, each subject is journalled once, every key is
    destroyed, and the certificate counts every row deleted."""
    email = filled_a.emails[0]
    user = accounts.create_account(email, "a quiet lighthouse at dusk", first_name="A",
                                   last_name="B", verified=True, language="en", actor="test")
    accounts.claim_registrations(user)
    assert AccountLink.objects.filter(registration__client=filled_a.client).count() == 1
    client_id = filled_a.client.pk
    subjects = set(Subject.objects.filter(client_id=client_id).values_list("pk", flat=True))
    before_b = client_scoped_counts(filled_b.client.pk)
    contract = terminate(filled_a.client)
    assert contract.terminated_at is not None

    with freeze(contract.terminated_at + 60 * DAY):
        (cert,) = destruction.destroy_due(batch=2)

    assert client_scoped_counts(client_id) == {}
    assert not AccountLink.objects.filter(account=user).exists()
    assert client_scoped_counts(filled_b.client.pk) == before_b
    assert not DataKey.objects.filter(controller=f"client:{client_id}",
                                      wrapped__isnull=False).exists()
    lines = [e.subject for e in journal.entries() if e.subject in subjects]
    assert sorted(lines) == sorted(subjects)
    assert cert.counts["registrations.Registration"] == 3
    assert cert.counts["accounts.AccountLink"] == 1
    assert cert.counts["access.Attendance"] == 3
    assert cert.counts["protection.Subject"] == 3
    assert cert.done and DestructionCertificate.objects.count() == 1


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_issue9_a_tenancy_break_is_redone_by_the_collector(client_a: Any, client_b: Any,
                                                           make_event: Any) -> None:
    """The plain batches rely on the client's rows pointing at the client's rows. A row of
    client B pointing at a registration of client A breaks that: the database's foreign
    key refuses the plain batch at commit, and the collector redoes it (B's stray row goes
    with A's registration, as Django's cascade would have done). Transactional test: the
    deferred foreign-key check happens at the real commit."""
    event_a = make_event(client_a, starts_in=dt.timedelta(days=10))
    event_b = make_event(client_b, starts_in=dt.timedelta(days=10))
    filled = fill(client_a, event_a, "tenco", n=2)
    session_b = event_b.sessions.create(client=client_b, title="B1",
                                        starts_at=event_b.starts_at, ends_at=event_b.ends_at)
    stray = SessionSeat.objects.create(registration=filled.registrations[0], session=session_b,
                                       client=client_b, status="confirmed")
    contract = terminate(client_a)
    assert contract.terminated_at is not None

    with freeze(contract.terminated_at + 60 * DAY):
        (cert,) = destruction.destroy_due(batch=5)

    assert cert.done and client_scoped_counts(client_a.pk) == {}
    assert not SessionSeat.objects.filter(pk=stray.pk).exists()
    assert not Registration.objects.filter(client=client_a).exists()
