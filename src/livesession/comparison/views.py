"""The participant's comparison page in the personal space (/me/comparison/, P2.2).

The account comes from the session only (no id in the URL): the page shows the person's own
figures, computed now from their own rows, and the band they fall in against the latest
published snapshot. A cohort under the threshold reads "not enough data", never a number."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from livesession.accounts.space_views import _me
from livesession.comparison import services, stats


@never_cache
@login_required
@require_GET
def personal(request: HttpRequest) -> HttpResponse:
    user = _me(request)
    found = services.comparison_for(user)
    return render(request, "accounts/comparison.html", {
        "account": user, "comparison": found, "k": found.k,
        "months": stats.PERIOD_DAYS // 30, "size_step": stats.SIZE_STEP,
        "minutes_step": stats.MINUTES_STEP})
