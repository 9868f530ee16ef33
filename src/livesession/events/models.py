"""Events: what a client publishes and participants register to (P0.1)."""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from livesession.core.clock import now
from livesession.protection.fields import ClientSecret


class RoomKind(models.TextChoices):
    """Room providers behind one interface (issue 4 §3; access/providers.py)."""

    EXTERNAL = "external", _("External link (Zoom, Teams, any)")
    EMBED = "embed", _("Embedded player on our page")
    BBB = "bbb", _("BigBlueButton")
    JITSI = "jitsi", _("Jitsi")


class EventStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CLOSED = "closed", _("Closed")


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())
            if "/" in name and not name.startswith(("Etc/", "SystemV/"))]


def default_reminder_offsets() -> list[int]:
    return [1440, 60]


class Event(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey("core.Client", on_delete=models.CASCADE, related_name="events")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("start"))
    ends_at = models.DateTimeField(_("end"))
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Paris")
    # The room: a provider, its URL (external link, embedded player) and its settings (a
    # BigBlueButton meeting name, a Jitsi room); a per-room secret is sealed (issue 4 §3).
    room_kind = models.CharField(_("room provider"), max_length=20, choices=RoomKind.choices,
                                 default=RoomKind.EXTERNAL)
    room_url = models.URLField(_("room URL"), max_length=500, blank=True)
    room_config = models.JSONField(default=dict, blank=True)
    room_secret_enc = models.TextField(blank=True, default="")
    # Replay (issue 4 §6): reached through the personal link after the end; optional expiry.
    replay_url = models.URLField(_("replay URL"), max_length=500, blank=True)
    replay_expires_at = models.DateTimeField(_("replay available until"), null=True,
                                             blank=True)
    # One device at a time per personal link (issue 4 §4); off: concurrent use is flagged.
    one_device_only = models.BooleanField(_("one device at a time per personal link"),
                                          default=False)
    # The personal link opens this many minutes before the start (issue 4 makes it per event).
    opens_minutes_before = models.PositiveIntegerField(_("opens (minutes before start)"),
                                                       default=15)
    status = models.CharField(max_length=20, choices=EventStatus.choices,
                              default=EventStatus.DRAFT)
    # Places: None is unlimited. ``seats_taken`` moves only through one conditional UPDATE
    # (registrations/capacity.py), never count-then-insert: exact under any race.
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    seats_taken = models.PositiveIntegerField(default=0)
    waitlist_enabled = models.BooleanField(_("waiting list when full"), default=True)
    approval_required = models.BooleanField(_("approve each registration"), default=False)
    double_opt_in = models.BooleanField(_("confirm the email address first"), default=False)
    registration_deadline = models.DateTimeField(_("registration deadline"), null=True,
                                                 blank=True)
    # Until when participants may rectify their answers themselves (P1.5, P4.1, issue 5
    # §2); empty: until the start. See ``modifiable_until``.
    modification_deadline = models.DateTimeField(_("modification deadline"), null=True,
                                                 blank=True)
    # Per-event override of the client's standard-field scope (P1.1); None: client default.
    form_scope = models.JSONField(null=True, blank=True)
    # With sessions: the whole series, or the participant's choice of sessions.
    session_mode = models.CharField(_("sessions"), max_length=10, default="series",
                                    choices=[("series", _("Registration to the whole series")),
                                             ("choose", _("Participants choose their sessions"))])
    # Reminders, in minutes before each start (issue 4 §7): the day before and one hour before.
    reminder_offsets = models.JSONField(_("reminders (minutes before start)"),
                                        default=default_reminder_offsets, blank=True)
    # After the end: thanks and replay to those present, the replay to those absent.
    followup_enabled = models.BooleanField(_("send a follow-up after the event"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    room_secret = ClientSecret("room_secret_enc")

    class Meta:
        verbose_name = _("event")
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["client", "starts_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def opens_at(self) -> dt.datetime:
        return self.starts_at - dt.timedelta(minutes=self.opens_minutes_before)

    def access_state(self) -> str:
        """"before", "open" or "ended": what the personal link does right now."""
        moment = now()
        if moment < self.opens_at:
            return "before"
        if moment <= self.ends_at:
            return "open"
        return "ended"

    @property
    def accepts_registrations(self) -> bool:
        moment = now()
        if self.registration_deadline is not None and moment > self.registration_deadline:
            return False
        return self.status == EventStatus.PUBLISHED and moment <= self.ends_at

    @property
    def seats_left(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.seats_taken, 0)

    @property
    def modifiable_until(self) -> dt.datetime:
        """The modification deadline, or the start when none is set."""
        return self.modification_deadline or self.starts_at

    @property
    def accepts_modifications(self) -> bool:
        """Participants may still rectify their registration (until the deadline, included)."""
        return now() <= self.modifiable_until

    def local_start(self) -> dt.datetime:
        return self.starts_at.astimezone(zoneinfo.ZoneInfo(self.time_zone))

    def local_end(self) -> dt.datetime:
        return self.ends_at.astimezone(zoneinfo.ZoneInfo(self.time_zone))


class Session(models.Model):
    """One date of an event with several (a virtual class series, a recurring webinar).
    An event without sessions is a single date (its own start and end)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="sessions")
    client = models.ForeignKey("core.Client", on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("start"))
    ends_at = models.DateTimeField(_("end"))
    # Empty kind: the event's room. Otherwise this session's own provider and settings.
    room_kind = models.CharField(_("room provider"), max_length=20, choices=RoomKind.choices,
                                 blank=True, default="")
    room_url = models.URLField(_("room URL"), max_length=500, blank=True)
    room_config = models.JSONField(default=dict, blank=True)
    room_secret_enc = models.TextField(blank=True, default="")
    replay_url = models.URLField(_("replay URL"), max_length=500, blank=True)
    replay_expires_at = models.DateTimeField(_("replay available until"), null=True,
                                             blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    seats_taken = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    room_secret = ClientSecret("room_secret_enc")

    class Meta:
        verbose_name = _("session")
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["event", "starts_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def opens_at(self) -> dt.datetime:
        return self.starts_at - dt.timedelta(minutes=self.event.opens_minutes_before)

    def access_state(self) -> str:
        moment = now()
        if moment < self.opens_at:
            return "before"
        return "open" if moment <= self.ends_at else "ended"

    @property
    def room(self) -> str:
        return self.room_url or self.event.room_url

    @property
    def seats_left(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.seats_taken, 0)
