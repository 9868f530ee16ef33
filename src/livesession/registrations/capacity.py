"""Places of an event, taken and released with one conditional UPDATE each.

``UPDATE events_event SET seats_taken = seats_taken + 1 WHERE id = ? AND (capacity IS
NULL OR seats_taken < capacity)``: on PostgreSQL the row lock re-checks the condition after
a concurrent writer; on SQLite the IMMEDIATE transaction holds the write lock from BEGIN.
Count-then-insert oversold by 6 % in the measurements of performance-anchors.md.
"""

from __future__ import annotations

from typing import Any

from django.db.models import F, Q

from livesession.events.models import Event


def take_seat(event_id: Any) -> bool:
    taken = (Event.objects.filter(pk=event_id)
             .filter(Q(capacity__isnull=True) | Q(seats_taken__lt=F("capacity")))
             .update(seats_taken=F("seats_taken") + 1))
    return bool(taken)


def release_seat(event_id: Any) -> None:
    Event.objects.filter(pk=event_id, seats_taken__gt=0).update(
        seats_taken=F("seats_taken") - 1)
