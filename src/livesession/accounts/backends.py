"""Sign-in by email and password: the address is looked up by its keyed hash.

A wrong password counts towards the account's soft lock; a locked account is refused even
with the right password, with the very answer a wrong password gets, and at the same
hashing cost (reference AUTH-4, AUTH-5)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from livesession.accounts import services
from livesession.accounts.models import User
from livesession.protection.crypto import email_index


class EmailBackend(ModelBackend):
    def authenticate(self, request: HttpRequest | None, username: str | None = None,
                     password: str | None = None, **kwargs: Any) -> User | None:
        email = kwargs.get("email") or username
        if not email or not password:
            return None
        user = User.objects.filter(email_index=email_index(email)).first()
        if user is None:
            User().set_password(password)  # same cost either way: no timing oracle
            return None
        if services.is_locked(user):
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        services.record_failed_login(user)
        return None
