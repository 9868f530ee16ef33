"""Versions of the generated register's records (GDPR art. 30: creation and update dates).

The register is generated from the live configuration on every read; what is stored here is
only the trace of its changes: each time a record's content (in English, without its dates)
differs from its last version, a new version is kept with the moment it was first seen. The
record's creation date is its first version, its update date its last one. The content is
configuration (purposes, categories, measures), never a person's data.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RecordVersion(models.Model):
    # "controller:accounts" for an activity of the operator, "processor:client:12" for a
    # client's processor record.
    record_key = models.CharField(max_length=80)
    digest = models.CharField(max_length=64)
    content = models.JSONField()
    first_seen_at = models.DateTimeField()

    class Meta:
        verbose_name = _("register record version")
        ordering = ["record_key", "id"]
        indexes = [models.Index(fields=["record_key", "id"], name="register_version_key")]

    def __str__(self) -> str:
        return f"{self.record_key} {self.digest[:12]}"
