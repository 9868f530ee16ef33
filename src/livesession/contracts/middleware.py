"""Read-only client space after termination (issue 6 §2, P6.9).

``process_view`` runs once the URL is resolved:

* Manager pages: it records the request (method, URL name) for ``guard.refuse_manager_write``,
  which ``core.tenancy.membership_or_404`` calls after the membership is found; a refusal
  (``ClientReadOnly``) is turned into a clear page here (403).
* API writes with a client's token: refused with a JSON message (403).
* Public registration (the event page and the public API): refused with a page saying
  registration is closed (410), or JSON. The personal links of the client are revoked at
  termination; their pages then say the same instead of "unknown link".

Reads and the return package stay open.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from livesession.contracts import guard
from livesession.contracts.models import Contract
from livesession.core.referrer import keep_on_site

SAFE = frozenset({"GET", "HEAD", "OPTIONS"})
# Portal URLs that open registration or the room.
PORTAL_EVENT = frozenset({"portal:event"})
# The personal link's pages: the links of a terminated client are revoked at termination,
# so these answer 404 without any extra query on the join path (issue 4 §5: three
# queries); only then does ``process_response`` look whether the link was a terminated
# client's, to say so.
PORTAL_LINK = frozenset({"portal:join", "portal:confirm", "portal:cancel", "portal:withdraw"})
API_PUBLIC_REGISTRATION = "api:event-registrations"


def _closed_event(event_id: Any) -> bool:
    from livesession.events.models import Event

    return Event.objects.filter(pk=event_id, client__contract__state__in=guard.ENDED).exists()


def _closed_link(token: str) -> bool:
    from livesession.access.models import AccessLink
    from livesession.protection.crypto import token_digest

    return AccessLink.objects.filter(token_digest=token_digest(token),
                                     client__contract__state__in=guard.ENDED).exists()


def _token_contract(request: HttpRequest) -> Contract | None:
    """The ended contract of the client whose API token the request carries, if any."""
    from livesession.protection.crypto import token_digest

    header = request.META.get("HTTP_AUTHORIZATION", "")
    parts = header.split()
    if len(parts) != 2 or parts[0] != "Bearer":
        return None
    # One query: the token's client's contract, only if it ended.
    return Contract.objects.filter(
        state__in=guard.ENDED,
        client__api_tokens__token_digest=token_digest(parts[1])).first()


def closed_page(request: HttpRequest) -> HttpResponse:
    response = render(request, "contracts/closed.html", status=410)
    return keep_on_site(response)


def _api_refusal(message: str) -> JsonResponse:
    return JsonResponse({"detail": message, "code": "client_read_only"}, status=403)


class ReadOnlyClientMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = guard.current_request.set(None)
        try:
            response = self.get_response(request)
        finally:
            guard.current_request.reset(token)
        return self.closed_link_answer(request, response)

    def process_view(self, request: HttpRequest, view_func: Any, view_args: Any,
                     view_kwargs: dict[str, Any]) -> HttpResponse | None:
        match = request.resolver_match
        if match is None:
            return None
        name = match.view_name
        method = request.method or "GET"
        if match.namespace == "manager":
            guard.current_request.set((method, name))
            return None
        if name in PORTAL_EVENT and "event_id" in view_kwargs:
            if _closed_event(view_kwargs["event_id"]):
                return closed_page(request)
            return None
        if match.namespace != "api":
            return None
        if method not in SAFE and name == API_PUBLIC_REGISTRATION and "event_id" in view_kwargs:
            if _closed_event(view_kwargs["event_id"]):
                return _api_refusal(_("Registration for this event is closed: its "
                                      "organizer's contract has ended."))
            # The public endpoint ignores any token: nothing else to check.
            return None
        contract = _token_contract(request)
        if contract is None:
            return None
        if guard.services_ended_long_ago(contract):
            return _api_refusal(_("This client's services ended more than 12 months ago: "
                                  "nothing is processed for it any more."))
        if method not in SAFE:
            return _api_refusal(_(
                "This client's contract has ended: its data is read-only. Reading and "
                "the return package remain available until the data is destroyed."))
        return None

    def closed_link_answer(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        match = getattr(request, "resolver_match", None)
        if (response.status_code == 404 and match is not None
                and match.view_name in PORTAL_LINK and "token" in match.kwargs
                and _closed_link(str(match.kwargs["token"]))):
            return closed_page(request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, guard.ClientReadOnly):
            contract: Contract = exception.contract
            return render(request, "contracts/read_only.html", {
                "contract": contract, "client_slug": contract.client.slug,
                "services_ended": exception.services_ended,
            }, status=403)
        return None
