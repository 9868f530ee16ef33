from __future__ import annotations

import datetime as dt
from typing import Any

from livesession.core.clock import freeze
from livesession.events.models import Event
from livesession.registrations.services import register
from livesession.retention.models import PurgeRun
from livesession.retention.purge import run_purge

DAY = dt.timedelta(days=1)


def purge_at(moment: dt.datetime, **kwargs: Any) -> PurgeRun:
    with freeze(moment):
        return run_purge(**kwargs)


def enrol(event: Event, n: int = 1, prefix: str = "p") -> list[Any]:
    return [register(event, email=f"{prefix}{i}@example.org", first_name="Camille",
                     last_name="Durand").registration for i in range(n)]

