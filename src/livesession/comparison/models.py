"""Anonymized peer comparison (issue 7 §8, P2.2; GDPR requirements §A10).

Two kinds of rows:

- the client's configuration (``ClientComparison``, ``CohortGroup``) and the operator's
  pooling switch (``PoolingSwitch``): instructions, no personal data;
- the published snapshot (``ComparisonRun``, ``CohortFigures``): per cohort of at least K
  people, rounded percentile thresholds and a size rounded down to a multiple of 5. Nothing
  per person is stored, and a cohort under K leaves no row at all.

See ``docs/comparison.md`` for the method.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ClientComparison(models.Model):
    """The client's instructions for the comparison of its participants (ST-03)."""

    client = models.OneToOneField("core.Client", on_delete=models.CASCADE,
                                  related_name="comparison_settings")
    # The comparison within the client's own participants (the client is controller).
    enabled = models.BooleanField(_("offer the comparison to my participants"), default=True)
    # Whether the client's participants may be pooled with other clients' participants of
    # the same job function (the operator is controller of that processing, A10 ST-03).
    allow_pooling = models.BooleanField(_("allow pooling with other organizers"),
                                        default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("comparison settings")

    def __str__(self) -> str:
        return f"comparison settings {self.client_id}"


class PoolingSwitch(models.Model):
    """The operator's switch for cross-client pooling (one row, pk=1). Pooling runs only when
    ``settings.COMPARISON_POOLING`` is on AND this switch is on."""

    enabled = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("pooling switch")

    def __str__(self) -> str:
        return f"pooling {'on' if self.enabled else 'off'}"


class CohortGroup(models.Model):
    """A group of participants the client defines: a person belongs to it when the
    normalized job function of one of their registrations is listed in ``job_functions``,
    or when their answer to the custom field ``field_key`` is one of ``field_values``."""

    client = models.ForeignKey("core.Client", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    # Normalized job functions (comparison.stats.normalize), one per entry.
    job_functions = models.JSONField(default=list, blank=True)
    field_key = models.SlugField(_("custom field key"), max_length=50, blank=True)
    # Normalized answers to that field.
    field_values = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("comparison group")
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(fields=["client", "name"],
                                               name="comparison_group_name_per_client")]

    def __str__(self) -> str:
        return self.name


class ComparisonRun(models.Model):
    """One computation of the snapshot. Only the latest finished run is read; older ones are
    deleted by the next run."""

    computed_at = models.DateTimeField()
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    k = models.PositiveSmallIntegerField()
    pooling = models.BooleanField(default=False)
    cohorts_published = models.PositiveIntegerField(default=0)
    cohorts_suppressed = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("comparison run")
        ordering = ["-computed_at", "-pk"]

    def __str__(self) -> str:
        return f"comparison run {self.pk}"


class CohortKind(models.TextChoices):
    JOB = "job", _("job function")
    GROUP = "group", _("group defined by the organizer")


class CohortFigures(models.Model):
    """The published figures of one cohort of at least K people (after exclusions).

    ``client`` is empty for a pooled cohort (several clients, operator as controller).
    ``size`` is rounded down to a multiple of 5; thresholds are rounded (sessions to whole
    numbers, minutes to 5). The minutes are published only when at least K people of the
    cohort had their presence measured (``minutes_size``); otherwise they are NULL."""

    run = models.ForeignKey(ComparisonRun, on_delete=models.CASCADE, related_name="figures")
    client = models.ForeignKey("core.Client", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="+")
    kind = models.CharField(max_length=8, choices=CohortKind.choices)
    job = models.CharField(max_length=150, blank=True)
    group = models.ForeignKey(CohortGroup, null=True, blank=True, on_delete=models.CASCADE,
                              related_name="+")
    size = models.PositiveIntegerField()
    sessions_p25 = models.PositiveIntegerField()
    sessions_p50 = models.PositiveIntegerField()
    sessions_p75 = models.PositiveIntegerField()
    sessions_p90 = models.PositiveIntegerField()
    minutes_size = models.PositiveIntegerField(null=True, blank=True)
    minutes_p25 = models.PositiveIntegerField(null=True, blank=True)
    minutes_p50 = models.PositiveIntegerField(null=True, blank=True)
    minutes_p75 = models.PositiveIntegerField(null=True, blank=True)
    minutes_p90 = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("cohort figures")
        indexes = [models.Index(fields=["run", "client", "kind", "job"])]

    def __str__(self) -> str:
        return f"cohort figures {self.pk}"
