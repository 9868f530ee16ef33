"""The request desk (issue 5 §8, §9): rights requests received by email, post, the account
or forwarded by an organizer, with their deadlines, identity checks and outcome.

A request belongs to one controller: the operator (``client`` null: platform accounts) or a
client (its participants). The requester's address, name, postal address and the note are
personal data, sealed under a ``Subject`` of that controller (the person's own when the
address is known there, else a subject of its own) so erasure reaches them. Each transition
is in the audit trail under pseudonymous ids (``desk_request:<uuid>``), which outlives the
request (R-13).
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from livesession.protection.fields import Sealed


class RequestType(models.TextChoices):
    ACCESS = "access", _("Access")
    COPY = "copy", _("Copy")
    RECTIFICATION = "rectification", _("Rectification")
    ERASURE = "erasure", _("Erasure")
    RESTRICTION = "restriction", _("Restriction of processing")
    OBJECTION = "objection", _("Objection")
    PORTABILITY = "portability", _("Portability")
    WITHDRAWAL = "withdrawal", _("Withdrawal of consent")


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    POST = "post", _("Post")
    ACCOUNT = "account", _("Personal account")
    FORWARDED = "organizer_forwarded", _("Forwarded")


class Status(models.TextChoices):
    RECEIVED = "received", _("Received")
    VERIFYING = "verifying_identity", _("Verifying identity")
    MANUAL_REVIEW = "manual_review", _("Manual review of identity")
    IN_PROGRESS = "in_progress", _("In progress")
    AWAITING_CONTROLLER = "awaiting_controller", _("Forwarded to the organizer")
    DONE = "done", pgettext_lazy("rights request status", "Done")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn by the person")


OPEN = (Status.RECEIVED, Status.VERIFYING, Status.MANUAL_REVIEW, Status.IN_PROGRESS)
CLOSED = (Status.DONE, Status.REFUSED, Status.WITHDRAWN)


class IdentityMethod(models.TextChoices):
    ACCOUNT = "account", _("Signed-in account")
    CODE = "one_time_code", _("One-time code to the address on file")
    DOCUMENT = "document", _("Identity document (reasonable doubt)")


class Request(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Null: the operator is the controller (platform accounts); else the client is.
    client = models.ForeignKey("core.Client", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="desk_requests")
    subject = models.ForeignKey("protection.Subject", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    # True when the subject was made for this request (the address was unknown there).
    own_subject = models.BooleanField(default=False)
    type = models.CharField(_("type"), max_length=20, choices=RequestType.choices)
    channel = models.CharField(_("channel"), max_length=24, choices=Channel.choices)
    received_on = models.DateField(_("received on"))
    due_on = models.DateField(_("due on"))
    extended_until = models.DateField(_("extended until"), null=True, blank=True)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    extension_notified_at = models.DateTimeField(null=True, blank=True)
    identity_verified_at = models.DateTimeField(null=True, blank=True)
    identity_method = models.CharField(max_length=20, choices=IdentityMethod.choices,
                                       blank=True)
    doubt_reason = models.TextField(_("reason for doubt"), blank=True)
    status = models.CharField(_("status"), max_length=24, choices=Status.choices,
                              default=Status.RECEIVED)
    refusal_reason = models.TextField(_("reason for the refusal"), blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    response_channel = models.CharField(max_length=24, choices=Channel.choices, blank=True)
    # The operator's request that was forwarded to this client, or the client a request of
    # the operator was forwarded to (processor routing, R-12).
    forwarded_from = models.ForeignKey("self", null=True, blank=True,
                                       on_delete=models.SET_NULL, related_name="forwards")
    routed_to = models.ForeignKey("core.Client", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    # The language of the messages to the person (fr or en).
    language = models.CharField(max_length=8, default="fr")
    created_by = models.CharField(max_length=80)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    email_enc = models.TextField(blank=True)
    name_enc = models.TextField(blank=True)
    postal_address_enc = models.TextField(blank=True)
    details_enc = models.TextField(blank=True)

    email = Sealed("email_enc")
    name = Sealed("name_enc")
    postal_address = Sealed("postal_address_enc")
    details = Sealed("details_enc")

    class Meta:
        verbose_name = _("rights request")
        ordering = ["due_on", "created_at"]
        indexes = [models.Index(fields=["client", "status", "due_on"])]

    def __str__(self) -> str:
        return f"request {self.pk}"

    @property
    def deadline(self) -> dt.date:
        return self.extended_until or self.due_on

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED and self.status != Status.AWAITING_CONTROLLER


class IdentityCheck(models.Model):
    """A one-time code mailed to the address on file (R-03). Only its keyed hash is kept;
    the row goes after use, after too many wrong codes, or once expired and replaced."""

    request = models.OneToOneField(Request, on_delete=models.CASCADE, related_name="code_check")
    code_hash = models.CharField(max_length=64)
    attempts = models.PositiveSmallIntegerField(default=0)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"check {self.pk}"


class IdentityDocument(models.Model):
    """An identity document, accepted only when a reason for doubt is recorded, sealed under
    the person's key, and deleted right after the check (R-03, EDPB 01/2022 §§69-78)."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="documents")
    subject = models.ForeignKey("protection.Subject", on_delete=models.CASCADE,
                                related_name="+")
    content_enc = models.TextField()
    file_name_enc = models.TextField(blank=True)
    content_type = models.CharField(max_length=100)
    uploaded_at = models.DateTimeField()

    content = Sealed("content_enc")
    file_name = Sealed("file_name_enc")

    def __str__(self) -> str:
        return f"document {self.pk}"


class Alert(models.Model):
    """One deadline alert (D-7, D-2, overdue) sent for a request: the unique constraint
    makes it once, whatever the number of runs or workers (as ``messaging.once``)."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="alerts")
    key = models.CharField(max_length=40)
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["request", "key"],
                                               name="desk_alert_once")]

    def __str__(self) -> str:
        return f"{self.key} {self.request_id}"


class Delivery(models.Model):
    """The archive answering an access, copy or portability request, waiting for the person
    behind a link mailed to the address on file. Opening it needs a one-time code mailed
    at that moment (the link alone is not enough). Sealed under the person's key; deleted
    once downloaded, after too many wrong codes, or when it expires."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="deliveries")
    subject = models.ForeignKey("protection.Subject", on_delete=models.CASCADE,
                                related_name="+")
    token_digest = models.CharField(max_length=64, unique=True)
    archive_enc = models.TextField()
    sha256 = models.CharField(max_length=64)
    code_hash = models.CharField(max_length=64, blank=True)
    code_expires_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField()

    archive = Sealed("archive_enc")

    def __str__(self) -> str:
        return f"delivery {self.pk}"
