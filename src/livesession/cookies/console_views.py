"""The console's audience page (issue 7 §6), operator staff only."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from livesession.console.views import operator_only
from livesession.cookies import audience, inventory, stats


@operator_only
@require_GET
def audience_page(request: HttpRequest) -> HttpResponse:
    try:
        days = int(request.GET.get("days", "30"))
    except ValueError:
        days = 30
    if days not in stats.PERIODS:
        days = 30
    return render(request, "cookies/console_audience.html", {
        "f": stats.figures(days), "periods": stats.PERIODS, "exempt": audience.exempt_mode(),
        "inventory_hash": inventory.inventory_hash()})
