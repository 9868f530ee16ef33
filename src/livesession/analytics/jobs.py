"""Periodic job of organizer analytics: the breakdown facts of new and changed registrations
(analytics/facts.py). Discovered by the worker (``autodiscover_modules("jobs")``)."""

from __future__ import annotations

from livesession.analytics import facts
from livesession.core import tasks


@tasks.periodic(minutes="*/5")
def refresh_facts() -> int:
    # Bounded per run: a backlog (a large import) is spread over several runs.
    return int(facts.refresh(limit=50_000))
