"""The console's audience and consent figures over a period (issue 7 §6): pages viewed,
route-to-route transitions of the navigation path, most used services (areas), browser
versions, and the share of accept / reject / custom choices. Aggregates only: no visitor,
no receipt is ever listed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.db.models import Count

from livesession.cookies.models import ConsentAction, ConsentReceipt, PageView
from livesession.core.clock import now

PERIODS = (1, 7, 30, 90, 395)
TOP = 15

_TRANSITIONS = (
    "SELECT a.route, b.route, COUNT(*) AS n FROM cookies_pageview a"
    " JOIN cookies_pageview b ON b.visitor = a.visitor AND b.seq = a.seq + 1"
    " WHERE a.at >= %s AND b.at >= %s"
    " GROUP BY a.route, b.route ORDER BY n DESC, a.route, b.route LIMIT %s"
)


def _share(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


def figures(days: int) -> dict[str, Any]:
    since = now() - dt.timedelta(days=days)
    views = PageView.objects.filter(at__gte=since)
    total = views.count()
    pages: list[dict[str, Any]] = [
        dict(r) for r in views.values("route").annotate(n=Count("id"))
        .order_by("-n", "route")[:TOP]]
    areas: list[dict[str, Any]] = [
        dict(r) for r in views.values("area").annotate(n=Count("id")).order_by("-n", "area")]
    browsers: list[dict[str, Any]] = [
        dict(r) for r in views.values("browser", "browser_version").annotate(n=Count("id"))
        .order_by("-n", "browser", "browser_version")[:TOP]]
    with connection.cursor() as cursor:
        cursor.execute(_TRANSITIONS, [since, since, TOP])
        transitions = [{"source": a, "target": b, "n": n} for a, b, n in cursor.fetchall()]
    for rows in (pages, areas, browsers):
        for row in rows:
            row["share"] = _share(row["n"], total)
    receipts = ConsentReceipt.objects.filter(at__gte=since)
    by_action = dict(receipts.values_list("action").annotate(n=Count("id")))
    choices = sum(by_action.values())
    consent = [{"action": action, "label": action.label, "n": by_action.get(action.value, 0),
                "share": _share(by_action.get(action.value, 0), choices)}
               for action in ConsentAction]
    return {"days": days, "since": since, "total": total,
            "visitors": views.values("visitor").distinct().count(),
            "pages": pages, "areas": areas, "browsers": browsers,
            "transitions": transitions, "consent": consent, "choices": choices}
