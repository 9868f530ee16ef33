"""Platform accounts: client members and operator staff (operator is controller, P0.2).

The email is stored encrypted under the account's subject key; sign-in finds the account
through the keyed hash of the address (``email_index``).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from livesession.protection.fields import Sealed


class UserManager(BaseUserManager["User"]):
    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email_index=username)


class User(AbstractBaseUser):
    email_index = models.CharField(max_length=64, unique=True)
    subject = models.OneToOneField(
        "protection.Subject", on_delete=models.PROTECT, related_name="account"
    )
    email_enc = models.TextField(blank=True)
    name_enc = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    # Operator staff are a separate kind of account: never members of a client (P3.4).
    is_operator = models.BooleanField(default=False)
    # When the staff member acknowledged the confidentiality rules (P3.5).
    confidentiality_ack_at = models.DateTimeField(null=True, blank=True)
    date_joined = models.DateTimeField(auto_now_add=True)

    email = Sealed("email_enc")
    name = Sealed("name_enc")

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
