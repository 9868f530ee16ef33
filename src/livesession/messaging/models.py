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
    SENT = "sent", _("Sent")
    KEPT = "kept", _("Kept (no SMTP server configured)")
    FAILED = "failed", _("Failed")


class OutboxMessage(models.Model):
    client = models.ForeignKey("core.Client", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="+")
    subject = models.ForeignKey("protection.Subject", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=60)
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

    class Meta:
        verbose_name = _("email message")
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"message {self.pk} ({self.status})"

    @property
    def message_id(self) -> str:
        """Stable across retries, so a receiver can drop a duplicate delivery."""
        return f"<outbox-{self.pk}@livesession>"
