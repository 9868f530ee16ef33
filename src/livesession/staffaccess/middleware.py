"""A client that requires a second factor (S-02): its members reach none of its Manager
pages until their account has one and this session proved it; they are sent to set it up
(or to type a code) first. Only the second-factor page itself is let through."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from livesession.core.models import Membership
from livesession.staffaccess import mfa_services

EXEMPT = {"mfa"}


class ClientMfaMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view: Any, args: Any,
                     kwargs: dict[str, Any]) -> HttpResponse | None:
        match = request.resolver_match
        slug = kwargs.get("client_slug")
        if match is None or match.namespace != "manager" or not slug:
            return None
        if match.url_name in EXEMPT or not request.user.is_authenticated:
            return None
        membership = (Membership.objects.filter(user_id=request.user.pk, client__slug=slug)
                      .values_list("client_id", flat=True).first())
        if membership is None or not mfa_services.client_requires(membership):
            return None  # not a member: the view answers its own 404
        if mfa_services.is_satisfied(request):
            return None
        return redirect("manager:mfa", client_slug=slug)
