"""An incident: something that may be a personal data breach, recorded for the operator.

Every incident is kept, notified or not (GDPR art. 33.5): this model is the base of the
breach register of issue 8, which adds the assessment (categories, numbers, consequences,
risk, measures, decision) and the notifications. What is here already is what every
incident has from its first minute: where it came from, when it was detected and when the
operator became aware of it (the 72-hour clock of art. 33.1 runs from ``aware_at``), its
nature when known, its status, a summary, and the people and things concerned as
pseudonymous references ("account:12"), never names or addresses.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    STAFF = "staff", _("Recorded by staff")
    NOT_ME = "not_me", _("“This was not me” report")
    UNUSUAL_EXPORT = "unusual_export", _("Unusual export")


class Nature(models.TextChoices):
    """The three kinds of breach of GDPR art. 4.12 (EDPB guidelines 9/2022); unknown while
    nobody has looked yet."""

    UNKNOWN = "unknown", _("Not known yet")
    CONFIDENTIALITY = "confidentiality", _("Confidentiality (disclosure or access)")
    INTEGRITY = "integrity", _("Integrity (alteration)")
    AVAILABILITY = "availability", _("Availability (loss or destruction)")


class Status(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Incident(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    detected_at = models.DateTimeField(_("detected at"))
    # When the operator had a reasonable degree of certainty that something happened
    # (EDPB 9/2022): the start of the 72-hour clock. Never before ``detected_at``.
    aware_at = models.DateTimeField(_("aware at"))
    nature = models.CharField(_("nature"), max_length=20, choices=Nature.choices,
                              default=Nature.UNKNOWN)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.OPEN)
    # Words of staff or of the platform, checked to hold no address or phone number.
    summary = models.TextField(_("summary"))
    # Pseudonymous references of who and what is concerned: "account:12", "client:3",
    # "registration:<uuid>"... (services.REF).
    refs = models.JSONField(_("references"), default=list, blank=True)
    # The client whose data is concerned, if any (the operator is then its processor and
    # tells it, P6.7). Kept when the client goes: the register outlives it.
    client = models.ForeignKey("core.Client", null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="incidents")
    created_by = models.CharField(_("recorded by"), max_length=64)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("incident")
        ordering = ["-detected_at"]
        indexes = [models.Index(fields=["status", "-detected_at"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(aware_at__gte=models.F("detected_at")),
                                   name="incident_aware_after_detected"),
        ]

    def __str__(self) -> str:
        return f"incident {self.reference}"

    @property
    def reference(self) -> str:
        """A short reference for people (the id's first 8 characters)."""
        return str(self.pk)[:8]
