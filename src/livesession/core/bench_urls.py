"""The benchmark's baseline endpoint (issue 9, ``bench/``): ``/bench/noop``.

``R_noop`` is the rate at which the real server (granian, the project's whole middleware
stack) answers a view that does nothing; every benchmark figure is a ratio to it, measured
in the same run (bench/README.md). The view exists only when ``BENCH_ENDPOINTS`` is on
(off by default, turned on by ``make bench`` for its throwaway server): without it the
route is not even mounted (so it is in no URL inventory, and answers 404 like any unknown
URL), and the view itself answers 404 too. It reads no session, no user and no database row.
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.http import require_GET

app_name = "bench"


@require_GET
def noop(request: HttpRequest) -> HttpResponse:
    # Read at each request (not at import): a test can turn the setting on and off.
    if not getattr(settings, "BENCH_ENDPOINTS", False):
        raise Http404
    return HttpResponse(b"ok", content_type="text/plain")


# Mounted only with the setting on, read when the URLconf is first imported (the bench
# server's environment sets BENCH_ENDPOINTS=1 before it starts).
urlpatterns = [path("noop", noop, name="noop")] if getattr(
    settings, "BENCH_ENDPOINTS", False) else []
