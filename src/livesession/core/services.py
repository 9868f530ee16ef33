"""Tenancy writes: clients and their members (P3.4)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from livesession.accounts.models import User
from livesession.accounts.services import create_account
from livesession.audit.services import record
from livesession.core.models import Client, Membership, Role
from livesession.protection.crypto import email_index


@dataclass(frozen=True)
class NewClient:
    client: Client
    owner: User
    # Set only when the owner account was created here: shown once, then never again.
    owner_password: str | None


def add_member(client: Client, user: User, role: str, *, actor: str) -> Membership:
    if user.is_operator:
        raise ValidationError({"email": _("Operator staff accounts cannot be members of a "
                                          "client. Use another address.")})
    membership, _created = Membership.objects.update_or_create(
        client=client, user=user, defaults={"role": role}
    )
    record(actor, "membership.set", target=f"account:{user.pk}", client_id=client.pk,
           details={"role": role})
    return membership


@transaction.atomic
def create_client(name: str, owner_email: str, *, slug: str = "", actor: str,
                  owner_password: str | None = None) -> NewClient:
    name = name.strip()
    slug = slugify(slug or name)[:60]
    errors = {}
    if not name:
        errors["name"] = _("Give the client a name.")
    if not slug:
        errors["slug"] = _("Choose a short name made of letters, digits and dashes.")
    elif Client.objects.filter(slug=slug).exists():
        errors["slug"] = _("This short name is taken. Choose another one.")
    if errors:
        raise ValidationError(errors)
    client = Client.objects.create(name=name, slug=slug)
    owner = User.objects.filter(email_index=email_index(owner_email)).first()
    password = None
    if owner is None:
        password = owner_password or secrets.token_urlsafe(12)
        owner = create_account(owner_email, password, actor=actor)
    add_member(client, owner, Role.OWNER, actor=actor)
    record(actor, "client.created", target=f"client:{client.pk}", client_id=client.pk)
    return NewClient(client=client, owner=owner, owner_password=password)
