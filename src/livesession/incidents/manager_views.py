"""Manager pages of the breach notices a client received (P6.7, GDPR art. 33.2): the
client's owners and administrators read, for each incident that concerned their data, every
fact of art. 33(3) they need for their own notification. Other clients' notices are 404."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from livesession.core.tenancy import membership_or_404, require
from livesession.incidents.affected import category_label
from livesession.incidents.notices import client_notices

CAPABILITY = "manage_members"  # owners and administrators


@login_required
@require_GET
def breach_list(request: HttpRequest, client_slug: str) -> HttpResponse:
    membership = membership_or_404(request.user, client_slug)
    require(membership, CAPABILITY)
    latest: dict[str, dict[str, object]] = {}
    for facts in client_notices(membership.client):
        latest.setdefault(str(facts["incident"]), facts)
    return render(request, "manager/breaches/list.html",
                  {"m": membership, "notices": list(latest.values())})


@login_required
@require_GET
def breach_detail(request: HttpRequest, client_slug: str,
                  incident_id: uuid.UUID) -> HttpResponse:
    membership = membership_or_404(request.user, client_slug)
    # Another client's incident is 404 whatever the role; then the role (403).
    sent = [f for f in client_notices(membership.client) if f["incident"] == str(incident_id)]
    if not sent:
        raise Http404
    require(membership, CAPABILITY)
    facts = sent[0]
    categories = [(category_label(k), v) for k, v in sorted(facts["categories"].items())]
    return render(request, "manager/breaches/detail.html",
                  {"m": membership, "f": facts, "categories": categories,
                   "history": sent[1:]})
