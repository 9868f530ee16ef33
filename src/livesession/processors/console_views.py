"""Console pages of the sub-processor register (operator staff only; P2.4, P6.11): the
register, add and change an entry, the notices sent and the clients' objections."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from livesession.console.views import operator_only
from livesession.processors import services
from livesession.processors.forms import SubProcessorForm
from livesession.processors.models import ChangeNotice, Objection, SubProcessor


def _actor(request: HttpRequest) -> str:
    return f"account:{request.user.pk}"


def _apply_errors(form: SubProcessorForm, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@operator_only
def register(request: HttpRequest) -> HttpResponse:
    rows = SubProcessor.objects.order_by("active_from", "id")
    notices = (ChangeNotice.objects.select_related("subprocessor")
               .annotate(n_objections=Count("objections",
                                            filter=Q(objections__withdrawn_at__isnull=True)))
               .order_by("-sent_at")[:50])
    return render(request, "console/processors/register.html", {
        "rows": [(row, services.describe(row), services.dpf_stale(row)) for row in rows],
        "notices": notices, "window_days": services.window_days(),
    })


@operator_only
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    form = SubProcessorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            row = services.add_subprocessor(form.cleaned_data, actor=_actor(request))
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("%(name)s added; every client was told and may "
                                        "object.") % {"name": row.legal_entity})
            return redirect("console:subprocessors")
    return render(request, "console/processors/form.html", {"form": form, "row": None},
                  status=400 if request.method == "POST" else 200)


@operator_only
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, subprocessor_id: int) -> HttpResponse:
    row = SubProcessor.objects.filter(pk=subprocessor_id).first()
    if row is None:
        raise Http404
    initial: dict[str, Any] = {name: getattr(row, name) for name in services.FIELDS}
    form = SubProcessorForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_subprocessor(row, form.cleaned_data, actor=_actor(request))
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("console:subprocessors")
    return render(request, "console/processors/form.html", {
        "form": form, "row": row,
        "notices": row.notices.prefetch_related("objections__client"),
    }, status=400 if request.method == "POST" else 200)


@operator_only
def objections(request: HttpRequest) -> HttpResponse:
    rows = (Objection.objects.select_related("client", "notice__subprocessor")
            .order_by("-objected_at")[:200])
    return render(request, "console/processors/objections.html", {"rows": rows})
