"""Consent receipts (proof of each cookie choice, P2.3, P7.4, P7.5; C-08) and raw audience
rows (first-party measurement, P1.6; deleted after 13 months, P7.2, D-07)."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ConsentAction(models.TextChoices):
    ACCEPT_ALL = "accept_all", _("accepted all")
    REJECT_ALL = "reject_all", _("rejected all")
    CUSTOM = "custom", _("chose per purpose and emitter")
    CLOSE = "close", _("closed the banner (refusal)")
    GRANT = "grant", _("allowed one tracker where it was needed")


class ConsentSurface(models.TextChoices):
    BANNER = "banner", _("banner")
    SETTINGS = "settings", _("cookie settings page")
    PLACEHOLDER = "placeholder", _("click-to-load placeholder")


class ConsentReceipt(models.Model):
    """One choice, as proof (GDPR art. 7(1)): append-only. No network address is kept, not
    even a truncated one: the receipt proves what was chosen, not who chose it; the account
    is linked only when the visitor was signed in (cleared when the account is erased)."""

    receipt_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    action = models.CharField(max_length=20, choices=ConsentAction.choices)
    surface = models.CharField(max_length=20, choices=ConsentSurface.choices)
    # {tracker key: allowed} for every non-functional tracker of the inventory.
    choices = models.JSONField(default=dict)
    # Tracker keys that were allowed by the previous valid choice and are refused now.
    withdrawn = models.JSONField(default=list, blank=True)
    inventory_hash = models.CharField(max_length=64)
    notice_version = models.CharField(max_length=64)
    language = models.CharField(max_length=8)
    account = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="cookie_receipts")
    at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("cookie consent receipt")
        indexes = [models.Index(fields=["account", "at"])]

    def __str__(self) -> str:
        return f"{self.action} {self.receipt_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Append-only proof: a receipt is never rewritten (erasure and the purge work on
        # querysets: the account link is cleared, old rows deleted).
        if not self._state.adding:
            raise ValueError("a consent receipt cannot be changed")
        super().save(*args, **kwargs)


class PageView(models.Model):
    """One page view of a visitor who allowed audience measurement (or, in the operator's
    exempt mode, did not object). The route name, never the address (tokens and ids live in
    addresses); the visitor cookie's SHA-256; the IP cut to /16 (IPv4) or /48 (IPv6)."""

    at = models.DateTimeField(db_index=True)
    visitor = models.CharField(max_length=64)
    seq = models.PositiveIntegerField()
    route = models.CharField(max_length=120)
    area = models.CharField(max_length=40)
    browser = models.CharField(max_length=20)
    browser_version = models.PositiveSmallIntegerField(null=True)
    ip_prefix = models.CharField(max_length=64, blank=True)
    referrer_host = models.CharField(max_length=255, blank=True)
    exempt = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("audience page view")
        indexes = [models.Index(fields=["visitor", "seq"])]

    def __str__(self) -> str:
        return f"{self.route} #{self.seq}"
