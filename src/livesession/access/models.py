"""Personal access links and the record of who joined (P0.1)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from livesession.protection.fields import Sealed


class AccessLink(models.Model):
    """Only the SHA-256 of the token is stored: the database alone opens no room."""

    # Several links over time (revoked, regenerated); at most one is live.
    registration = models.ForeignKey("registrations.Registration", on_delete=models.CASCADE,
                                     related_name="access_links")
    client = models.ForeignKey("core.Client", on_delete=models.CASCADE, related_name="+")
    subject = models.ForeignKey("protection.Subject", on_delete=models.PROTECT, related_name="+")
    token_digest = models.CharField(max_length=64, unique=True)
    # The token itself, sealed with the participant's key, so the same link can be sent
    # again (resend, "already registered") without being readable from the database.
    token_enc = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    token = Sealed("token_enc")

    class Meta:
        verbose_name = _("personal access link")

    def __str__(self) -> str:
        return f"access link {self.pk}"


class Attendance(models.Model):
    """One row per join through the personal link."""

    registration = models.ForeignKey("registrations.Registration", on_delete=models.CASCADE,
                                     related_name="attendances")
    client = models.ForeignKey("core.Client", on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey("events.Session", null=True, blank=True,
                                on_delete=models.CASCADE, related_name="+")
    joined_at = models.DateTimeField()

    class Meta:
        verbose_name = _("attendance")
        indexes = [models.Index(fields=["client", "event"])]

    def __str__(self) -> str:
        return f"attendance {self.pk}"
