"""Tenancy: clients (the organizations) and their members with roles (P3.4, P6.1)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    ADMIN = "admin", _("Administrator")
    ORGANIZER = "organizer", _("Organizer")
    VIEWER = "viewer", _("Viewer")


# What each role may do; views and API ask through ``tenancy.require``.
CAPABILITIES: dict[str, set[str]] = {
    # manage_security: the client's security settings (a required second factor, S-02).
    Role.OWNER: {"view", "manage_events", "manage_members", "manage_tokens", "manage_security"},
    Role.ADMIN: {"view", "manage_events", "manage_members", "manage_tokens"},
    Role.ORGANIZER: {"view", "manage_events"},
    Role.VIEWER: {"view"},
}


class Client(models.Model):
    """A tenant: controller of its participants' data; the operator is its processor."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    is_active = models.BooleanField(default=True)
    # Which standard registration fields this client collects by default (P1.1); empty
    # means the platform default (email, first name, last name). See
    # registrations/scope.py for the shape.
    form_defaults = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("client")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        constraints = [
            models.UniqueConstraint(fields=["client", "user"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.client_id}:{self.role}"

    def can(self, capability: str) -> bool:
        return capability in CAPABILITIES.get(self.role, set())


class WorkerHeartbeat(models.Model):
    """Written by the worker every minute; /healthz and the console read it. A database
    row, because the web server and the worker share no memory or cache by default."""

    name = models.CharField(max_length=60, primary_key=True)
    beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} {self.beat_at}"


class RateCounter(models.Model):
    """One fixed-window counter of the rate limits (core.ratelimit) when there is no
    Redis: a row in the main database, so the count holds across the web server's worker
    processes. ``bucket_key`` holds a keyed hash of the address, never the address; also
    used challenges of the proof of work (``pow:<hash>``). Times are Unix seconds; the
    periodic job ``core.jobs.prune_rate_counters`` deletes expired rows."""

    bucket_key = models.CharField(max_length=200, unique=True)
    window_start = models.BigIntegerField()
    expires_at = models.BigIntegerField(db_index=True)
    count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.bucket_key} {self.count}"
