"""The outbox: every email is a row written in the transaction that causes it (DESIGN 5).

Recipient and body are encrypted with the recipient's subject key; the worker decrypts them
only to hand the message to SMTP.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from livesession.protection.fields import Sealed


class OutboxStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    # A transient failure (refused connection, 4xx): tried again with backoff (issue 4 §8).
    DEFERRED = "deferred", _("Deferred (will retry)")
    SENT = "sent", _("Sent")
    KEPT = "kept", _("Kept (no SMTP server configured)")
    FAILED = "failed", _("Failed")


class OutboxMessage(models.Model):
    client = models.ForeignKey("core.Client", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="+")
    subject = models.ForeignKey("protection.Subject", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=60)
    # Which registration and event a message belongs to, for the organizer's per-recipient
    # status (issue 4 §7); empty for account messages.
    registration = models.ForeignKey("registrations.Registration", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="messages")
    event = models.ForeignKey("events.Event", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    # Non-transactional messages (reminders aside: follow-ups, segment messages) carry an
    # unsubscribe link, sent as a List-Unsubscribe header too; sealed, it names the person.
    unsubscribe_url_enc = models.TextField(blank=True, default="")
    # One text attachment at most (the calendar invitation); sealed, it holds the join link.
    attachment_name = models.CharField(max_length=100, blank=True, default="")
    attachment_type = models.CharField(max_length=100, blank=True, default="")
    attachment_enc = models.TextField(blank=True, default="")
    to_enc = models.TextField()
    subject_line_enc = models.TextField()
    body_enc = models.TextField()
    status = models.CharField(max_length=20, choices=OutboxStatus.choices,
                              default=OutboxStatus.QUEUED, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The SMTP error class and code only: server replies can echo the address.
    last_error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    to = Sealed("to_enc")
    subject_line = Sealed("subject_line_enc")
    body = Sealed("body_enc")
    unsubscribe_url = Sealed("unsubscribe_url_enc")
    attachment = Sealed("attachment_enc")

    class Meta:
        verbose_name = _("email message")
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"]),
                   models.Index(fields=["client", "event", "kind"])]

    def __str__(self) -> str:
        return f"message {self.pk} ({self.status})"

    @property
    def message_id(self) -> str:
        """Stable across retries, so a receiver can drop a duplicate delivery."""
        return f"<outbox-{self.pk}@livesession>"


class MessageKind(models.TextChoices):
    """The messages a client can word (issue 4 §7); each has its placeholders
    (messaging/templating.py) and a built-in default (messaging/defaults.py)."""

    CONFIRMATION = "confirmation", _("Registration confirmed")
    PENDING_CONFIRMATION = "pending_confirmation", _("Email address to confirm")
    PENDING_APPROVAL = "pending_approval", _("Awaiting approval")
    WAITLISTED = "waitlisted", _("Waiting list")
    PROMOTED = "promoted", _("Place freed up (from the waiting list)")
    APPROVED = "approved", _("Registration approved")
    DENIED = "denied", _("Registration denied")
    CANCELLED = "cancelled", _("Registration cancelled")
    REMINDER = "reminder", _("Reminder before the start")
    FOLLOWUP_ATTENDED = "followup_attended", _("Follow-up to those present")
    FOLLOWUP_ABSENT = "followup_absent", _("Follow-up to those absent")
    SEGMENT = "segment", _("Message to a segment")


class Language(models.TextChoices):
    FR = "fr", "Français"
    EN = "en", "English"


class MessageTemplate(models.Model):
    """A client's wording of one kind of message in one language; without one, the built-in
    default is used. Organizer text, rendered by our placeholder substitution only, never
    by the Django template engine."""

    client = models.ForeignKey("core.Client", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30, choices=MessageKind.choices)
    language = models.CharField(max_length=2, choices=Language.choices)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"), max_length=20000)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("message template")
        constraints = [models.UniqueConstraint(fields=["client", "kind", "language"],
                                               name="one_template_per_kind_and_language")]

    def __str__(self) -> str:
        return f"{self.kind}/{self.language}"


class MessageOnce(models.Model):
    """A message that must go at most once per registration (a reminder for one session
    and offset, a follow-up, a segment message). The unique constraint is the guarantee:
    the row is inserted in the same transaction as the outbox row, so a job run twice, two
    workers at once, or a worker killed between batches never queue it twice."""

    client = models.ForeignKey("core.Client", on_delete=models.CASCADE, related_name="+")
    registration = models.ForeignKey("registrations.Registration", on_delete=models.CASCADE,
                                     related_name="+")
    # "reminder:<session id or 0>:<offset minutes>:<start, epoch seconds>", "followup",
    # "segment:<campaign id>". The start is part of a reminder's key: a moved event is
    # reminded again at its new time.
    key = models.CharField(max_length=80)
    # Empty when the message was skipped on purpose (unsubscribed, unreadable address).
    outbox = models.ForeignKey(OutboxMessage, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("message sent once")
        constraints = [models.UniqueConstraint(fields=["registration", "key"],
                                               name="message_once_per_registration")]
        indexes = [models.Index(fields=["client", "key"])]

    def __str__(self) -> str:
        return f"{self.key} for {self.registration_id}"


class Unsubscribe(models.Model):
    """A person (one subject of one client) who asked for no more non-transactional
    messages from that client: follow-ups and segment messages. Registration messages and
    reminders are transactional and still go (docs/messages.md)."""

    client = models.ForeignKey("core.Client", on_delete=models.CASCADE, related_name="+")
    subject = models.ForeignKey("protection.Subject", on_delete=models.CASCADE,
                                related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("unsubscription")
        constraints = [models.UniqueConstraint(fields=["client", "subject"],
                                               name="unsubscribe_once_per_client")]

    def __str__(self) -> str:
        return f"unsubscribe {self.pk}"


class Segment(models.TextChoices):
    # People, counted: "Attended" heads a group of people here, not a yes/no column.
    REGISTERED = "registered", pgettext_lazy("group of people", "Registered (confirmed)")
    ATTENDED = "attended", pgettext_lazy("group of people", "Attended")
    ABSENT = "absent", pgettext_lazy("group of people", "Registered but absent")


class CampaignStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Sending")
    DONE = "done", _("Done")


class Campaign(models.Model):
    """A message from the organizer to a segment of an event's registrations, in French and
    English: each recipient gets the version of their registration language. Fanned out by
    a background job in batches (messaging/segments.py)."""

    client = models.ForeignKey("core.Client", on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="+")
    segment = models.CharField(_("segment"), max_length=20, choices=Segment.choices)
    subject_fr = models.CharField(_("subject (French)"), max_length=200)
    body_fr = models.TextField(_("body (French)"), max_length=20000)
    subject_en = models.CharField(_("subject (English)"), max_length=200)
    body_en = models.TextField(_("body (English)"), max_length=20000)
    status = models.CharField(max_length=10, choices=CampaignStatus.choices,
                              default=CampaignStatus.QUEUED, db_index=True)
    # Fixed when the fan-out starts; progress is queued + skipped out of total.
    total = models.PositiveIntegerField(default=0)
    queued = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    created_by = models.CharField(max_length=60)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("message to a segment")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"campaign {self.pk}"


class SendPace(models.Model):
    """The outbox's send rate, shared by every worker (``messaging/pace.py``): the earliest
    moment the next message may be handed to SMTP. One row per pace (the platform's SMTP
    relay); a row, not a process's memory, so that several workers keep one rate."""

    key = models.CharField(max_length=40, unique=True)
    next_at = models.DateTimeField()

    class Meta:
        verbose_name = _("send pace")

    def __str__(self) -> str:
        return f"send pace {self.key}"
