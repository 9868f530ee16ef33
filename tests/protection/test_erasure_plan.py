"""Erasure's plan (issue 9, S6): one discovery statement, only the tables that hold the
person's rows, plain DELETEs in dependency order where Django's collector has nothing to
do. Every guarantee of issue 5 §5-§6 (P4.3, P6.8) still holds: zero residue, keys
destroyed, journal before the work, places given back, idempotence, crash replay."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from typing import Any

import pytest
from django.apps import apps
from django.db import connections, models
from django.db.models.deletion import get_candidate_relations_to_delete
from django.db.models.signals import post_delete
from django.test.utils import CaptureQueriesContext

from livesession.access.attendance import record_access
from livesession.access.models import AccessLink
from livesession.accounts import services as accounts
from livesession.audit.models import AuditEntry
from livesession.messaging.unsubscribe import unsubscribe
from livesession.protection import deletion, erasure, journal, subject_rows
from livesession.protection.models import DataKey, Subject
from livesession.protection.objection import object_to
from livesession.protection.registry import all_declarations
from livesession.protection.services import subject_for_email
from livesession.registrations.models import Registration
from livesession.registrations.services import register

PASSWORD = "a quiet lighthouse at dusk"


# --- The plan against Django's own collector ---------------------------------------------

def _candidates(model: type[models.Model]) -> list[Any]:
    """The relations Django's collector follows when ``model``'s rows are deleted."""
    return list(get_candidate_relations_to_delete(model._meta))


@pytest.mark.no_db
def test_issue9_the_plan_follows_every_relation_the_collector_would() -> None:
    """P4.3: a model erasure deletes plainly must have every relation that points at it
    handled: deleted earlier by the same path (covered), or probed and then cascaded or
    cleared as the collector would. Compared with Django's own list of relations
    (``get_candidate_relations_to_delete``), so a model that gains a cascade, a SET_NULL
    or a PROTECT towards a deleted model fails here until the plan handles it."""
    the_plan = erasure.plan()
    for step in (*the_plan.steps, the_plan.husk):
        expected = {(rel.related_model._meta.label, rel.field.name, rel.on_delete)
                    for rel in _candidates(step.model)
                    if rel.on_delete is not models.DO_NOTHING}
        handled = {(link.relation.model._meta.label, link.relation.field,
                    link.relation.on_delete) for link in step.links}
        assert handled == expected, step.model._meta.label
        if step.plain and step is not the_plan.husk:
            for link in step.links:
                assert link.covered or link.relation.on_delete in (models.CASCADE,
                                                                   models.SET_NULL), link
            assert deletion.structural_reason(step.model) is None
    probes = erasure._probes(the_plan, [uuid.uuid4()])
    for step in (*the_plan.steps, the_plan.husk):
        for link in step.links:
            assert link.covered or link.key in probes, link


@pytest.mark.no_db
def test_issue9_covered_means_deleted_earlier_by_the_same_path() -> None:
    """A relation counts as handled without a probe only when an earlier step deletes the
    pointing rows by exactly that lookup (children before parents)."""
    the_plan = erasure.plan()
    earlier: dict[type[models.Model], str] = {}
    for step in the_plan.steps:
        for link in step.links:
            if link.covered:
                assert earlier.get(link.relation.model) == link.lookup, link
        for through in deletion.lookup_models(step.model, step.lookup):
            # the models a step's path joins through are still there when it runs
            assert through not in earlier, (step.model, through)
        earlier[step.model] = step.lookup
    labels = [step.model._meta.label for step in the_plan.steps]
    assert labels.index("access.Attendance") < labels.index("registrations.Registration")
    assert labels.index("accounts.AccountLink") < labels.index("accounts.User")
    assert the_plan.collector_only == ()


@pytest.mark.no_db
def test_issue9_every_declared_model_with_rows_to_delete_is_in_the_plan() -> None:
    """Nothing declared DELETE_ROW with a path escapes the plan but the keystore's key rows,
    which ``keystore.destroy_keys`` shreds (they stay as evidence)."""
    in_plan = {step.model._meta.label for step in erasure.plan().steps}
    for label, decl in all_declarations().items():
        model = apps.get_model(label)
        modes = {item.erase for item in decl.personal.values()}
        if (erasure.subject_path(model, decl) is None or model is Subject
                or erasure.Erase.DELETE_ROW not in modes):
            continue
        assert label in in_plan or label == "protection.DataKey", label


# --- Seeding a person with rows in many tables -------------------------------------------

def _person(event_a: Any, event_b: Any, email: str) -> tuple[Any, list[uuid.UUID]]:
    """An account; a registration at A with its access link, attendance, a message, an
    unsubscription and an objection; one at B; both claimed by the account; a signed-in
    session. Returns the account and its subjects."""
    from django.test import Client as Browser

    user = accounts.create_account(email, PASSWORD, first_name="Noa", last_name="Lemaire",
                                   verified=True, language="en", actor="test")
    accounts.set_sharing(user, event_a.client, ["first_name"])
    a = register(event_a, email=email, first_name="Noa", last_name="Lemaire").registration
    b = register(event_b, email=email, first_name="Noa", last_name="Lemaire").registration
    record_access(a, None, f"device-of-{email}")
    unsubscribe(event_a.client_id, a.subject_id, channel="link")
    object_to([a.subject_id], "statistics", actor="test", source="space")
    accounts.claim_registrations(user)
    assert Browser().post("/accounts/login/", {"email": email,
                                               "password": PASSWORD}).status_code == 302
    return user, [user.subject_id, a.subject_id, b.subject_id]


def _rows_of(ids: list[uuid.UUID]) -> dict[str, int]:
    """Rows of every declared model reachable from these subjects (``subject_rows``)."""
    found = {}
    for label, decl in sorted(all_declarations().items()):
        model = apps.get_model(label)
        path = subject_rows.subject_lookup(model, decl)
        if path is None or label in ("protection.DataKey",):
            continue
        count = model._default_manager.filter(**{f"{path}__in": ids}).count()
        if count:
            found[label] = count
    return found


def _table_counts() -> Counter[str]:
    counts: Counter[str] = Counter()
    for model in apps.get_models():
        if model._meta.label in ("audit.AuditEntry",):
            continue
        counts[model._meta.label] = model._default_manager.count()
    return counts


def test_issue9_residue_sweep_and_same_result_as_the_collector(event_a: Any,
                                                               event_b: Any) -> None:
    """P4.3/P6.8: a person with rows in many tables (account, sessions, registrations at two
    clients, access link, attendance, device, messages, unsubscription, objection, account
    links, sharing choice) erased everywhere by the plain path leaves nothing reachable,
    and does exactly what Django's collector does for an identical person (``thorough``:
    the former path, statement for statement through the collector): same receipt, same
    rows left in every table."""
    user1, ids1 = _person(event_a, event_b, "noa.one@example.org")
    _user2, ids2 = _person(event_a, event_b, "noa.two@example.org")
    before = _rows_of(ids1)
    assert {"accounts.User", "accounts.UserSession", "accounts.AccountLink",
            "accounts.SharingChoice", "registrations.Registration", "access.AccessLink",
            "access.Attendance", "access.AttendanceDevice", "messaging.OutboxMessage",
            "messaging.Unsubscribe", "protection.Objection",
            "registrations.SearchToken"} <= set(before), before
    assert _rows_of(ids2).keys() == before.keys()

    counts0 = _table_counts()
    fast = erasure.erase_everywhere(user1, actor="test")
    after_fast = _table_counts()
    slow = erasure._run(ids2, actor="test", scope=erasure.EVERYWHERE, journal_it=True,
                        action="person.erased", thorough=True)
    after_slow = _table_counts()

    assert _rows_of(ids1) == {} and _rows_of(ids2) == {}
    # File copies are left out: the mail folder may be shared with parallel test workers,
    # whose message ids overlap (the marker sweep proves the files go).
    fast_counts = {k: v for k, v in fast.as_dict().items() if k != "files"}
    assert fast_counts == {k: v for k, v in slow.as_dict().items() if k != "files"}
    assert fast_counts["keys"] == 3 and fast_counts["registrations.Registration"] == 2
    # Each erasure removed exactly as many rows of each table as the other.
    for label in counts0:
        assert counts0[label] - after_fast[label] == after_fast[label] - after_slow[label], label
    assert not DataKey.objects.filter(subject_id__in=ids1 + ids2, wrapped__isnull=False)
    assert not Subject.objects.filter(pk__in=ids1 + ids2).exists()


def test_issue9_a_person_with_no_rows_costs_a_handful_of_statements(client_a: Any) -> None:
    """P6.8, the empty case: a subject with a key and nothing else. Its key is destroyed,
    its row goes, the journal has it, the audit trail says so; and the main database sees
    a few statements (the former sweep ran one per declared model and field: over 100)."""
    subject = subject_for_email("nobody.here@example.org", client_a.pk)
    with CaptureQueriesContext(connections["default"]) as main:
        receipt = erasure.erase_person(subject, actor="test")

    assert receipt.as_dict() == {"keys": 1, "subjects": 1}
    assert not Subject.objects.filter(pk=subject.pk).exists()
    assert DataKey.objects.get(subject_id=subject.pk).wrapped is None
    assert any(e.subject == subject.pk for e in journal.entries())
    assert AuditEntry.objects.filter(action="person.erased",
                                     target=f"subject:{subject.pk}").exists()
    statements = [q["sql"] for q in main.captured_queries
                  if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    assert len(statements) <= 8, "\n".join(statements)
    # Again: nothing to do, nothing journalled or audited twice.
    assert erasure.erase_person(subject, actor="test").nothing_done


def test_issue9_a_delete_receiver_gets_the_collector(event_a: Any) -> None:
    """A receiver listening to a model's deletes must see every row: the plain DELETE is
    skipped for that model while one is connected (Django's own fast-delete rule)."""
    made = register(event_a, email="recv@example.org", first_name="Ana",
                    last_name="Roux").registration
    link_ids = set(AccessLink.objects.filter(registration=made).values_list("pk", flat=True))
    assert link_ids
    seen: list[Any] = []

    def heard(sender: Any, instance: Any, **_kw: Any) -> None:
        seen.append(instance.pk)

    post_delete.connect(heard, sender=AccessLink, dispatch_uid="test-erasure-plan")
    try:
        erasure.erase_person(made.subject, actor="test")
    finally:
        post_delete.disconnect(sender=AccessLink, dispatch_uid="test-erasure-plan")
    assert set(seen) == link_ids
    assert not AccessLink.objects.filter(pk__in=link_ids).exists()


def test_issue9_crash_half_way_is_finished_by_the_journal_replay(event_a: Any) -> None:
    """Issue 5 §6: the journal line is written before the work, and the key destroyed
    first. A failure inside the sweep rolls the rows back but leaves both; the replay a
    restore runs (``purge_subject`` for every journalled subject) then finishes it."""
    event_a.capacity = 1
    event_a.save()
    made = register(event_a, email="crash@example.org", first_name="Ana",
                    last_name="Roux").registration
    waiting = register(event_a, email="next@example.org", first_name="Sam",
                       last_name="Roux").registration
    sid = made.subject_id

    def boom(sender: Any, instance: Any, **_kw: Any) -> None:
        raise RuntimeError("power cut")

    post_delete.connect(boom, sender=Registration, dispatch_uid="test-erasure-crash")
    try:
        with pytest.raises(RuntimeError):
            erasure.erase_person(made.subject, actor="test")
    finally:
        post_delete.disconnect(sender=Registration, dispatch_uid="test-erasure-crash")
    assert Registration.objects.filter(pk=made.pk).exists()  # rolled back
    assert DataKey.objects.get(subject_id=sid).wrapped is None  # key gone first
    journalled = [e for e in journal.entries() if e.subject == sid]
    assert [e.scope for e in journalled] == ["client"]

    for subject in dict.fromkeys(e.subject for e in journal.entries() if e.subject == sid):
        erasure.purge_subject(subject)

    assert _rows_of([sid]) == {}
    assert not Subject.objects.filter(pk=sid).exists()
    waiting.refresh_from_db()
    assert waiting.status == "confirmed"  # the place went to the waiting list
    assert AuditEntry.objects.filter(action="person.purged", target=f"subject:{sid}").exists()


def test_issue9_journal_batch_is_one_line_per_subject() -> None:
    """Issue 5 §6: ``append_many`` writes the same lines as ``append`` (ids only)."""
    ids = [uuid.uuid4() for _ in range(3)]
    entries = journal.append_many([(sid, "client:9") for sid in ids], "contract_end")
    lines = [json.loads(line) for line in journal.path().read_text().splitlines()]
    mine = [line for line in lines if line["subject"] in {str(sid) for sid in ids}]
    assert [line["subject"] for line in mine] == [str(sid) for sid in ids]
    assert {line["scope"] for line in mine} == {"contract_end"}
    assert [e.subject for e in entries] == ids
    assert journal.append_many([], "client") == []
