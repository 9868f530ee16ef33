"""The outbox: every email is a row written in the transaction that causes it (DESIGN 5).

Recipient and body are encrypted with the recipient's subject key; the worker decrypts them
only to hand the message to SMTP.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

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
