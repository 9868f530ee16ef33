"""Registrations and the fields a client adds to its form (P0.1, P1.1, P1.2)."""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from livesession.protection.fields import Sealed
from livesession.registrations.fieldkinds import KINDS


class RegistrationStatus(models.TextChoices):
    PENDING_CONFIRMATION = "pending_confirmation", _("Email to confirm")
    PENDING_APPROVAL = "pending_approval", _("Awaiting approval")
    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("Waiting list")
    DENIED = "denied", _("Denied")
    CANCELLED = "cancelled", _("Cancelled")


# Statuses that hold a place of the event's capacity.
HOLDS_SEAT = {RegistrationStatus.CONFIRMED}
ACTIVE = {RegistrationStatus.PENDING_CONFIRMATION, RegistrationStatus.PENDING_APPROVAL,
          RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED}


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
    mobile_phone_enc = models.TextField(blank=True)
    city_enc = models.TextField(blank=True)
    postal_code_enc = models.TextField(blank=True)
    job_function_enc = models.TextField(blank=True)
    # Answers to the client's custom fields, as one sealed JSON object {key: value}.
    answers_enc = models.TextField(blank=True)
    language = models.CharField(max_length=8, default="fr")
    status = models.CharField(max_length=24, choices=RegistrationStatus.choices,
                              default=RegistrationStatus.CONFIRMED)
    # How it came in: web, api, manager, import (P6.4: the client's instruction).
    channel = models.CharField(max_length=16, default="web")
    # The privacy notice version shown before submit (P0.3), a content hash.
    notice_version = models.CharField(max_length=64, blank=True)
    # A message from the organizer when denying (shown to the participant).
    decision_note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    email = Sealed("email_enc")
    first_name = Sealed("first_name_enc")
    last_name = Sealed("last_name_enc")
    mobile_phone = Sealed("mobile_phone_enc")
    city = Sealed("city_enc")
    postal_code = Sealed("postal_code_enc")
    job_function = Sealed("job_function_enc")
    answers_json = Sealed("answers_enc")

    class Meta:
        verbose_name = _("registration")
        ordering = ["created_at"]
        constraints = [
            # One registration per address and event, whatever the race.
            models.UniqueConstraint(fields=["event", "email_index"],
                                    name="registration_once_per_event"),
        ]
        indexes = [
            models.Index(fields=["client", "event", "status", "created_at"]),
            models.Index(fields=["event", "status", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"registration {self.pk}"

    @property
    def answers(self) -> dict[str, Any]:
        raw = self.answers_json
        return json.loads(raw) if raw else {}

    @answers.setter
    def answers(self, value: dict[str, Any]) -> None:
        self.answers_json = json.dumps(value, ensure_ascii=False, sort_keys=True) if value \
            else ""


class CustomField(models.Model):
    """A question a client adds to an event's form (P1.2). Its texts pass the
    sensitive-data guard before they are saved (P1.4, P6.2)."""

    client = models.ForeignKey("core.Client", on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey("events.Event", on_delete=models.CASCADE,
                              related_name="custom_fields")
    key = models.SlugField(max_length=50)
    kind = models.CharField(max_length=20, choices=list(KINDS.items()))
    label_fr = models.CharField(max_length=200)
    label_en = models.CharField(max_length=200)
    help_fr = models.CharField(max_length=500, blank=True)
    help_en = models.CharField(max_length=500, blank=True)
    required = models.BooleanField(default=False)
    # [{"value": "a", "label_fr": "…", "label_en": "…"}] for choice kinds.
    options = models.JSONField(default=list, blank=True)
    # min/max (number, date), min_length/max_length (text), max_choices.
    rules = models.JSONField(default=dict, blank=True)
    position = models.PositiveIntegerField(default=0)
    # Shown only when the answer to ``show_if_key`` equals ``show_if_value``.
    show_if_key = models.SlugField(max_length=50, blank=True)
    show_if_value = models.CharField(max_length=200, blank=True)
    purpose = models.CharField(max_length=300)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("custom field")
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["event", "key"],
                                               name="custom_field_key_per_event")]

    def __str__(self) -> str:
        return self.key

    def label(self) -> str:
        return self.label_en if (get_language() or "fr").startswith("en") else self.label_fr

    def help(self) -> str:
        return self.help_en if (get_language() or "fr").startswith("en") else self.help_fr

    def option_values(self) -> list[str]:
        return [str(o.get("value")) for o in self.options]

    def option_label(self, value: str) -> str:
        english = (get_language() or "fr").startswith("en")
        for option in self.options:
            if str(option.get("value")) == value:
                return str(option.get("label_en" if english else "label_fr") or value)
        return value


class IdempotencyKey(models.Model):
    """``Idempotency-Key`` of a public API registration: the same key on the same event
    answers the first answer again and registers nothing more (issue 3, point 6)."""

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="+")
    key_digest = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    body = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "key_digest"],
                                               name="idempotency_once_per_event")]

    def __str__(self) -> str:
        return f"idempotency {self.pk}"


class SearchToken(models.Model):
    """One searchable word of a registration, as a keyed hash (registrations/search.py).

    Names and addresses are sealed, so SQL cannot search them: the Manager's search looks
    up ``blind_index("<client id>:<word>", "search")`` here instead. The client id is part
    of the hashed text so the same name gives unrelated tokens in two clients."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey("core.Client", on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("search token")
        indexes = [
            # Covering index: a search word is answered from the index alone.
            models.Index(fields=["client", "event", "token", "registration"],
                         name="search_token_lookup"),
        ]

    def __str__(self) -> str:
        return f"search token {self.pk}"


class ImportStatus(models.TextChoices):
    ANALYSING = "analysing", _("Checking the file")
    READY = "ready", _("Checked: waiting for your confirmation")
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Finished")
    FAILED = "failed", _("Failed")
    DISCARDED = "discarded", _("Discarded")


class ImportBasis(models.TextChoices):
    """Why the organizer may process the people of its file (GDPR art. 6), recorded on the
    import it confirms (issue 3 point 11)."""

    CONTRACT = "contract", _("Contract: these people asked to take part (GDPR art. 6.1.b)")
    CONSENT = "consent", _("Consent collected elsewhere, which you can prove (GDPR art. 6.1.a)")
    LEGITIMATE_INTEREST = "legitimate_interest", _(
        "Legitimate interest, weighed against these people's rights (GDPR art. 6.1.f)")


class Import(models.Model):
    """A CSV of registrants, from upload to report (registrations/imports.py).

    The file is kept sealed (AES-GCM) with a key of its own in the keystore, under the
    import's id as a synthetic subject; the content and that key are destroyed once the
    import ends or is discarded. What stays is per line: its number, an outcome code and
    a reason, never a value of the file."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey("core.Client", on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="imports")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    # The interface language at upload: reasons in the report are written in it.
    language = models.CharField(max_length=8, default="fr")
    status = models.CharField(max_length=12, choices=ImportStatus.choices,
                              default=ImportStatus.ANALYSING)
    basis = models.CharField(max_length=24, choices=ImportBasis.choices, blank=True)
    content_enc = models.TextField(blank=True)
    delimiter = models.CharField(max_length=1, default=",")
    # The line (in the file) where each data record starts, in order.
    line_numbers = models.JSONField(default=list, blank=True)
    # What the check found: counts and [[line, reason], ...] for every bad line.
    analysis = models.JSONField(default=dict, blank=True)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    # One letter per record processed (see imports.OUTCOMES), and the reason of each
    # record that was not imported, keyed by its line number.
    outcomes = models.TextField(blank=True)
    reasons = models.JSONField(default=dict, blank=True)
    error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["client", "event", "created_at"]),
                   models.Index(fields=["status", "updated_at"])]

    def __str__(self) -> str:
        return f"import {self.pk}"


class SeatStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")  # registration not confirmed yet
    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("Waiting list")
    CANCELLED = "cancelled", _("Cancelled")


class SessionSeat(models.Model):
    """A registration's place in one session of an event with sessions (issue 3 §10)."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE,
                                     related_name="seats")
    session = models.ForeignKey("events.Session", on_delete=models.CASCADE, related_name="seats")
    client = models.ForeignKey("core.Client", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=12, choices=SeatStatus.choices,
                              default=SeatStatus.REQUESTED)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("session place")
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["registration", "session"],
                                               name="one_seat_per_session")]
        indexes = [models.Index(fields=["session", "status", "created_at"])]

    def __str__(self) -> str:
        return f"seat {self.pk}"
