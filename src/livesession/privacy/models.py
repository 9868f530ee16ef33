"""The consent ledger and the versions of the privacy notice (P0.3, P1.3, P2.3).

``ConsentRecord`` is append-only: a withdrawal is a new row, never an update, so the
history of every consent can be proven later.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class NoticeVersion(models.Model):
    """A version of the privacy notice, identified by the hash of its French and English
    texts. Each registration records the version shown before submit."""

    digest = models.CharField(max_length=64, primary_key=True)
    text_fr = models.TextField()
    text_en = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("privacy notice version")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.digest[:12]


class ConsentPurpose(models.Model):
    """An optional purpose a participant may consent to, one unticked box each (P2.3)."""

    NEWS = "organizer_news"
    ATTENDEE_LIST = "attendee_list"

    client = models.ForeignKey("core.Client", on_delete=models.CASCADE,
                               related_name="consent_purposes")
    key = models.SlugField(max_length=50)
    label_fr = models.CharField(max_length=300)
    label_en = models.CharField(max_length=300)
    active = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("consent purpose")
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["client", "key"],
                                               name="consent_purpose_key_per_client")]

    def __str__(self) -> str:
        return self.key

    def label(self, language: str | None = None) -> str:
        english = (language or get_language() or "fr").startswith("en")
        return self.label_en if english else self.label_fr


class ConsentAction(models.TextChoices):
    GIVEN = "given", _("Given")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ConsentRecord(models.Model):
    client = models.ForeignKey("core.Client", on_delete=models.CASCADE, related_name="+")
    subject = models.ForeignKey("protection.Subject", on_delete=models.PROTECT,
                                related_name="+")
    purpose = models.ForeignKey(ConsentPurpose, on_delete=models.PROTECT, related_name="+")
    registration = models.ForeignKey("registrations.Registration", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="consents")
    action = models.CharField(max_length=10, choices=ConsentAction.choices)
    # SHA-256 of the exact text the person saw, in the language they saw it (P1.3).
    text_digest = models.CharField(max_length=64)
    language = models.CharField(max_length=8)
    channel = models.CharField(max_length=16)
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("consent record")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["client", "subject", "purpose", "at"])]

    def __str__(self) -> str:
        return f"consent {self.pk} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("consent records are append-only: record a new action instead")
        super().save(*args, **kwargs)
