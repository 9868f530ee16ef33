"""Staff access to a client's data (P3.4, P6.4, P6.5) and second factors (S-02).

- ``MfaDevice``: one TOTP secret per account, sealed under the account's subject key;
  ``RecoveryCode``: one-time codes, stored as SHA-256 digests only.
- ``ClientMfaPolicy``: a client's choice to require a second factor of its members.
- ``StaffAccessGrant``: a staff member's time-boxed, justified access to one client's
  participant data; ``StaffAccessRead``: each read made under it, shown to the client.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from livesession.protection.fields import Sealed


class MfaDevice(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="mfa_device")
    subject = models.ForeignKey("protection.Subject", on_delete=models.PROTECT,
                                related_name="+")
    secret_enc = models.TextField()
    created_at = models.DateTimeField()
    # Null until the first code was verified: an unconfirmed secret protects nothing.
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The last 30-second step a code was accepted for: that step and earlier ones are
    # refused (a code works once).
    last_step = models.BigIntegerField(null=True, blank=True)

    secret = Sealed("secret_enc")

    class Meta:
        verbose_name = _("second factor")

    def __str__(self) -> str:
        return f"mfa {self.pk}"


class RecoveryCode(models.Model):
    device = models.ForeignKey(MfaDevice, on_delete=models.CASCADE,
                               related_name="recovery_codes")
    code_digest = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("recovery code")

    def __str__(self) -> str:
        return f"recovery code {self.pk}"


class ClientMfaPolicy(models.Model):
    client = models.OneToOneField("core.Client", on_delete=models.CASCADE,
                                  related_name="mfa_policy")
    required = models.BooleanField(default=False)
    changed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("second factor requirement")

    def __str__(self) -> str:
        return f"mfa policy {self.client_id}"


class StaffAccessGrant(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # SET_NULL: the client keeps the record of an access after the staff account is gone;
    # ``staff_ref`` is the pseudonymous id it then reads.
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              related_name="staff_grants")
    staff_ref = models.CharField(max_length=40)
    client = models.ForeignKey("core.Client", on_delete=models.CASCADE,
                               related_name="staff_grants")
    # Written by staff about a task, not about a person (the form says so); shown to the
    # client as the instruction the access answers (P6.4).
    reason = models.TextField()
    ticket = models.CharField(max_length=100, blank=True)
    starts_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("staff access")
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["client", "starts_at"])]

    def __str__(self) -> str:
        return f"staff access {self.pk}"

    def is_open(self, at: object) -> bool:
        return self.ended_at is None and self.starts_at <= at < self.expires_at  # type: ignore[operator]


class StaffAccessRead(models.Model):
    grant = models.ForeignKey(StaffAccessGrant, on_delete=models.CASCADE, related_name="reads")
    client = models.ForeignKey("core.Client", on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField()
    # What was read, as words and pseudonymous ids ("registrants of event:<uuid>").
    what = models.CharField(max_length=200)
    rows = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("staff read")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"staff read {self.pk}"
