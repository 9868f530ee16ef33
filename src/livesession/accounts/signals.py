"""Every sign-in, whatever the path (the sign-in page, a test's ``force_login``), resets the
failure count and joins the account's session list (P1.5)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from livesession.accounts import services
from livesession.accounts.models import User


@receiver(user_logged_in, dispatch_uid="livesession.accounts.record_sign_in")
def _record_sign_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None and isinstance(user, User) and hasattr(request, "session"):
        services.record_sign_in(user, request)
