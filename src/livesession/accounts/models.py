"""Platform accounts: client members, operator staff and participants (operator is
controller, P0.2).

The email and the profile are stored encrypted under the account's subject key (an
operator-controlled ``Subject``); sign-in finds the account through the keyed hash of the
address (``email_index``). Around the account: which profile fields the participant shares
with each organizer (``SharingChoice``), the registrations it claimed (``AccountLink``) and
its signed-in sessions (``UserSession``, P1.5).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from livesession.protection.fields import Sealed

# The profile a participant keeps once and may share, field by field, with each organizer.
# The keys are those of the registration form's standard fields (registrations/scope.py).
PROFILE_FIELDS = ("first_name", "last_name", "mobile_phone", "city", "postal_code",
                  "job_function")


class UserManager(BaseUserManager["User"]):
    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email_index=username)


class User(AbstractBaseUser):
    email_index = models.CharField(max_length=64, unique=True)
    subject = models.OneToOneField(
        "protection.Subject", on_delete=models.PROTECT, related_name="account"
    )
    email_enc = models.TextField(blank=True)
    first_name_enc = models.TextField(blank=True)
    last_name_enc = models.TextField(blank=True)
    mobile_phone_enc = models.TextField(blank=True)
    city_enc = models.TextField(blank=True)
    postal_code_enc = models.TextField(blank=True)
    job_function_enc = models.TextField(blank=True)
    # The language of the emails this account receives.
    language = models.CharField(max_length=8, default="fr")
    # Until the owner follows the link mailed to the address, the account is not proven to
    # be theirs: it claims no earlier registration (P0.2, issue 3 point 9).
    email_verified_at = models.DateTimeField(null=True, blank=True)
    # Soft lock against password guessing: 5 failures within 15 minutes lock the account
    # for 15 minutes (reference AUTH-4); never a permanent lock someone else could cause.
    failed_logins = models.PositiveSmallIntegerField(default=0)
    last_failed_login_at = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    # Operator staff are a separate kind of account: never members of a client (P3.4).
    is_operator = models.BooleanField(default=False)
    # When the staff member acknowledged the confidentiality rules (P3.5).
    confidentiality_ack_at = models.DateTimeField(null=True, blank=True)
    date_joined = models.DateTimeField(auto_now_add=True)

    email = Sealed("email_enc")
    first_name = Sealed("first_name_enc")
    last_name = Sealed("last_name_enc")
    mobile_phone = Sealed("mobile_phone_enc")
    city = Sealed("city_enc")
    postal_code = Sealed("postal_code_enc")
    job_function = Sealed("job_function_enc")

    USERNAME_FIELD = "email_index"
    EMAIL_FIELD = "email_index"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        verbose_name = _("account")

    def __str__(self) -> str:
        return f"account {self.pk}"

    # Django's auth machinery calls these on every user model.
    def get_username(self) -> str:
        return self.email_index

    def natural_key(self) -> tuple[Any, ...]:
        return (self.email_index,)

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None


class SharingChoice(models.Model):
    """The profile fields the participant agrees to share with one organizer (P0.2): only
    these prefill that organizer's forms. The email is always part of a registration."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="sharing_choices")
    client = models.ForeignKey("core.Client", on_delete=models.CASCADE, related_name="+")
    fields = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("sharing choice")
        constraints = [
            models.UniqueConstraint(fields=["user", "client"], name="sharing_once_per_client"),
        ]

    def __str__(self) -> str:
        return f"sharing {self.pk}"


class AccountLink(models.Model):
    """A registration the account holds: made while signed in, or claimed after the address
    was verified. The registration stays the client's data (P0.2); the link is the
    account's, so the personal space can list it."""

    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="registration_links")
    registration = models.OneToOneField("registrations.Registration", on_delete=models.CASCADE,
                                        related_name="account_link")
    linked_at = models.DateTimeField()

    class Meta:
        verbose_name = _("registration of an account")

    def __str__(self) -> str:
        return f"link {self.pk}"


class UserSession(models.Model):
    """One signed-in session, listed in the personal space so its owner can spot one that
    is not theirs (P1.5). ``session_key`` is Django's own session key: it is needed to end
    that session, and it already sits in clear in the session table."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="signed_in_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    # Coarse on purpose: "Firefox, Linux", not the whole user-agent string.
    user_agent_family = models.CharField(max_length=60, blank=True)
    # The network, not the address: /24 for IPv4, /48 for IPv6.
    ip_truncated = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("signed-in session")
        ordering = ["-last_seen_at"]

    def __str__(self) -> str:
        return f"session {self.pk}"
