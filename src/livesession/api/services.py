"""API token writes: create (the raw token is returned once) and revoke."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.db import transaction

from livesession.api.models import ApiToken
from livesession.audit.services import record
from livesession.core.clock import now
from livesession.core.models import Client
from livesession.protection.crypto import token_digest

PREFIX = "lsk_"


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str


@transaction.atomic
def create_token(client: Client, name: str, *, actor: str,
                 created_by_id: int | None = None) -> NewToken:
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(client=client, name=name.strip()[:100] or "API",
                                    prefix=secret[:10], token_digest=token_digest(secret),
                                    created_by_id=created_by_id)
    record(actor, "api_token.created", target=f"api_token:{token.pk}", client_id=client.pk)
    return NewToken(token=token, secret=secret)


@transaction.atomic
def revoke_token(token: ApiToken, *, actor: str) -> None:
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now())
    record(actor, "api_token.revoked", target=f"api_token:{token.pk}", client_id=token.client_id)
