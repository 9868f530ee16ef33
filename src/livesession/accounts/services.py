"""Account writes (Zulip-style ``create_*`` functions): CLI, console and demo call these."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from livesession.accounts.models import User
from livesession.audit.services import record
from livesession.protection.crypto import email_index, normalize_email
from livesession.protection.services import subject_for_email


class AccountExists(Exception):
    pass


@transaction.atomic
def create_account(email: str, password: str, *, name: str = "", is_operator: bool = False,
                   actor: str = "system") -> User:
    email = normalize_email(email)
    if User.objects.filter(email_index=email_index(email)).exists():
        raise AccountExists(email)
    validate_password(password)
    subject = subject_for_email(email, None)
    user = User(email_index=email_index(email), subject=subject, is_operator=is_operator)
    user.email = email
    user.name = name
    user.set_password(password)
    user.save()
    record(actor, "account.created", target=f"account:{user.pk}",
           details={"operator": is_operator})
    return user
