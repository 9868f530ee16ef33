"""``record``: the one way to write the audit trail, and ``verify`` to check its chain."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from livesession.audit.models import AuditEntry
from livesession.core.clock import now

GENESIS = "0" * 64


def _digest(prev: str, at: str, client_id: int | None, actor: str, action: str, target: str,
            details: dict[str, Any]) -> str:
    payload = json.dumps([prev, at, client_id, actor, action, target, details],
                         sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


def record(actor: str, action: str, *, target: str = "", client_id: int | None = None,
           details: dict[str, Any] | None = None) -> AuditEntry:
    details = details or {}
    at = now()
    last = AuditEntry.objects.order_by("-id").values_list("hash", flat=True).first()
    prev = last or GENESIS
    digest = _digest(prev, at.isoformat(), client_id, actor, action, target, details)
    return AuditEntry.objects.create(
        at=at, client_id=client_id, actor=actor, action=action, target=target,
        details=details, prev_hash=prev, hash=digest,
    )


def verify() -> int | None:
    """The id of the first entry whose chain is broken, or None when the trail is intact."""
    prev = GENESIS
    for entry in AuditEntry.objects.order_by("id").iterator():
        expected = _digest(prev, entry.at.isoformat(), entry.client_id, entry.actor,
                           entry.action, entry.target, entry.details)
        if entry.prev_hash != prev or entry.hash != expected:
            return entry.id
        prev = entry.hash
    return None
