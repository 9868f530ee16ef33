"""The operator console's incidents (issue 5 §7): the list with source, age and status, a
form to record one by hand, and the detail. Operator staff only (anyone else: 404), after
the confidentiality acknowledgement (P3.5). Incidents hold no personal data by design."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from livesession.console.views import operator_only
from livesession.core.clock import now
from livesession.incidents import services
from livesession.incidents.forms import IncidentForm
from livesession.incidents.models import Incident, Status

PAGE_SIZE = 50


def age(since: dt.datetime, at: dt.datetime) -> str:
    """"12 minutes", "5 hours", "3 days": how long ago, in words, from the domain clock."""
    seconds = max(0, int((at - since).total_seconds()))
    if seconds < 3600:
        minutes = seconds // 60
        return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
    if seconds < 48 * 3600:
        hours = seconds // 3600
        return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
    days = seconds // 86400
    return ngettext("%(n)d day", "%(n)d days", days) % {"n": days}


def _list_page(request: HttpRequest, form: IncidentForm, status: int = 200) -> HttpResponse:
    shown = request.GET.get("status", "")
    rows = Incident.objects.select_related("client").order_by("-detected_at", "pk")
    if shown in Status.values:
        rows = rows.filter(status=shown)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    moment = now()
    items: list[dict[str, Any]] = [{"incident": row, "age": age(row.detected_at, moment)}
                                   for row in page.object_list]
    return render(request, "console/incidents/list.html", {
        "items": items, "page": page, "form": form, "shown": shown,
        "statuses": Status.choices, "open_count": services.open_incidents(),
    }, status=status)


@operator_only
@require_http_methods(["GET", "POST"])
def incident_list(request: HttpRequest) -> HttpResponse:
    """Every incident, newest first, filtered by status; staff record a new one here."""
    if request.method == "GET":
        return _list_page(request, IncidentForm())
    form = IncidentForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            incident = services.open_incident(
                "staff", summary=data["summary"], refs=form.ref_list(),
                client_id=data["client"].pk if data["client"] else None,
                nature=data["nature"], detected_at=data["detected_at"],
                aware_at=data["aware_at"], actor=f"account:{request.user.pk}")
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            return redirect("console:incident", incident_id=incident.pk)
    return _list_page(request, form, status=400)


@operator_only
@require_GET
def incident_detail(request: HttpRequest, incident_id: str) -> HttpResponse:
    incident = get_object_or_404(Incident.objects.select_related("client"), pk=incident_id)
    moment = now()
    return render(request, "console/incidents/detail.html", {
        "incident": incident, "age": age(incident.detected_at, moment),
        "since_aware": age(incident.aware_at, moment),
        "title": _("Incident %(ref)s") % {"ref": incident.reference},
    })
