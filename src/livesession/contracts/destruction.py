"""Destruction of a client's data at T0 + CONTRACT_RETURN_DAYS (issue 6 §2; P4.4, P6.9,
D-03, D-05), with its certificate.

A daily job (``contracts.jobs.daily_destruction``) takes every terminated contract whose
return period is over and that no legal hold covers, and runs, step by step, each step
recorded on the ``DestructionCertificate`` row so that a crash resumes at the next one:

1. ``journal``: every subject of the client goes to the erasure journal (outside the main
   database), before anything is deleted: a restore of an older backup erases them again.
2. ``files``: the clear-text mail copies of the client's messages and its return packages.
3. ``keys``: every data key filed under the client's controller (``client:<id>``: its
   participants' keys and its packages' keys) is destroyed, so every backup copy of their
   encrypted values is unreadable (crypto-shredding).
4. ``rows``: every row of every model with a foreign key to the client, found by
   introspection, in batches: deleted when the key cascades, the key cleared when it is
   ``SET_NULL`` (registers that outlive a client: incidents, routed requests). The audit
   trail (append-only, pseudonymous ids, ``DO_NOTHING``) and the contract row itself stay.
5. ``shell``: the client row stays as an inactive shell (its name, no member, no data), the
   contract is marked destroyed, the certificate is closed and the destruction audited.

The certificate holds categories, counts, times and the ids of the destroyed keys: never a
value.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, replace
from typing import Any

from django.apps import apps
from django.db import IntegrityError, models, transaction
from django.db.models import ProtectedError, RestrictedError

from livesession.audit.services import record
from livesession.contracts import package as packages
from livesession.contracts.models import (
    Contract,
    DestructionCertificate,
    ReturnPackage,
    State,
)
from livesession.contracts.services import destroy_on, is_held
from livesession.core.clock import now
from livesession.core.models import Client
from livesession.messaging.delivery import delete_file_copies
from livesession.protection import deletion, journal, keystore
from livesession.protection.models import DataKey, controller_key_for

# Rows per batch transaction (its lock bound: bench S6 "longest batch"), and keys or
# journal lines per statement / fsync.
BATCH = 5_000
KEY_BATCH = 5_000
STEPS = ("journal", "files", "keys", "rows", "shell")
# Kept on purpose: the contract's own evidence (its certificate has no foreign key).
KEPT_MODELS = frozenset({"contracts.Contract"})


class Stuck(RuntimeError):
    """Rows that no pass could delete (a protecting foreign key from outside the client)."""


def client_links() -> list[tuple[type[models.Model], str, Any]]:
    """(model, field name, on_delete) for every foreign key to ``core.Client``."""
    links = []
    for model in apps.get_models():
        if model._meta.label in KEPT_MODELS or model._meta.proxy:
            continue
        for f in model._meta.concrete_fields:
            if f.is_relation and f.related_model is Client:
                links.append((model, f.name, f.remote_field.on_delete))  # type: ignore[union-attr]
    # Subjects last: the rows about them protect them until they are gone.
    links.sort(key=lambda link: (link[0]._meta.label == "protection.Subject",
                                 link[0]._meta.label))
    return links


def _is_cascade(on_delete: Any) -> bool:
    return on_delete is models.CASCADE


def remaining(client_id: int) -> dict[str, int]:
    """Rows still pointing at the client, per model (the audit trail excepted)."""
    left: dict[str, int] = {}
    for model, name, on_delete in client_links():
        if on_delete is models.DO_NOTHING:
            continue
        count = model._default_manager.filter(**{name: client_id}).count()
        if count:
            left[model._meta.label] = count
    return left


def _mark(cert: DestructionCertificate, step: str, **fields: Any) -> None:
    cert.steps = [*cert.steps, step]
    for key, value in fields.items():
        setattr(cert, key, value)
    cert.save()


def _journal(client_id: int) -> None:
    """Every subject of the client, in chunks with one fsync each (a line per subject, as
    before; a rerun after a crash appends them again, and a replay is idempotent)."""
    from livesession.protection.models import Subject

    controller = controller_key_for(client_id)
    ids = Subject.objects.filter(client_id=client_id).values_list("pk", flat=True)
    chunk: list[tuple[uuid.UUID, str]] = []
    for sid in ids.iterator(chunk_size=KEY_BATCH):
        chunk.append((sid, controller))
        if len(chunk) >= KEY_BATCH:
            journal.append_many(chunk, "contract_end")
            chunk = []
    journal.append_many(chunk, "contract_end")


def _files(client_id: int) -> int:
    from livesession.messaging.models import OutboxMessage

    ids = OutboxMessage.objects.filter(client_id=client_id).values_list("pk", flat=True)
    removed = delete_file_copies(ids.iterator())
    for package in ReturnPackage.objects.filter(client_id=client_id):
        removed += packages.discard(package)
    return removed


def _keys(client_id: int, batch: int) -> None:
    """Every live key filed under the client, destroyed ``KEY_BATCH`` at a time (one
    statement and one keystore transaction per batch; ``batch`` bounds it from below)."""
    controller = controller_key_for(client_id)
    size = max(batch, KEY_BATCH)
    while True:
        ids = list(DataKey.objects.filter(controller=controller, wrapped__isnull=False)
                   .values_list("subject_id", flat=True)[:size])
        if not ids:
            return
        keystore.destroy_keys(ids)


@dataclass(frozen=True)
class _Target:
    """One foreign key to the client whose rows are deleted (or cleared), with what points
    at those rows and is not removed by an earlier target."""

    model: type[models.Model]
    field: str
    on_delete: Any
    uncovered: tuple[deletion.Relation, ...]
    plain: bool  # one DELETE per batch (no receiver, every relation handled)


def _targets() -> list[_Target]:
    """The client's foreign keys in dependency order: ``SET_NULL`` ones (registers that
    outlive a client) first, then the cascading ones children first, so that a model's
    rows go after every client-scoped row pointing at them. A relation from a model deleted
    earlier is covered (the client's rows point at the client's rows: tenancy); any other
    (a platform account's link to a registration, a row forwarded from another client...)
    is handled per batch, as the collector would. If tenancy were broken somewhere, the
    database's foreign keys refuse the batch at commit and the collector redoes it."""
    links = [link for link in client_links() if link[2] is not models.DO_NOTHING]
    cascading = [link for link in links if _is_cascade(link[2])]
    ordered, cyclic = deletion.dependency_order(model for model, _n, _o in cascading)
    # Subjects last, as before (moving a parent later keeps children first).
    ordered.sort(key=lambda model: model._meta.label == "protection.Subject")
    rank = {model: index for index, model in enumerate([*ordered, *cyclic])}
    out = [_Target(model=model, field=name, on_delete=on_delete, uncovered=(), plain=False)
           for model, name, on_delete in links if not _is_cascade(on_delete)]
    done: set[type[models.Model]] = set()
    for model, name, on_delete in sorted(cascading, key=lambda link: rank[link[0]]):
        uncovered = tuple(rel for rel in deletion.incoming(model)
                          if rel.model is model or rel.model not in done)
        plain = (model not in cyclic and deletion.structural_reason(model) is None)
        out.append(_Target(model=model, field=name, on_delete=on_delete, uncovered=uncovered,
                           plain=plain))
        done.add(model)
    return out


def _add(counts: dict[str, int], touched: set[str], per_model: dict[str, int]) -> None:
    for label, number in per_model.items():
        if number:
            counts[label] = counts.get(label, 0) + number
            if label.count(".") == 1:
                touched.add(apps.get_model(label)._meta.db_table)


def _plain_batch(target: _Target, pks: list[Any], counts: dict[str, int],
                 touched: set[str]) -> None:
    """One batch without the collector: what points at the rows from outside first."""
    for rel in target.uncovered:
        rows = rel.model._default_manager.filter(**{f"{rel.field}__in": pks})
        if rel.on_delete is models.CASCADE:
            _n, per_model = rows.delete()
            _add(counts, touched, per_model)
        elif rel.on_delete is models.SET_NULL:
            rows.update(**{rel.field: None})
        elif rows.exists():  # PROTECT, RESTRICT, SET(...): the collector decides
            raise _NeedsCollector
    manager = target.model._default_manager
    _add(counts, touched, {target.model._meta.label:
                           deletion.raw_delete(manager.filter(pk__in=pks))})


class _NeedsCollector(Exception):
    pass


def _next(target: _Target, client_id: int, batch: int) -> Any:
    """The target's next ``batch`` rows of the client, as a subquery."""
    return target.model._default_manager.filter(**{target.field: client_id}).values(
        "pk")[:batch]


def _batch(cert: DestructionCertificate, target: _Target, client_id: int, batch: int,
           touched: set[str]) -> bool:
    """One batch of the target's rows, in one transaction that also saves the certificate's
    counts. False when none is left. Most targets (nothing from outside points at them)
    take one statement: ``DELETE ... WHERE pk IN (SELECT pk ... WHERE client = %s LIMIT n)``
    (or the ``UPDATE`` clearing a register's key); the others read the batch's keys first,
    to handle what points at them."""
    manager = target.model._default_manager
    label = target.model._meta.label
    plain = target.plain and not deletion.has_receivers(target.model)
    attempts = ("plain", "collector") if plain and _is_cascade(target.on_delete) else (
        "collector",)
    for attempt in attempts:
        counts = dict(cert.counts)
        seen: set[str] = set()
        try:
            with transaction.atomic():
                if not _is_cascade(target.on_delete):  # SET_NULL: a register that stays
                    done = manager.filter(pk__in=_next(target, client_id, batch)).update(
                        **{target.field: None})
                    _add(counts, seen, {f"{label}.{target.field}": done})
                elif attempt == "plain" and not target.uncovered:
                    done = deletion.raw_delete(manager.filter(
                        pk__in=_next(target, client_id, batch)))
                    _add(counts, seen, {label: done})
                else:
                    pks = list(manager.filter(**{target.field: client_id})
                               .values_list("pk", flat=True)[:batch])
                    done = len(pks)
                    if pks and attempt == "plain":
                        _plain_batch(target, pks, counts, seen)
                    elif pks:
                        _n, per_model = manager.filter(pk__in=pks).delete()
                        _add(counts, seen, per_model)
                if not done:
                    return False
                cert.counts = counts
                cert.save(update_fields=["counts"])
        except (_NeedsCollector, IntegrityError):
            if attempt == "collector":
                raise
            continue  # rolled back: the collector redoes the batch
        touched |= seen
        return True
    return False


def _present(target: _Target, client_id: int) -> _Target:
    """The target with only the outside relations that have rows towards this client (one
    EXISTS each, once): for most clients none, and every batch is one statement. A row that
    appeared since would make the database refuse the plain batch (foreign key), and the
    collector would redo it."""
    if not _is_cascade(target.on_delete) or not target.uncovered:
        return target
    live = tuple(rel for rel in target.uncovered if rel.model._default_manager.filter(
        **{f"{rel.field}__{target.field}": client_id}).exists())
    return replace(target, uncovered=live)


def _rows(cert: DestructionCertificate, client_id: int, batch: int) -> set[str]:
    touched: set[str] = set()
    targets = _targets()
    while True:
        progressed = False
        for target in targets:
            live = _present(target, client_id)
            while True:
                try:
                    if not _batch(cert, live, client_id, batch, touched):
                        break
                    progressed = True
                except (ProtectedError, RestrictedError):
                    break  # another model's rows protect these: next pass
        left = remaining(client_id)
        if not left:
            return touched
        if not progressed:
            raise Stuck(", ".join(sorted(left)))


def destroy_client(contract: Contract, *, batch: int = BATCH,
                   actor: str = "system") -> DestructionCertificate:
    """Destroy everything of a terminated client (resumable; see the module). A legal hold
    must have been checked by the caller (``destroy_due``)."""
    client = Client.objects.get(pk=contract.client_id)
    if contract.state not in (State.TERMINATED, State.DESTROYED) or not contract.terminated_at:
        raise ValueError(f"contract of client {client.pk} is not terminated")
    cert, _created = DestructionCertificate.objects.get_or_create(
        client_ref=client.pk, defaults={"client_name": client.name,
                                        "terminated_at": contract.terminated_at,
                                        "started_at": now()})
    if cert.done:
        return cert
    if "journal" not in cert.steps:
        _journal(client.pk)
        _mark(cert, "journal")
    if "files" not in cert.steps:
        _mark(cert, "files", files_deleted=cert.files_deleted + _files(client.pk))
    if "keys" not in cert.steps:
        _keys(client.pk, batch)
        _mark(cert, "keys")
    touched: set[str] = set()
    if "rows" not in cert.steps:
        touched = _rows(cert, client.pk, batch)
        _mark(cert, "rows")
    with transaction.atomic():
        key_ids = sorted(str(sid) for sid in DataKey.objects.filter(
            controller=controller_key_for(client.pk), wrapped__isnull=True)
            .values_list("subject_id", flat=True))
        finished = now()
        Client.objects.filter(pk=client.pk).update(is_active=False, form_defaults={})
        Contract.objects.filter(pk=contract.pk).update(state=State.DESTROYED,
                                                       destroyed_at=finished)
        _mark(cert, "shell", key_ids=key_ids, finished_at=finished)
        record(actor, "contract.destroyed", target=f"client:{client.pk}", client_id=client.pk,
               details={"certificate": str(cert.pk), "rows": sum(cert.counts.values()),
                        "keys": len(key_ids), "files": cert.files_deleted})
    if touched:
        from livesession.core.tasks import enqueue_on_commit
        from livesession.protection.jobs import vacuum_tables

        enqueue_on_commit(vacuum_tables, sorted(touched))
    return cert


def due(moment: dt.datetime | None = None) -> list[Contract]:
    """Terminated contracts whose return period is over (held ones included)."""
    moment = moment or now()
    out = []
    for contract in Contract.objects.filter(state=State.TERMINATED).order_by("terminated_at"):
        when = destroy_on(contract)
        if when is not None and when <= moment:
            out.append(contract)
    return out


def destroy_due(moment: dt.datetime | None = None, *,
                batch: int = BATCH) -> list[DestructionCertificate]:
    """The daily job: destroy every client whose return period is over, unless a legal hold
    covers it (the hold is logged, and the destruction runs on the first day after it is
    lifted)."""
    done = []
    for contract in due(moment):
        if is_held(contract.client_id):
            record("system", "contract.destruction_held", target=f"client:{contract.client_id}",
                   client_id=contract.client_id)
            continue
        done.append(destroy_client(contract, batch=batch))
    return done


def certificate_document(cert: DestructionCertificate) -> dict[str, Any]:
    """The certificate as a JSON document (downloadable by the operator)."""
    return {
        "format": "livesession.destruction-certificate/1",
        "certificate": str(cert.pk),
        "client": {"id": cert.client_ref, "name": cert.client_name},
        "terminated_at": cert.terminated_at.isoformat(),
        "started_at": cert.started_at.isoformat(),
        "finished_at": cert.finished_at.isoformat() if cert.finished_at else None,
        "categories": cert.categories(),
        "rows_total": sum(cert.counts.values()),
        "files_deleted": cert.files_deleted,
        "keys_destroyed": cert.key_ids,
        "clauses": ["P4.4", "P6.9", "P6.10"],
    }


def uuid_or_none(raw: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(raw)
    except ValueError:
        return None
