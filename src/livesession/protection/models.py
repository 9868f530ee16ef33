"""Data subjects and their data keys.

A ``Subject`` is one person as seen by one controller: the operator (platform accounts) or a
client (its participants). Every encrypted field of that person uses the subject's data key,
kept in the keystore database (``DataKey``), never in the main database.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

OPERATOR = "operator"


def controller_key_for(client_id: int | None) -> str:
    return OPERATOR if client_id is None else f"client:{client_id}"


class Subject(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # "operator" or "client:<id>": which controller this person's data belongs to (P0.2).
    controller = models.CharField(max_length=40)
    client = models.ForeignKey(
        "core.Client", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    email_index = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    shredded_at = models.DateTimeField(null=True, blank=True)
    # Restriction of processing (GDPR art. 18, R-10): while set, only storage is allowed
    # (see protection/restriction.py). ``restricted_source``: where it was asked for
    # ("space", "desk", "manager", "api").
    restricted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    restricted_source = models.CharField(max_length=20, blank=True, default="")

    class Meta:
        verbose_name = _("data subject")
        constraints = [
            models.UniqueConstraint(
                fields=["controller", "email_index"], name="subject_unique_per_controller"
            )
        ]

    def __str__(self) -> str:
        return f"subject {self.id}"


class DataKey(models.Model):
    """Lives in the keystore database (see router). No foreign key can cross databases,
    so the subject is referenced by its id."""

    subject_id = models.UUIDField(primary_key=True)
    controller = models.CharField(max_length=40, db_index=True)
    wrapped = models.BinaryField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    destroyed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("data key")

    def __str__(self) -> str:
        return f"key {self.subject_id}"


class ObjectionPurpose(models.TextChoices):
    # Attendance statistics, analytics and peer comparison (legitimate interest, R-11).
    STATISTICS = "statistics", _("Attendance statistics")
    # Reminders before a session starts (the organizer's legitimate interest; the
    # confirmation and the access link are part of the registration and cannot be objected to).
    REMINDERS = "reminders", _("Reminders before the start")


class Objection(models.Model):
    """An objection (GDPR art. 21, R-11) of one person at one controller to one purpose, from
    when it was made until it was withdrawn. History: a withdrawn objection keeps its row with
    ``withdrawn_at``; objecting again opens a new row. See protection/objection.py."""

    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="objections")
    purpose = models.CharField(max_length=30, choices=ObjectionPurpose.choices)
    objected_at = models.DateTimeField()
    objected_source = models.CharField(max_length=20)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_source = models.CharField(max_length=20, blank=True, default="")

    class Meta:
        verbose_name = _("objection")
        ordering = ["-objected_at"]
        constraints = [
            models.UniqueConstraint(fields=["subject", "purpose"],
                                    condition=models.Q(withdrawn_at__isnull=True),
                                    name="objection_one_open_per_purpose")
        ]

    def __str__(self) -> str:
        return f"objection {self.pk} ({self.purpose})"
