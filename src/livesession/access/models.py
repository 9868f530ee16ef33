"""Personal access links and the record of who joined (P0.1)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from livesession.protection.fields import ClientSecret, Sealed


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


class RoomSettings(models.Model):
    """A client's provider accounts (issue 4 §3): its BigBlueButton server and shared secret,
    its Jitsi domain and JWT application. Secrets are sealed with the client's key."""

    client = models.OneToOneField("core.Client", on_delete=models.CASCADE,
                                  related_name="room_settings")
    bbb_url = models.URLField(_("BigBlueButton API URL"), max_length=300, blank=True)
    bbb_secret_enc = models.TextField(blank=True, default="")
    jitsi_domain = models.CharField(_("Jitsi domain"), max_length=200, blank=True,
                                    default="meet.jit.si")
    jitsi_app_id = models.CharField(_("Jitsi JWT application id"), max_length=200, blank=True)
    jitsi_secret_enc = models.TextField(blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    bbb_secret = ClientSecret("bbb_secret_enc")
    jitsi_secret = ClientSecret("jitsi_secret_enc")

    class Meta:
        verbose_name = _("room settings")

    def __str__(self) -> str:
        return f"room settings of client {self.client_id}"
