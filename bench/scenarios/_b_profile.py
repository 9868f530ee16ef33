"""Profiles of the hot paths (pyinstrument), for bench/README.md: where a join and a
registration spend their time, in one process through Django's test client (the whole
middleware stack, the real database of the backend, no server or network).

    .venv/bin/python -m bench.harness.task bench.scenarios._b_profile:register '{"n": 300}'
(with the environment of a backend: DATABASE_URL, LIVESESSION_VAR_DIR on a migrated
instance; ``bench/run.py --keep`` leaves one.)
"""

from __future__ import annotations

import json
import time
from typing import Any


def _profile(calls: Any, n: int) -> dict[str, Any]:
    from pyinstrument import Profiler

    for i in range(min(20, n)):
        calls(i, warm=True)
    profiler = Profiler(interval=0.0005)
    began = time.perf_counter()
    profiler.start()
    for i in range(n):
        calls(i, warm=False)
    profiler.stop()
    took = time.perf_counter() - began
    return {"per_request_ms": round(took / n * 1000, 2),
            "profile": profiler.output_text(unicode=False, color=False, show_all=False)}


def register(n: int = 300) -> dict[str, Any]:
    from django.db import connections
    from django.test import Client as Browser
    from django.test.utils import CaptureQueriesContext

    from bench.scenarios._b_seed import make_event

    event = make_event("bench-profile", "Profile", capacity=None)
    browser = Browser()
    path = f"/api/v1/events/{event.pk}/registrations"

    def call(i: int, warm: bool) -> None:
        body = json.dumps({"email": f"{'w' if warm else 'p'}{i}@profile.example",
                           "first_name": "Pro", "last_name": f"F{i}", "language": "en"})
        response = browser.post(path, body, content_type="application/json")
        assert response.status_code == 202, response.content

    with CaptureQueriesContext(connections["default"]) as main, \
            CaptureQueriesContext(connections["keystore"]) as keys:
        call(10_000, warm=True)
    out = _profile(call, n)
    out["queries"] = {"main": [q["sql"][:160] for q in main.captured_queries],
                      "keystore": [q["sql"][:160] for q in keys.captured_queries]}
    return out


def join(tokens_path: str, n: int = 1000) -> dict[str, Any]:
    from django.test import Client as Browser

    tokens = open(tokens_path).read().split()  # noqa: SIM115 - a short read

    def call(i: int, warm: bool) -> None:
        response = Browser().get(f"/j/{tokens[i % len(tokens)]}/")
        assert response.status_code == 302, response.status_code

    return _profile(call, n)
