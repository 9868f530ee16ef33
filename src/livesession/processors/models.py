"""The register of sub-processors (issue 6 §4; P2.4, P6.11; GDPR art. 28(2) and (4), 44-46).

Only hosting providers may process the platform's personal data (P6.11). Each entry says
who (legal entity), what (service), where (country), which data, and on which ground data
leaves the EEA when it does. Adding or changing one sends a change notice to every client
and opens an objection window; each client's objections are kept here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceKind(models.TextChoices):
    HOSTING_SERVERS = "hosting_servers", _("Hosting: servers and network")
    HOSTING_DATABASE = "hosting_database", _("Hosting: managed databases")
    HOSTING_STORAGE = "hosting_storage", _("Hosting: file and backup storage")
    EMAIL = "email", _("Email delivery")
    ANALYTICS = "analytics", _("Audience analytics")
    SUPPORT = "support", _("Customer support tools")
    VIDEO = "video", _("Video conferencing")
    OTHER = "other", _("Another service")


HOSTING = frozenset({ServiceKind.HOSTING_SERVERS, ServiceKind.HOSTING_DATABASE,
                     ServiceKind.HOSTING_STORAGE})


class Mechanism(models.TextChoices):
    EEA = "eea", _("Inside the EEA: no transfer")
    ADEQUACY = "adequacy", _("Adequacy decision of the European Commission")
    DPF = "dpf", _("EU-US Data Privacy Framework (certified recipient)")
    SCC = "scc", _("Standard contractual clauses with a transfer impact assessment")


class DataCategory(models.TextChoices):
    ACCOUNTS = "accounts", _("Platform accounts")
    REGISTRATIONS = "registrations", _("Registrations and form answers")
    ATTENDANCE = "attendance", _("Attendance and access records")
    MESSAGES = "messages", _("Messages sent")
    BACKUPS = "backups", _("Encrypted backups")


class SubProcessor(models.Model):
    legal_entity = models.CharField(_("legal entity"), max_length=200)
    service_kind = models.CharField(_("kind of service"), max_length=30,
                                    choices=ServiceKind.choices)
    service = models.CharField(_("service"), max_length=200)
    country = models.CharField(_("country"), max_length=2)  # ISO 3166-1 alpha-2
    data_categories = models.JSONField(_("data categories"), default=list)
    mechanism = models.CharField(_("transfer mechanism"), max_length=20,
                                 choices=Mechanism.choices)
    adequacy_decision = models.CharField(_("adequacy decision"), max_length=200, blank=True)
    dpf_checked_on = models.DateField(_("DPF certification checked on"), null=True, blank=True)
    scc_module = models.CharField(_("SCC module"), max_length=120, blank=True)
    tia_reference = models.CharField(_("transfer impact assessment reference"), max_length=200,
                                     blank=True)
    active_from = models.DateField(_("active from"))
    active_until = models.DateField(_("active until"), null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("sub-processor")
        ordering = ["active_from", "id"]

    def __str__(self) -> str:
        return f"{self.legal_entity} ({self.country})"


class ChangeKind(models.TextChoices):
    ADDED = "added", _("added")
    CHANGED = "changed", _("changed")


class ChangeNotice(models.Model):
    """One addition or change, as announced to every client, with its objection window."""

    subprocessor = models.ForeignKey(SubProcessor, on_delete=models.PROTECT,
                                     related_name="notices")
    change = models.CharField(max_length=10, choices=ChangeKind.choices)
    changes = models.JSONField(default=dict, blank=True)  # the diff: field, old, new
    sent_at = models.DateTimeField()
    objection_until = models.DateTimeField()
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("sub-processor change notice")
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return f"{self.change} {self.subprocessor_id} {self.sent_at:%Y-%m-%d}"


class Objection(models.Model):
    """A client's objection to one change notice (GDPR art. 28(2))."""

    notice = models.ForeignKey(ChangeNotice, on_delete=models.CASCADE,
                               related_name="objections")
    client = models.ForeignKey("core.Client", on_delete=models.CASCADE, related_name="+")
    objected_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    reason = models.TextField()
    objected_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("objection to a sub-processor")
        ordering = ["-objected_at"]
        constraints = [models.UniqueConstraint(fields=["notice", "client"],
                                               name="objection_once_per_client")]

    def __str__(self) -> str:
        return f"{self.client_id} → {self.notice_id}"
