"""Retention pages: the forecast, the rules, the runs and the holds, for the operator's
console (every client) and for a client's Manager (its own data and periods)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from livesession.console.views import operator_only
from livesession.core.models import Membership
from livesession.core.tenancy import membership_or_404, require
from livesession.events.models import Event
from livesession.retention import categories, services
from livesession.retention.forms import HoldForm, LiftForm, PeriodForm
from livesession.retention.models import LegalHold, PurgeRun
from livesession.retention.purge import forecast

HORIZONS = ("7", "30", "90")


def _actor(request: HttpRequest) -> str:
    return f"account:{request.user.pk}"


def _rules(client_id: int | None = None) -> list[dict[str, Any]]:
    own = services.client_periods(client_id) if client_id is not None else {}
    out = []
    for row in services.rules():
        platform = categories.RULES_BY_CATEGORY[row.category]
        out.append({"row": row, "label": platform.label, "note": platform.note,
                    "own": own.get(row.category),
                    "adjustable": row.category in categories.CLIENT_ADJUSTABLE})
    return out


def _runs(limit: int = 10) -> list[PurgeRun]:
    return list(PurgeRun.objects.order_by("-started_at")[:limit])


# --- Manager ------------------------------------------------------------------------------

def _manager_page(request: HttpRequest, membership: Membership, form: PeriodForm | None = None,
                  status: int = 200) -> HttpResponse:
    client = membership.client
    return render(request, "manager/retention/overview.html", {
        "m": membership, "rules": _rules(client.pk), "forecast": forecast(client.pk),
        "horizons": HORIZONS, "holds": services.active_holds(client.pk).select_related("event"),
        "runs": _runs(5), "may_change": membership.can("manage_members"),
        "form": form or PeriodForm(),
    }, status=status)


@login_required
@require_GET
def manager_overview(request: HttpRequest, client_slug: str) -> HttpResponse:
    membership = membership_or_404(request.user, client_slug)
    require(membership, "view")
    return _manager_page(request, membership)


@login_required
@require_POST
def manager_period(request: HttpRequest, client_slug: str) -> HttpResponse:
    """An owner or administrator sets a shorter period (or goes back to the bound)."""
    membership = membership_or_404(request.user, client_slug)
    require(membership, "manage_members")
    form = PeriodForm(request.POST)
    if form.is_valid():
        try:
            days = services.set_client_period(
                membership.client, form.cleaned_data["category"],
                form.cleaned_data["period_days"], actor=_actor(request))
        except ValidationError as exc:
            form.add_error("period_days", exc.messages)
        else:
            messages.success(request, ngettext(
                "Saved: this data is now kept %(days)s day.",
                "Saved: this data is now kept %(days)s days.", days) % {"days": days})
            return redirect("manager:retention", client_slug=client_slug)
    return _manager_page(request, membership, form=form, status=400)


# --- Console ------------------------------------------------------------------------------

def _console_page(request: HttpRequest, hold_form: HoldForm | None = None,
                  lift_errors: dict[int, LiftForm] | None = None,
                  status: int = 200) -> HttpResponse:
    holds = LegalHold.objects.select_related("client", "event").order_by(
        "lifted_at", "-created_at")[:100]
    lifts = lift_errors or {}
    return render(request, "console/retention/overview.html", {
        "rules": _rules(), "forecast": forecast(), "horizons": HORIZONS, "runs": _runs(20),
        "holds": [(hold, lifts.get(hold.pk) or LiftForm(auto_id=f"lift{hold.pk}_%s"))
                  for hold in holds],
        "hold_form": hold_form or HoldForm(),
    }, status=status)


@operator_only
@require_GET
def console_overview(request: HttpRequest) -> HttpResponse:
    return _console_page(request)


@operator_only
@require_POST
def console_hold(request: HttpRequest) -> HttpResponse:
    form = HoldForm(request.POST)
    if form.is_valid():
        client = form.cleaned_data["client"]
        event = None
        if form.cleaned_data["event"]:
            event = Event.objects.filter(pk=form.cleaned_data["event"], client=client).first()
            if event is None:
                form.add_error("event", _("This client has no event with this id."))
        if not form.errors:
            try:
                services.place_hold(client, reason=form.cleaned_data["reason"],
                                    actor=_actor(request), event=event,
                                    subject_id=form.cleaned_data["subject"])
            except ValidationError as exc:
                field = "subject" if form.cleaned_data["subject"] else "reason"
                form.add_error(field, exc.messages)
            else:
                messages.success(request, _("Hold placed: nothing in its scope is deleted "
                                            "until it is lifted."))
                return redirect("console:retention")
    return _console_page(request, hold_form=form, status=400)


@operator_only
@require_POST
def console_lift(request: HttpRequest, hold_id: int) -> HttpResponse:
    hold = get_object_or_404(LegalHold, pk=hold_id)
    form = LiftForm(request.POST, auto_id=f"lift{hold.pk}_%s")
    if form.is_valid():
        try:
            services.lift_hold(hold, reason=form.cleaned_data["reason"], actor=_actor(request))
        except ValidationError as exc:
            form.add_error("reason", exc.messages)
        else:
            messages.success(request, _("Hold lifted; the retention rules apply again."))
            return redirect("console:retention")
    return _console_page(request, lift_errors={hold.pk: form}, status=400)
