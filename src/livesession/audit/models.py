"""Append-only audit trail, chained by hashes so that an edit or a deletion shows (P6.6).

Entries name actors and targets by id, never by personal data: the trail outlives erasure.

Append-only at three levels: ``save`` of a stored entry, ``delete`` and the queryset's
``update``/``delete`` raise ``AppendOnlyError``; in the database a trigger refuses UPDATE (and
DELETE on PostgreSQL; see migration 0002 and docs/audit-trail.md); and whatever gets past
both (a person with the database owner's rights) breaks the hash chain, which
``livesession audit verify`` reports.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """An attempt to change or remove an audit entry."""


def _refuse(what: str) -> NoReturn:
    raise AppendOnlyError(f"The audit trail is append-only: {what} is refused (P6.6).")


class AuditQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> int:
        _refuse("update")

    def delete(self) -> NoReturn:
        _refuse("delete")

    def bulk_update(self, *args: Any, **kwargs: Any) -> int:
        _refuse("update")


class AuditEntry(models.Model):
    at = models.DateTimeField()
    # No database constraint and nothing done when the client goes: the id is part of the
    # hashed content, and a SET NULL would both be refused by the trigger and break the
    # chain. After a client is deleted its entries keep a dangling id (pseudonymous).
    client = models.ForeignKey(
        "core.Client", null=True, blank=True, on_delete=models.DO_NOTHING, related_name="+",
        db_constraint=False,
    )
    actor = models.CharField(max_length=80)
    action = models.CharField(max_length=80)
    target = models.CharField(max_length=120, blank=True)
    details = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        ordering = ["id"]
        indexes = [models.Index(fields=["action", "id"], name="audit_action_id")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            _refuse("update")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse("delete")
