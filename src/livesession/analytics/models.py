"""Organizer analytics (issue 7 §7): what the figures need that the registration rows cannot
give to SQL.

``RegistrationSource`` is how a registration came in (referrer host, UTM parameters),
written by one INSERT right after the registration (``analytics/sources.py``).
``RegistrationFacts`` holds the breakdown dimensions derived from the sealed fields (job
function, city, postal department), normalized, so that SQL can group on them; the job in
``analytics/facts.py`` fills it. Both are personal data derived from the registration: they
go with it (CASCADE) and are declared in ``analytics/personal_data.py``.

``EventRollup`` holds one event's counts (per status, per quarter hour of registration, per
minute of presence), kept so that a page does not scan every row (issue 9, S4); counts only,
no person in them (``analytics/rollup.py`` says when they are used and when rebuilt).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RegistrationSource(models.Model):
    """Where a registration came from: the referrer's host only (never the full URL, which
    may carry someone's identifiers) and the three UTM parameters of the form page."""

    registration = models.OneToOneField("registrations.Registration", on_delete=models.CASCADE,
                                        primary_key=True, related_name="analytics_source")
    client = models.ForeignKey("core.Client", on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="+")
    referrer_host = models.CharField(max_length=253, blank=True, default="")
    utm_source = models.CharField(max_length=100, blank=True, default="")
    utm_medium = models.CharField(max_length=100, blank=True, default="")
    utm_campaign = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        verbose_name = _("registration source")
        indexes = [
            # Covering: the sources of one event (or of a client's events) are grouped from
            # the index alone.
            models.Index(fields=["client", "event", "referrer_host", "utm_source", "utm_medium",
                                 "utm_campaign"], name="analytics_source_group"),
        ]

    def __str__(self) -> str:
        return f"source of registration {self.pk}"


class RegistrationFacts(models.Model):
    """Normalized breakdown dimensions of one registration. NULL: the event's form does not
    collect the field (or the person is restricted or objects to statistics: ``withheld``);
    empty text: collected, not answered."""

    registration = models.OneToOneField("registrations.Registration", on_delete=models.CASCADE,
                                        primary_key=True, related_name="analytics_facts")
    client = models.ForeignKey("core.Client", on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="+")
    # NULL (not collected) differs from empty (collected, not answered).
    job_function = models.CharField(max_length=150, null=True, blank=True)  # noqa: DJ001 - NULL: not collected
    city = models.CharField(max_length=120, null=True, blank=True)  # noqa: DJ001 - NULL: not collected
    department = models.CharField(max_length=3, null=True, blank=True)  # noqa: DJ001 - NULL: not collected
    # Not computed for a restricted person nor one who objects to statistics (nothing is
    # decrypted for them); looked at again when that changes.
    withheld = models.BooleanField(default=False)
    # The registration's ``updated_at`` these facts were computed from: a later one means
    # the registration changed since (rectification) and the facts are computed again.
    registration_updated_at = models.DateTimeField(db_index=True)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("registration analytics facts")
        indexes = [
            # Covering, client first (every read names it): a breakdown is read from the
            # index alone.
            models.Index(fields=["client", "event", "job_function"], name="analytics_facts_job"),
            models.Index(fields=["client", "event", "city"], name="analytics_facts_city"),
            models.Index(fields=["client", "event", "department"], name="analytics_facts_dept"),
            models.Index(fields=["withheld"], name="analytics_facts_withheld",
                         condition=models.Q(withheld=True)),
        ]

    def __str__(self) -> str:
        return f"analytics facts of registration {self.pk}"


class EventRollup(models.Model):
    """One event's counts over every row, nobody left out yet (``analytics/rollup.py``):
    counts only. ``dirty`` is set by database triggers (migration 0003), in the transaction
    of any change the counts cannot follow: a registration's status, creation time or event
    changed, a registration or an attendance row deleted. A reading clears it first, then
    reads the rows: still clear afterwards, the counts hold."""

    event = models.OneToOneField("events.Event", on_delete=models.CASCADE, primary_key=True,
                                 related_name="+")
    client = models.ForeignKey("core.Client", on_delete=models.CASCADE, related_name="+")
    dirty = models.BooleanField(default=True)
    # When the counts were read; registrations created from ``cutoff`` on are counted live.
    built_at = models.DateTimeField(null=True)
    cutoff = models.DateTimeField(null=True)
    # The open windows of the event and its sessions when the counts were read, and the
    # platform time zone of the per-day counts: either changed, the counts are read again.
    windows = models.JSONField(default=list)
    zone = models.CharField(max_length=64, blank=True, default="")
    counts = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("event analytics rollup")

    def __str__(self) -> str:
        return f"analytics rollup of event {self.pk}"
