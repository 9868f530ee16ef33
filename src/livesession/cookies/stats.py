"""The console's audience and consent figures over a period (issue 7 §6): pages viewed,
route-to-route transitions of the navigation path (within one visit: ``VISIT_GAP``), most
used services (areas), browser versions, and the share of accept / reject / custom
choices. Aggregates only: no visitor, no receipt is ever listed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.db.models import Count

from livesession.cookies.models import ConsentAction, ConsentReceipt, PageView
from livesession.core.clock import now

PERIODS = (1, 7, 30, 90, 395)
TOP = 15

# A visit ends after this long without a page view (the usual web-analytics rule, as in
# Matomo): the next page a visitor opens starts a new path, not a step of the old one.
VISIT_GAP = dt.timedelta(minutes=30)

# The next page of the same visitor, within VISIT_GAP of the previous one. The gap is
# written per backend: SQLite stores datetimes as ISO text (julianday reads it), PostgreSQL
# as timestamps.
_WITHIN_GAP = {
    "sqlite": "(julianday(b.at) - julianday(a.at)) * 86400 <= %s",
    "postgresql": "b.at - a.at <= %s * interval '1 second'",
}
_TRANSITIONS = (
    "SELECT a.route, b.route, COUNT(*) AS n FROM cookies_pageview a"
    " JOIN cookies_pageview b ON b.visitor = a.visitor AND b.seq = a.seq + 1"
    " WHERE a.at >= %s AND b.at >= %s AND {within}"
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
        sql = _TRANSITIONS.format(within=_WITHIN_GAP[connection.vendor])
        cursor.execute(sql, [since, since, VISIT_GAP.total_seconds(), TOP])
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
