"""``Authorization: Bearer lsk_…``: a per-client token; the request is scoped to that client."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from livesession.api.models import ApiToken
from livesession.protection.crypto import token_digest


class TokenPrincipal:
    """What ``request.user`` is for API calls: the token's client, nothing more."""

    is_authenticated = True
    is_operator = False

    def __init__(self, token: ApiToken) -> None:
        self.token = token
        self.client = token.client
        self.actor = f"api_token:{token.pk}"


class ClientTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[TokenPrincipal, ApiToken] | None:
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        parts = header.split()
        if len(parts) != 2 or parts[0] != self.keyword:
            raise exceptions.AuthenticationFailed(
                _("Use the header 'Authorization: Bearer <token>'.")
            )
        token = (
            ApiToken.objects.select_related("client")
            .filter(token_digest=token_digest(parts[1]), revoked_at__isnull=True,
                    client__is_active=True)
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed(_("Unknown or revoked API token."))
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        return TokenPrincipal(token), token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class ClientTokenScheme(OpenApiAuthenticationExtension):
    target_class = "livesession.api.auth.ClientTokenAuthentication"
    name = "clientToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer",
                "description": "A per-client API token, created in the Manager."}
