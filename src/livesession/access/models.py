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
    """Who came to which session, and for how long (issue 4 §4): one row per registration
    and session, written by one upsert on each access (``access/attendance.py``).

    ``session_key`` is the session's id, or 0 for an event without sessions: a NULL would
    not take part in the unique constraint (NULLs are distinct on SQLite and PostgreSQL).
    ``seconds_present`` grows only with the embedded page's heartbeats; for a redirect to
    another site (external link, BigBlueButton, Jitsi) presence is not measured and
    ``presence_measured`` stays false: only the accesses are known."""

    registration = models.ForeignKey("registrations.Registration", on_delete=models.CASCADE,
                                     related_name="attendances")
    client = models.ForeignKey("core.Client", on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey("events.Session", null=True, blank=True,
                                on_delete=models.CASCADE, related_name="+")
    session_key = models.PositiveBigIntegerField(default=0)
    first_access_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    seconds_present = models.PositiveIntegerField(default=0)
    presence_measured = models.BooleanField(default=False)
    accesses = models.PositiveIntegerField(default=1)
    # The device that used the link last (hash of its cookie): another device seen while
    # this one is active counts as concurrent use, or is refused with one device only.
    last_device = models.CharField(max_length=64, blank=True, default="")
    concurrent_uses = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("attendance")
        constraints = [models.UniqueConstraint(fields=["registration", "session_key"],
                                               name="attendance_one_per_session")]
        indexes = [models.Index(fields=["client", "event", "session_key"])]

    def __str__(self) -> str:
        return f"attendance {self.pk}"

    @property
    def minutes_present(self) -> int | None:
        """Rounded minutes, or None when presence is not measured (redirect rooms)."""
        return round(self.seconds_present / 60) if self.presence_measured else None


class AttendanceDevice(models.Model):
    """A device that opened the personal link for a session: only the SHA-256 of its
    random cookie is kept (the cookie is functional; it identifies no person by itself)."""

    registration = models.ForeignKey("registrations.Registration", on_delete=models.CASCADE,
                                     related_name="+")
    client = models.ForeignKey("core.Client", on_delete=models.CASCADE, related_name="+")
    session_key = models.PositiveBigIntegerField(default=0)
    device_hash = models.CharField(max_length=64)
    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()

    class Meta:
        verbose_name = _("attendance device")
        constraints = [models.UniqueConstraint(
            fields=["registration", "session_key", "device_hash"], name="attendance_device_once")]

    def __str__(self) -> str:
        return f"attendance device {self.pk}"


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
