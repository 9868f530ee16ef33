"""The unsubscribe page (issue 4 §7, RFC 8058): works without signing in."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from livesession.core.models import Client
from livesession.core.referrer import keep_on_site
from livesession.messaging import unsubscribe as service


# CSRF exemption, for this view only: RFC 8058 one-click unsubscription is a POST that the
# mail client sends by itself (``List-Unsubscribe=One-Click``), with no cookie and no form
# token. The signed token in the URL is the authorisation; a forged cross-site POST could
# only unsubscribe the person the link was sent to, which is what the link is for.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    found = service.read_token(token)
    client = Client.objects.filter(pk=found[0]).first() if found else None
    if found is None or client is None:
        raise Http404
    if request.method == "POST":
        service.unsubscribe(client.pk, found[1], channel=(
            "one-click" if request.POST.get("List-Unsubscribe") == "One-Click" else "page"))
        response = render(request, "messaging/unsubscribed.html", {"client": client})
    else:
        response = render(request, "messaging/unsubscribe.html", {
            "client": client, "done": service.is_unsubscribed(client.pk, found[1])})
    # The token names the person: it must not leave in a Referer.
    return keep_on_site(response)
