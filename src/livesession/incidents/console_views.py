"""The operator console's incidents (issue 5 §7) grown into the breach register (issue 8):
the list with source, age, status, risk and the countdowns; a form to record one by hand;
the detail with the assessment, decision, notification and close forms; the register as
JSON and as a printable page. Operator staff only (anyone else: 404), after the second
factor and the confidentiality acknowledgement (P3.5). No personal data by design."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from livesession.console.views import operator_only
from livesession.core.clock import now
from livesession.core.paging import page_of
from livesession.incidents import breach, services
from livesession.incidents.forms import AssessForm, DecideForm, IncidentForm, NotificationForm
from livesession.incidents.models import Incident, Kind, Status

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
    paged = page_of(request, rows, PAGE_SIZE)
    page = paged["page"]
    moment = now()
    items: list[dict[str, Any]] = [{"incident": row, "age": age(row.detected_at, moment),
                                    "cnil": countdown(breach.remaining(row, Kind.CNIL, moment)),
                                    "client": countdown(breach.remaining(row, Kind.CLIENT,
                                                                         moment))}
                                   for row in page.object_list]
    return render(request, "console/incidents/list.html", {
        **paged, "items": items, "form": form, "shown": shown,
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


def countdown(left: dt.timedelta) -> dict[str, Any]:
    """"47 h 12 min left" or "overdue by 3 h 5 min", with a flag for the page's emphasis."""
    seconds = int(left.total_seconds())
    minutes = abs(seconds) // 60
    hours, minutes = divmod(minutes, 60)
    words = _("%(h)d h %(m)02d min") % {"h": hours, "m": minutes}
    if seconds < 0:
        return {"text": _("overdue by %(t)s") % {"t": words}, "overdue": True,
                "urgent": True}
    return {"text": _("%(t)s left") % {"t": words}, "overdue": False,
            "urgent": seconds < 12 * 3600}


def _assess_initial(incident: Incident) -> dict[str, Any]:
    if not incident.assessed_at:
        return {"natures": [incident.nature] if incident.nature != "unknown" else [],
                "clients": [incident.client_id] if incident.client_id else []}
    return {"natures": incident.natures, "data_categories": incident.data_categories,
            "people_approx": incident.people_approx,
            "records_approx": incident.records_approx,
            "likely_consequences": incident.likely_consequences,
            "risk_level": incident.risk_level, "risk_reasoning": incident.risk_reasoning,
            "measures_taken": incident.measures_taken,
            "measures_proposed": incident.measures_proposed, "role": incident.role,
            "clients": list(incident.clients_affected.values_list("pk", flat=True))}


def _affected_clients(incident: Incident) -> Any:
    from livesession.core.models import Client

    ids = set(incident.clients_affected.values_list("pk", flat=True))
    if incident.client_id:
        ids.add(incident.client_id)
    return Client.objects.filter(pk__in=ids).order_by("name")


def _detail(request: HttpRequest, incident: Incident, *, assess: AssessForm | None = None,
            decide: DecideForm | None = None, notify: NotificationForm | None = None,
            close_error: str = "", status: int = 200) -> HttpResponse:
    moment = now()
    clocks = [{"kind": label, "deadline": breach.deadline(incident, kind),
               "countdown": countdown(breach.remaining(incident, kind, moment)),
               "notified": breach.notified(incident, kind)}
              for kind, label in Kind.choices]
    return render(request, "console/incidents/detail.html", {
        "incident": incident, "age": age(incident.detected_at, moment),
        "since_aware": age(incident.aware_at, moment),
        "title": _("Incident %(ref)s") % {"ref": incident.reference},
        "clocks": clocks, "closed": incident.status == Status.CLOSED,
        "assessed": breach.is_assessed(incident), "decided": breach.is_decided(incident),
        "clients_affected": incident.clients_affected.order_by("name"),
        "notifications": incident.notifications.select_related("client"),
        "assess_form": assess or AssessForm(prefix="assess",
                                            initial=_assess_initial(incident)),
        "decide_form": decide or DecideForm(prefix="decide", initial={
            "notify_cnil": incident.notify_cnil, "notify_people": incident.notify_people,
            "rationale": incident.decision_rationale,
            "complement_due": incident.complement_due}),
        "notify_form": notify or NotificationForm(prefix="notify",
                                                  clients=_affected_clients(incident)),
        "close_error": close_error,
    }, status=status)


def _incident(incident_id: str) -> Incident:
    return get_object_or_404(Incident.objects.select_related("client"), pk=incident_id)


def errors_to_form(form: Any, exc: ValidationError,
                   aliases: dict[str, str] | None = None) -> None:
    """A service's ValidationError shown on the form, field by field (``aliases``: the
    service's name of a field -> the form's)."""
    aliases = aliases or {}
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, errors in exc.message_dict.items():
        name = aliases.get(field, field)
        form.add_error(name if name in form.fields else None, errors)


T = TypeVar("T")


def submit(form: Any, service: Callable[[dict[str, Any]], T],
           aliases: dict[str, str] | None = None) -> tuple[bool, T | None]:
    """The one shape of every breach form: a valid form's data goes to the service, and a
    ValidationError of the service lands on the form. (True, the service's result), or
    (False, None) when the page must be shown again with the form's errors."""
    if not form.is_valid():
        return False, None
    try:
        return True, service(form.cleaned_data)
    except ValidationError as exc:
        errors_to_form(form, exc, aliases)
        return False, None


def _actor(request: HttpRequest) -> str:
    return f"account:{request.user.pk}"


@operator_only
@require_GET
def incident_detail(request: HttpRequest, incident_id: str) -> HttpResponse:
    return _detail(request, _incident(incident_id))


@operator_only
@require_POST
def incident_assess(request: HttpRequest, incident_id: str) -> HttpResponse:
    incident = _incident(incident_id)
    form = AssessForm(request.POST, prefix="assess")
    done, _result = submit(form, lambda data: breach.assess(
        incident, actor=_actor(request), natures=data["natures"],
        data_categories=data["data_categories"], people_approx=data["people_approx"],
        records_approx=data["records_approx"],
        likely_consequences=data["likely_consequences"], risk_level=data["risk_level"],
        risk_reasoning=data["risk_reasoning"], measures_taken=data["measures_taken"],
        measures_proposed=data["measures_proposed"], role=data["role"],
        client_ids=[c.pk for c in data["clients"]]), {"client_ids": "clients"})
    if done:
        messages.success(request, _("Assessment recorded."))
        return redirect("console:incident", incident_id=incident.pk)
    return _detail(request, incident, assess=form, status=400)


@operator_only
@require_POST
def incident_decide(request: HttpRequest, incident_id: str) -> HttpResponse:
    incident = _incident(incident_id)
    form = DecideForm(request.POST, prefix="decide")
    done, _result = submit(form, lambda data: breach.decide(
        incident, actor=_actor(request), notify_cnil=data["notify_cnil"],
        notify_people=data["notify_people"], rationale=data["rationale"],
        complement_due=data["complement_due"]))
    if done:
        messages.success(request, _("Decision recorded."))
        return redirect("console:incident", incident_id=incident.pk)
    return _detail(request, incident, decide=form, status=400)


@operator_only
@require_POST
def incident_notify(request: HttpRequest, incident_id: str) -> HttpResponse:
    incident = _incident(incident_id)
    form = NotificationForm(request.POST, prefix="notify", clients=_affected_clients(incident))
    done, _result = submit(form, lambda data: breach.record_notification(
        incident, actor=_actor(request), kind=data["kind"], phase=data["phase"],
        at=data["at"], reference=data["reference"], delay_reason=data["delay_reason"],
        client_id=data["client"].pk if data["client"] else None), {"client_id": "client"})
    if done:
        messages.success(request, _("Notification recorded."))
        return redirect("console:incident", incident_id=incident.pk)
    return _detail(request, incident, notify=form, status=400)


@operator_only
@require_POST
def incident_close(request: HttpRequest, incident_id: str) -> HttpResponse:
    incident = _incident(incident_id)
    try:
        breach.close(incident, actor=_actor(request))
    except ValidationError as exc:
        return _detail(request, incident, close_error=" ".join(exc.messages), status=400)
    messages.success(request, _("Incident closed; it stays in the register."))
    return redirect("console:incident", incident_id=incident.pk)


@operator_only
@require_GET
def register_json(request: HttpRequest) -> HttpResponse:
    """The register as JSON (art. 33.5): every incident, notified or not."""
    response = JsonResponse(breach.register(), json_dumps_params={"indent": 2})
    stamp = now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="breach-register-{stamp}.json"'
    response["Cache-Control"] = "no-store"
    return response


@operator_only
@require_GET
def register_page(request: HttpRequest) -> HttpResponse:
    """The register as a printable page (art. 33.5), every incident, oldest first."""
    rows = Incident.objects.order_by("detected_at", "pk").select_related("client") \
        .prefetch_related("notifications", "clients_affected")
    response = render(request, "console/incidents/register.html", {
        "rows": rows, "generated_at": now()})
    response["Cache-Control"] = "no-store"
    return response
