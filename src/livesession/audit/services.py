"""``record``: the one way to write the audit trail; ``record_change`` for configuration
changes with their diff; ``verify`` to check the chain (P6.6, docs/audit-trail.md).

One chain, one writer at a time. Each entry's hash covers the previous entry's hash, so two
writers that read the same last entry would fork the chain. ``record`` therefore runs in a
transaction (the caller's, or its own when called outside one) and, on PostgreSQL, first
takes a transaction-level advisory lock: the next writer waits until this transaction
commits or rolls back, then reads the entry it left. On SQLite every write transaction
starts with ``BEGIN IMMEDIATE`` (settings), which already admits one writer at a time.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

from livesession.audit.models import AuditEntry
from livesession.core.clock import now

GENESIS = "0" * 64
# Key of the advisory lock that serializes the chain on PostgreSQL (any constant of ours;
# "LSAUDIT1" as a 64-bit integer).
CHAIN_LOCK_KEY = int.from_bytes(b"LSAUDIT1", "big") - 2**63
# A changed value longer than this is recorded by its digest and length, not in full.
MAX_VALUE_CHARS = 120
REDACTED = "[redacted]"


def _digest(prev: str, at: str, client_id: int | None, actor: str, action: str, target: str,
            details: dict[str, Any]) -> str:
    payload = json.dumps([prev, at, client_id, actor, action, target, details],
                         sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


def _lock_chain() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])


def record(actor: str, action: str, *, target: str = "", client_id: int | None = None,
           details: dict[str, Any] | None = None) -> AuditEntry:
    """Append one entry. ``actor``/``target`` are pseudonymous ids ("account:12",
    "registration:<uuid>"), ``details`` holds no personal value (P6.6)."""
    details = details or {}
    # savepoint=False: inside the caller's transaction nothing is added; outside one, this
    # opens a transaction, so the lock and the last hash hold until the entry is written.
    with transaction.atomic(savepoint=False):
        _lock_chain()
        at = now()
        last = AuditEntry.objects.order_by("-id").values_list("hash", flat=True).first()
        prev = last or GENESIS
        digest = _digest(prev, at.isoformat(), client_id, actor, action, target, details)
        return AuditEntry.objects.create(
            at=at, client_id=client_id, actor=actor, action=action, target=target,
            details=details, prev_hash=prev, hash=digest,
        )


def record_many(entries: Iterable[tuple[str, str, str, int | None, dict[str, Any]]]
                ) -> list[AuditEntry]:
    """Append ``(actor, action, target, client_id, details)`` entries in order, each chained
    to the one before exactly as ``record`` would write them one by one, in one INSERT
    under one chain lock (bulk import, issue 9). Same rules as ``record``: pseudonymous
    ids, no personal value in ``details``; in the caller's transaction."""
    with transaction.atomic(savepoint=False):
        _lock_chain()
        last = AuditEntry.objects.order_by("-id").values_list("hash", flat=True).first()
        prev = last or GENESIS
        rows: list[AuditEntry] = []
        for actor, action, target, client_id, details in entries:
            at = now()
            digest = _digest(prev, at.isoformat(), client_id, actor, action, target, details)
            rows.append(AuditEntry(at=at, client_id=client_id, actor=actor, action=action,
                                   target=target, details=details, prev_hash=prev,
                                   hash=digest))
            prev = digest
        return AuditEntry.objects.bulk_create(rows)


def _plain(value: Any) -> Any:
    """A JSON value for the diff: dates as ISO text, other objects as text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).isoformat()  # the same instant reads the same
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    return str(value)


def _fingerprint(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    return f"sha256:{digest} ({len(text)} chars)"


def _shown(value: Any, *, opaque: bool, secret: bool) -> Any:
    if value in (None, "", [], {}):
        return value
    if secret:
        return REDACTED
    if opaque or len(json.dumps(value, ensure_ascii=False)) > MAX_VALUE_CHARS:
        return _fingerprint(value)
    return value


def diff(before: Mapping[str, Any], after: Mapping[str, Any], *,
         opaque: Iterable[str] = (), redact: Iterable[str] = ()) -> dict[str, dict[str, Any]]:
    """``{field: {"old": …, "new": …}}`` for the fields whose value differs.

    ``opaque`` fields (texts the client wrote, such as an event's title: client data the
    operator's console does not show, P3.4) and long values are shown by a digest that
    proves which text it was; ``redact`` fields (secrets) say only that they changed."""
    hidden, secrets = set(opaque), set(redact)
    changes: dict[str, dict[str, Any]] = {}
    for name in sorted(set(before) | set(after)):
        old, new = _plain(before.get(name)), _plain(after.get(name))
        if old == new:
            continue
        flags = {"opaque": name in hidden, "secret": name in secrets}
        changes[name] = {"old": _shown(old, **flags), "new": _shown(new, **flags)}
    return changes


def record_change(actor: str, action: str, before: Mapping[str, Any],
                  after: Mapping[str, Any], *, target: str = "", client_id: int | None = None,
                  opaque: Iterable[str] = (), redact: Iterable[str] = (),
                  details: dict[str, Any] | None = None) -> AuditEntry:
    """A configuration change with its diff (P6.6): ``details["fields"]`` lists the changed
    field names, ``details["changes"]`` their old and new values (see ``diff``). For
    NON-PERSONAL settings only (an event's dates, a room server's address): the caller
    passes no personal value, names the client's own texts in ``opaque`` and secrets in
    ``redact``. Recorded even when nothing changed (an empty diff)."""
    changes = diff(before, after, opaque=opaque, redact=redact)
    payload = dict(details or {})
    payload["fields"] = sorted(changes)
    payload["changes"] = changes
    return record(actor, action, target=target, client_id=client_id, details=payload)


@dataclass(frozen=True)
class ChainStatus:
    """The result of ``check``: intact (``broken_id`` None) or the first broken entry."""

    entries: int
    head: str
    broken_id: int | None = None
    reason: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_id is None


def _walk() -> Iterator[tuple[AuditEntry, str]]:
    prev = GENESIS
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        yield entry, prev
        prev = entry.hash


def check() -> ChainStatus:
    """Walk the whole trail in id order and recompute every hash."""
    count = 0
    prev = GENESIS
    for entry, expected_prev in _walk():
        count += 1
        if entry.prev_hash != expected_prev:
            return ChainStatus(count, prev, entry.id,
                               "does not follow the entry before it (an entry before it was "
                               "removed or changed)")
        expected = _digest(expected_prev, entry.at.isoformat(), entry.client_id, entry.actor,
                           entry.action, entry.target, entry.details)
        if entry.hash != expected:
            return ChainStatus(count, prev, entry.id, "its content does not match its hash")
        prev = entry.hash
    return ChainStatus(count, prev)


def verify() -> int | None:
    """The id of the first entry whose chain is broken, or None when the trail is intact."""
    return check().broken_id
