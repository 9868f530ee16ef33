"""Technical endpoints: /healthz."""

from __future__ import annotations

import datetime as dt

from django.db import connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from livesession.core.clock import now
from livesession.core.models import WorkerHeartbeat
from livesession.protection import keystore

WORKER_STALE_AFTER = dt.timedelta(minutes=3)


def _check(fn: object) -> str:
    try:
        fn()  # type: ignore[operator]
    except Exception:
        return "error"
    return "ok"


def worker_state() -> tuple[str, str | None]:
    beat = WorkerHeartbeat.objects.filter(name="worker").first()
    if beat is None:
        return "unknown", None
    fresh = now() - beat.beat_at <= WORKER_STALE_AFTER
    return ("ok" if fresh else "stale"), beat.beat_at.isoformat()


def healthz(request: HttpRequest) -> JsonResponse:
    database = _check(lambda: connections["default"].ensure_connection())
    keys = _check(keystore.is_reachable)
    try:
        worker, last_beat = worker_state()
    except Exception:
        worker, last_beat = "error", None
    healthy = database == "ok" and keys == "ok"
    body = {"status": "ok" if healthy else "error", "database": database, "keystore": keys,
            "worker": worker, "worker_last_beat": last_beat}
    # The worker's state is reported, not fatal: the outbox keeps mail until it is back.
    return JsonResponse(body, status=200 if healthy else 503)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A translated page that says what to do; the reason (technical) is not shown."""
    return render(request, "403_csrf.html", status=403)
