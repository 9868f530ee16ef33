"""Periodic jobs of organizer analytics, discovered by the worker
(``autodiscover_modules("jobs")``): the breakdown facts of new and changed registrations
(analytics/facts.py), and the per-event rollups (analytics/rollup.py)."""

from __future__ import annotations

from livesession.analytics import facts, rollup
from livesession.core import tasks


@tasks.periodic(minutes="*/5")
def refresh_facts() -> int:
    # Bounded per run: a backlog (a large import) is spread over several runs.
    return int(facts.refresh(limit=50_000))


@tasks.periodic(minutes="*/5")
def refresh_rollups() -> int:
    # Bounded per run; a view reads a missing or dirty rollup itself.
    return rollup.refresh(limit=200)
