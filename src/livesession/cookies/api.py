"""Consent API (issue 7 §9): the signed-in person's receipts (session cookie, like the other
/api/v1/me/ endpoints) and the current browser's choice read from its consent cookie."""

from __future__ import annotations

from typing import Any, NoReturn

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, permissions, serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from livesession.accounts.models import User
from livesession.cookies import consent, inventory, services

RECEIPT = inline_serializer("ConsentReceipt", {
    "receipt_id": serializers.UUIDField(), "action": serializers.CharField(),
    "surface": serializers.CharField(), "choices": serializers.DictField(),
    "withdrawn": serializers.ListField(child=serializers.CharField()),
    "inventory_hash": serializers.CharField(), "notice_version": serializers.CharField(),
    "language": serializers.CharField(), "at": serializers.DateTimeField()}, many=True)


class _SignedInPerson(permissions.BasePermission):
    def has_permission(self, request: Request, view: APIView) -> bool:
        return isinstance(request.user, User) and request.user.is_authenticated


class MeConsents(APIView):
    """Session cookie only (no API token: a client's token is not a person)."""

    authentication_classes = [SessionAuthentication]
    permission_classes = [_SignedInPerson]

    def permission_denied(self, request: Request, message: str | None = None,
                          code: str | None = None) -> NoReturn:
        raise exceptions.NotAuthenticated(_(
            "Sign in first: this endpoint answers about your own account, with your "
            "signed-in session (cookie)."))

    @extend_schema(responses=inline_serializer("MeConsents", {
        "receipts": RECEIPT}))
    def get(self, request: Request) -> Response:
        """Your cookie choices made while signed in, newest first: receipt id, choices,
        inventory version, privacy notice version, time (GDPR art. 7(1), 15)."""
        rows = services.receipts_of(request.user)
        return Response({"receipts": [services.receipt_dict(r) for r in rows]},
                        headers={"Cache-Control": "no-store"})


class CurrentConsent(APIView):
    """No authentication: the answer is about the cookie this very browser sent."""

    authentication_classes: list[Any] = []
    permission_classes = [permissions.AllowAny]

    @extend_schema(auth=[], responses=inline_serializer("CurrentConsent", {
        "status": serializers.CharField(help_text='"valid" or "no_choice"'),
        "choice": serializers.DictField(allow_null=True),
        "inventory_hash": serializers.CharField()}))
    def get(self, request: Request) -> Response:
        """The choice carried by this browser's consent cookie, or "no_choice" when there
        is none, or it is forged, older than 6 months or made for another inventory."""
        choice = consent.current(request._request)
        return Response({"status": "valid" if choice else "no_choice",
                         "choice": choice.as_dict() if choice else None,
                         "inventory_hash": inventory.inventory_hash()},
                        headers={"Cache-Control": "no-store"})
