"""Console page of the comparison (issue 7 §8): the operator's pooling switch and an
overview of the cohorts, with no individual data (counts, rounded sizes, job functions of
published pooled cohorts, which clients allow pooling). Switching pooling on makes the
operator controller of the pooled processing (A10 ST-03): audited."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from livesession.comparison import compute, services, stats
from livesession.comparison.forms import PoolingForm
from livesession.comparison.models import CohortFigures, PoolingSwitch
from livesession.console.views import operator_only
from livesession.core.models import Client


def _page(request: HttpRequest, form: PoolingForm | None = None,
          status: int = 200) -> HttpResponse:
    run = compute.latest_run()
    switch = PoolingSwitch.objects.filter(pk=1).first()
    per_client = []
    if run:
        counts = dict(CohortFigures.objects.filter(run=run, client__isnull=False)
                      .values("client_id").annotate(n=Count("id")).values_list("client_id", "n"))
        names = dict(Client.objects.filter(pk__in=counts).values_list("pk", "name"))
        per_client = sorted(((names.get(cid, "?"), n) for cid, n in counts.items()))
    pool_ids = compute.pool_client_ids()
    pooled = list(CohortFigures.objects.filter(run=run, client__isnull=True)
                  .order_by("job")) if run else []
    return render(request, "console/comparison/overview.html", {
        "run": run, "per_client": per_client, "pooled": pooled,
        "pool_clients": list(Client.objects.filter(pk__in=pool_ids).order_by("name")
                             .values_list("name", flat=True)),
        "deployment_allows": bool(getattr(settings, "COMPARISON_POOLING", False)),
        "switch_on": bool(switch and switch.enabled), "pooling_on": compute.pooling_on(),
        "form": form or PoolingForm(initial={"enabled": bool(switch and switch.enabled)}),
        "k": stats.min_cohort()}, status=status)


@operator_only
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    return _page(request)


@operator_only
@require_POST
def pooling(request: HttpRequest) -> HttpResponse:
    form = PoolingForm(request.POST)
    if not form.is_valid():
        return _page(request, form=form, status=400)
    services.set_pooling(form.cleaned_data["enabled"], actor=f"account:{request.user.pk}")
    messages.success(request, _("Saved. Pooling follows at the next daily computation."))
    return redirect("console:comparison")
