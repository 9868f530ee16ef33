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
