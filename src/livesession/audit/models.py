"""Append-only audit trail, chained by hashes so that an edit or a deletion shows (P6.6).

Entries name actors and targets by id, never by personal data: the trail outlives erasure.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    at = models.DateTimeField()
    client = models.ForeignKey(
        "core.Client", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor = models.CharField(max_length=80)
    action = models.CharField(max_length=80)
    target = models.CharField(max_length=120, blank=True)
    details = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("audit entry")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"
