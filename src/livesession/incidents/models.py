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
from django.utils.translation import pgettext_lazy


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
    OPEN = "open", pgettext_lazy("incident status", "Open")
    CLOSED = "closed", _("Closed")


class Risk(models.TextChoices):
    """Risk to people's rights and freedoms (GDPR art. 33.1, 34.1; EDPB 9/2022)."""

    NONE = "none", _("Unlikely to result in a risk")
    RISK = "risk", _("Risk")
    HIGH = "high", _("High risk")


class Role(models.TextChoices):
    """The operator's role for the data concerned: controller of the platform accounts,
    processor of its clients' data (P6.7)."""

    CONTROLLER = "controller", _("Controller (platform accounts)")
    PROCESSOR = "processor", _("Processor (client data)")


class Kind(models.TextChoices):
    """Who a notification goes to."""

    CNIL = "cnil", _("CNIL (supervisory authority)")
    PARTICIPANTS = "participants", _("People concerned")
    CLIENT = "client", _("Affected client")


class Phase(models.TextChoices):
    INITIAL = "initial", _("Initial")
    COMPLEMENTARY = "complementary", _("Complementary")


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

    # -- The assessment (issue 8 §1, GDPR art. 33.3 and 33.5): breach.assess writes it. --
    # Every nature that applies (Nature values, never "unknown"); ``nature`` keeps the first.
    natures = models.JSONField(_("natures"), default=list, blank=True)
    # Registry categories: model labels of personal-data declarations ("portal.Registration").
    data_categories = models.JSONField(_("data categories"), default=list, blank=True)
    people_approx = models.PositiveIntegerField(_("approximate number of people"), null=True,
                                                blank=True)
    records_approx = models.PositiveIntegerField(_("approximate number of records"),
                                                 null=True, blank=True)
    likely_consequences = models.TextField(_("likely consequences"), blank=True)
    risk_level = models.CharField(_("risk level"), max_length=10, choices=Risk.choices,
                                  blank=True)
    risk_reasoning = models.TextField(_("reasoning for the risk level"), blank=True)
    measures_taken = models.TextField(_("measures taken"), blank=True)
    measures_proposed = models.TextField(_("measures proposed"), blank=True)
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, blank=True)
    clients_affected = models.ManyToManyField("core.Client", blank=True,
                                              related_name="breaches_affecting",
                                              verbose_name=_("clients affected"))
    assessed_at = models.DateTimeField(_("assessed at"), null=True, blank=True)
    assessed_by = models.CharField(_("assessed by"), max_length=64, blank=True)
    # -- The decision (art. 33.1, 34.1): notify the CNIL, the people, or not, and why. --
    notify_cnil = models.BooleanField(_("notify the CNIL"), null=True, blank=True)
    notify_people = models.BooleanField(_("notify the people concerned"), null=True,
                                        blank=True)
    decision_rationale = models.TextField(_("why notify or not"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.CharField(_("decided by"), max_length=64, blank=True)
    # When the complementary CNIL notification is due (phased notification, art. 33.4).
    complement_due = models.DateTimeField(_("complement due"), null=True, blank=True)

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


class Notification(models.Model):
    """One notification of an incident, one phase: to the CNIL (with its reference once
    filed), to the people concerned, or to an affected client (``client`` set). A
    notification after its deadline holds the reason for the delay (art. 33.1)."""

    id = models.BigAutoField(primary_key=True)
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE,
                                 related_name="notifications")
    kind = models.CharField(_("to"), max_length=12, choices=Kind.choices)
    phase = models.CharField(_("phase"), max_length=14, choices=Phase.choices,
                             default=Phase.INITIAL)
    client = models.ForeignKey("core.Client", null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("notified at"))
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    delay_reason = models.TextField(_("reason for the delay"), blank=True)
    late = models.BooleanField(_("after the deadline"), default=False)
    recorded_by = models.CharField(_("recorded by"), max_length=64)
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("breach notification")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.phase} notification of {self.incident_id}"


class Alert(models.Model):
    """An alert to operator staff at 24, 48 or 60 hours of the 72-hour clock: one row per
    incident and mark, so the periodic job alerts once each (unique constraint)."""

    id = models.BigAutoField(primary_key=True)
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="alerts")
    hours = models.PositiveSmallIntegerField(_("hours since awareness"))
    sent_at = models.DateTimeField(_("sent at"))

    class Meta:
        verbose_name = _("breach alert")
        constraints = [models.UniqueConstraint(fields=["incident", "hours"],
                                               name="incident_alert_once")]

    def __str__(self) -> str:
        return f"{self.hours} h alert for {self.incident_id}"


class ExportMark(models.Model):
    """One export of personal data by a member (rows taken out), kept one hour: the
    unusual-export detector sums them per client and per member (S-04, B-06)."""

    id = models.BigAutoField(primary_key=True)
    client = models.ForeignKey("core.Client", null=True, blank=True,
                               on_delete=models.CASCADE, related_name="+")
    actor = models.CharField(_("exported by"), max_length=64)
    rows = models.PositiveIntegerField(_("rows"))
    at = models.DateTimeField(_("at"), db_index=True)

    class Meta:
        verbose_name = _("export mark")

    def __str__(self) -> str:
        return f"{self.rows} rows by {self.actor}"
