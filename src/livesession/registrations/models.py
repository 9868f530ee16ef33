"""Registrations: a participant's place in an event (P0.1, P1.1)."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from livesession.protection.fields import Sealed


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    CANCELLED = "cancelled", _("Cancelled")


class Registration(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # The client is copied from the event so every read can be scoped without a join.
    client = models.ForeignKey("core.Client", on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey("events.Event", on_delete=models.CASCADE,
                              related_name="registrations")
    subject = models.ForeignKey("protection.Subject", on_delete=models.PROTECT,
                                related_name="registrations")
    email_index = models.CharField(max_length=64)
    email_enc = models.TextField()
    first_name_enc = models.TextField(blank=True)
    last_name_enc = models.TextField(blank=True)
    language = models.CharField(max_length=8, default="fr")
    status = models.CharField(max_length=20, choices=RegistrationStatus.choices,
                              default=RegistrationStatus.CONFIRMED)
    created_at = models.DateTimeField(auto_now_add=True)

    email = Sealed("email_enc")
    first_name = Sealed("first_name_enc")
    last_name = Sealed("last_name_enc")

    class Meta:
        verbose_name = _("registration")
        ordering = ["created_at"]
        constraints = [
            # One registration per address and event, whatever the race (P1.3 proof).
            models.UniqueConstraint(fields=["event", "email_index"],
                                    name="registration_once_per_event"),
        ]
        indexes = [models.Index(fields=["client", "event"])]

    def __str__(self) -> str:
        return f"registration {self.pk}"
