"""A client's contract and what its end leaves behind (issue 6 §2; P4.4, P6.9, P6.10).

``Contract``: one per client, created when it is first terminated (no row: active).
``ReturnPackage``: the ZIP of everything the client's participants gave, built in the
background, encrypted at rest under a keystore key of the client (destroyed with the
client's keys). ``DestructionCertificate``: the run that deletes the client's data at
T0 + CONTRACT_RETURN_DAYS, resumable, and the certificate it leaves (categories, counts,
time, ids of the destroyed keys; never a value). It names the client by id and name only,
with no foreign key, so it outlives every client-scoped row.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    ACTIVE = "active", _("Active")
    TERMINATED = "terminated", _("Terminated (read-only)")
    DESTROYED = "destroyed", _("Data destroyed")


class Contract(models.Model):
    client = models.OneToOneField("core.Client", on_delete=models.CASCADE,
                                  related_name="contract")
    state = models.CharField(max_length=20, choices=State.choices, default=State.ACTIVE)
    # T0: the end of services; the return period and the 12-month bound run from here.
    terminated_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # A pseudonymous id ("account:12"), like the audit trail.
    terminated_by = models.CharField(max_length=80, blank=True, default="")
    reason = models.TextField(blank=True, default="")
    destroyed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("contract")

    def __str__(self) -> str:
        return f"contract of client {self.client_id}: {self.state}"


class PackageStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    BUILDING = "building", _("Being built")
    READY = "ready", _("Ready to download")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired")


class ReturnPackage(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey("core.Client", on_delete=models.CASCADE, related_name="+")
    requested_by = models.CharField(max_length=80)  # "account:12"
    status = models.CharField(max_length=20, choices=PackageStatus.choices,
                              default=PackageStatus.QUEUED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    # SHA-256 of the ZIP as downloaded (the manifest inside has one per file).
    sha256 = models.CharField(max_length=64, blank=True, default="")
    size = models.PositiveBigIntegerField(default=0)
    error = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    downloads = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("return package")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"return package {self.id} ({self.status})"

    @property
    def percent(self) -> int:
        if self.status == PackageStatus.READY:
            return 100
        if not self.rows_total:
            return 0
        return min(99, int(100 * self.rows_done / self.rows_total))


class DestructionCertificate(models.Model):
    """The destruction run of one client and, once finished, its certificate."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client_ref = models.PositiveIntegerField(unique=True)  # the client's id, no foreign key
    client_name = models.CharField(max_length=200)  # the organization, not a person
    terminated_at = models.DateTimeField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    # Steps done ("journal", "keys", "files", "rows"): a crash resumes at the next one.
    steps = models.JSONField(default=list)
    counts = models.JSONField(default=dict)  # {"registrations.Registration": 12, ...}
    key_ids = models.JSONField(default=list)  # ids of the data keys destroyed
    files_deleted = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("destruction certificate")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"destruction of client {self.client_ref}"

    @property
    def done(self) -> bool:
        return self.finished_at is not None

    def categories(self) -> list[dict[str, Any]]:
        """Counts grouped by retention category (``retention.categories.category_of``)."""
        from livesession.retention.categories import category_of

        grouped: dict[str, dict[str, Any]] = {}
        for label, count in sorted(self.counts.items()):
            name = category_of(label) or label.split(".", 1)[0]
            entry = grouped.setdefault(name, {"category": name, "rows": 0, "tables": {}})
            entry["rows"] += count
            entry["tables"][label] = count
        return list(grouped.values())
