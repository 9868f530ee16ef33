"""The Manager's analytics pages (issue 7 §7): the client dashboard and an event's page,
with a CSV of each figure set.

Viewing needs the "view" capability of a member of the client named in the URL; another
client's event answers 404 (``owned_or_404``). The figures are aggregates, suppressed where
small (``analytics.suppression``): no personal data leaves through them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET

from livesession.analytics import figures as figure_service
from livesession.analytics import present, suppression
from livesession.core.clock import now
from livesession.core.models import Membership
from livesession.core.tenancy import membership_or_404, owned_or_404, require
from livesession.events.models import Event
from livesession.registrations import exports

VIEW = "view"
DEFAULT_BACK = dt.timedelta(days=90)
DEFAULT_AHEAD = dt.timedelta(days=90)


class RangeForm(forms.Form):
    """The dashboard's date range: events starting between two dates (included)."""

    start = forms.DateField(label=gettext_lazy("Events starting from"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}),
                            input_formats=["%Y-%m-%d"])
    end = forms.DateField(label=gettext_lazy("until"), required=False,
                          widget=forms.DateInput(attrs={"type": "date"}),
                          input_formats=["%Y-%m-%d"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        today = now().date()
        start = data.get("start") or today - DEFAULT_BACK
        end = data.get("end") or today + DEFAULT_AHEAD
        if self.errors:
            return data
        if start > end:
            raise forms.ValidationError(_("The start date must be on or before the end "
                                          "date."), code="order")
        longest = int(settings.ANALYTICS_MAX_RANGE_DAYS)
        if (end - start).days > longest:
            raise forms.ValidationError(ngettext(
                "Choose a range of at most %(days)d day.",
                "Choose a range of at most %(days)d days.", longest) % {"days": longest},
                code="too_long")
        data["start"], data["end"] = start, end
        return data


def parse_range(params: Any) -> RangeForm:
    form = RangeForm(params or None)
    if not params:
        form = RangeForm({})
    form.is_valid()
    return form


def _member(request: HttpRequest, client_slug: str) -> Membership:
    membership = membership_or_404(request.user, client_slug)
    require(membership, VIEW)
    return membership


def _event(membership: Membership, event_id: Any) -> Event:
    return owned_or_404(Event, membership.client, pk=event_id)


def _csv(sets: list[present.FigureSet], figure: str, name: str) -> HttpResponse:
    chosen = next((s for s in sets if s.slug == figure), None)
    if chosen is None:
        raise Http404
    lines = [[exports.guard(h) for h in chosen.header]]
    lines += [[exports.guard("" if cell is None else cell) for cell in row]
              for row in chosen.rows]
    response = HttpResponse("".join(exports.csv_chunks(lines)),
                            content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{figure}.csv"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def event_page(request: HttpRequest, client_slug: str, event_id: str) -> HttpResponse:
    membership = _member(request, client_slug)
    event = _event(membership, event_id)
    figures = figure_service.for_event(event)
    return render(request, "manager/analytics/event.html", {
        "m": membership, "event": event, "figures": figures,
        "sets": present.figure_sets(figures, per="sessions"),
        "k": suppression.threshold(),
    })


@login_required
@require_GET
def event_csv(request: HttpRequest, client_slug: str, event_id: str,
              figure: str) -> HttpResponse:
    membership = _member(request, client_slug)
    event = _event(membership, event_id)
    sets = present.figure_sets(figure_service.for_event(event), per="sessions")
    return _csv(sets, figure, f"analytics-{str(event.pk)[:8]}")


@login_required
@require_GET
def dashboard(request: HttpRequest, client_slug: str) -> HttpResponse:
    membership = _member(request, client_slug)
    form = parse_range(request.GET)
    context: dict[str, Any] = {"m": membership, "form": form, "k": suppression.threshold()}
    if not form.is_valid():
        return render(request, "manager/analytics/dashboard.html", context, status=400)
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    figures = figure_service.for_client(membership.client, start, end)
    context.update({"figures": figures, "start": start, "end": end,
                    "csv_query": f"start={start.isoformat()}&end={end.isoformat()}",
                    "sets": present.figure_sets(figures, per="events")})
    return render(request, "manager/analytics/dashboard.html", context)


@login_required
@require_GET
def dashboard_csv(request: HttpRequest, client_slug: str) -> HttpResponse:
    membership = _member(request, client_slug)
    figure = request.GET.get("figure") or "conversion"  # the funnel, when none is named
    form = parse_range(request.GET)
    if not form.is_valid():
        return render(request, "manager/analytics/dashboard.html",
                      {"m": membership, "form": form, "k": suppression.threshold()},
                      status=400)
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    sets = present.figure_sets(figure_service.for_client(membership.client, start, end),
                               per="events")
    return _csv(sets, figure, f"analytics-{membership.client.slug}-{start}-{end}")
