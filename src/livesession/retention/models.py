"""Retention rules as data, a client's shorter periods, legal holds and purge runs."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from livesession.retention.categories import CATEGORY_CHOICES, Action, Applier, Trigger


class RetentionRule(models.Model):
    """The platform's rule for one category (its bound), seeded from
    ``categories.PLATFORM_RULES`` by ``services.ensure_rules`` (D-01)."""

    category = models.CharField(max_length=40, unique=True, choices=CATEGORY_CHOICES)
    trigger = models.CharField(max_length=20, choices=Trigger.choices)
    period_days = models.PositiveIntegerField()
    action = models.CharField(max_length=12, choices=Action.choices)
    clause = models.CharField(max_length=12)
    applier = models.CharField(max_length=16, choices=Applier.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["category"]

    def __str__(self) -> str:
        return f"{self.category}: {self.trigger} + {self.period_days} d"


class ClientPeriod(models.Model):
    """A client's own period for one category, never longer than the platform bound
    (D-02; refused by ``services.set_client_period``)."""

    client = models.ForeignKey("core.Client", on_delete=models.CASCADE, related_name="+")
    category = models.CharField(max_length=40, choices=CATEGORY_CHOICES)
    period_days = models.PositiveIntegerField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "category"],
                                               name="retention_one_period_per_category")]

    def __str__(self) -> str:
        return f"{self.category}: {self.period_days} d (client {self.client_id})"


class LegalHold(models.Model):
    """Suspends every deletion for a scope: a client, one of its events, or one person
    (``subject_id``, a pseudonymous id that survives the person's erasure request being
    refused). Never deleted: lifting sets ``lifted_at``; both are audited."""

    client = models.ForeignKey("core.Client", on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey("events.Event", null=True, blank=True, on_delete=models.CASCADE,
                              related_name="+")
    subject_id = models.UUIDField(null=True, blank=True)
    reason = models.TextField(_("reason"))
    created_by = models.CharField(max_length=64)  # "account:12"
    created_at = models.DateTimeField()
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.CharField(max_length=64, blank=True)
    lift_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"hold {self.pk} ({self.scope})"

    @property
    def scope(self) -> str:
        if self.subject_id:
            return "subject"
        if self.event_id:
            return "event"
        return "client"


class PurgeRun(models.Model):
    """One run of the daily purge. ``progress`` holds, per category, the cursor (last
    primary key handled), the count so far and whether it is done; each batch commits
    with its progress, so a killed run resumes where it stopped and counts nothing twice."""

    class Status(models.TextChoices):
        RUNNING = "running", _("running")
        DONE = "done", _("done")

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    progress = models.JSONField(default=dict)
    resumed = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"purge run {self.pk} ({self.status})"

    def counts(self) -> dict[str, int]:
        return {key: int(value.get("count", 0)) for key, value in sorted(self.progress.items())}


class InactivityWarning(models.Model):
    """The warning mailed before an inactive account is deleted (D-04): one per period of
    inactivity (``last_activity_at`` is the activity it was computed from)."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    last_activity_at = models.DateTimeField()
    warned_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "last_activity_at"],
                                               name="retention_one_warning_per_inactivity")]

    def __str__(self) -> str:
        return f"warning to account {self.user_id}"
