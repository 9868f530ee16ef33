"""Event writes. Each runs in one transaction and leaves an audit entry."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from livesession.audit.services import record, record_change
from livesession.core.clock import now
from livesession.core.models import Client
from livesession.events.models import Event, EventStatus

EDITABLE = ("title", "description", "starts_at", "ends_at", "time_zone", "room_url",
            "opens_minutes_before", "capacity", "waitlist_enabled", "approval_required",
            "double_opt_in", "registration_deadline", "room_kind", "modification_deadline")
# The room's provider and address are checked and written by access.rooms (issue 4 §3):
# an address is needed only for an external link or an embedded player.
ROOM = ("room_kind", "room_url")


def _set_room(event: Event, room: dict[str, Any], *, actor: str) -> None:
    from livesession.access.rooms import set_event_room  # access depends on events

    kind = room.get("room_kind", event.room_kind) or "external"
    url = room.get("room_url", event.room_url) or ""
    config = event.room_config if kind == event.room_kind else {}
    set_event_room(event, actor=actor, kind=kind, url=url, config=config)


def validate_event_fields(data: dict[str, Any]) -> None:
    """Field errors a person can act on; raised as one ValidationError keyed by field."""
    errors: dict[str, str] = {}
    title = str(data.get("title", ""))
    if not title.strip():
        errors["title"] = _("Give the event a title.")
    elif "\n" in title or "\r" in title:
        errors["title"] = _("Write the title on one line.")
    capacity = data.get("capacity")
    if capacity is not None and (not isinstance(capacity, int) or capacity < 1
                                 or capacity > 1_000_000):
        errors["capacity"] = _("Give a number of places between 1 and 1,000,000, or leave "
                               "it empty for no limit.")
    starts, ends = data.get("starts_at"), data.get("ends_at")
    if isinstance(starts, dt.datetime) and isinstance(ends, dt.datetime) and ends <= starts:
        errors["ends_at"] = _("The end must come after the start. Check the dates and times.")
    tz = data.get("time_zone")
    if tz is not None:
        try:
            zoneinfo.ZoneInfo(str(tz))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            errors["time_zone"] = _("Unknown time zone. Use a name such as Europe/Paris.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_event(client: Client, *, actor: str, created_by_id: int | None = None,
                 **fields: Any) -> Event:
    data = {name: fields[name] for name in EDITABLE if name in fields}
    validate_event_fields(data)
    room = {name: data.pop(name) for name in ROOM if name in data}
    event = Event.objects.create(client=client, created_by_id=created_by_id, **data)
    record(actor, "event.created", target=f"event:{event.pk}", client_id=client.pk)
    if room:
        _set_room(event, room, actor=actor)  # a misconfiguration undoes the creation
    return event


@transaction.atomic
def update_event(event: Event, *, actor: str, **fields: Any) -> Event:
    data = {name: fields[name] for name in EDITABLE if name in fields}
    merged = {name: getattr(event, name) for name in EDITABLE} | data
    validate_event_fields(merged)
    room = {name: data.pop(name) for name in ROOM
            if name in data and data[name] != getattr(event, name)}
    # seats_taken moves by UPDATE statements: read it fresh, not from this object.
    event.seats_taken = Event.objects.values_list("seats_taken", flat=True).get(pk=event.pk)
    if "capacity" in data and data["capacity"] is not None \
            and data["capacity"] < event.seats_taken:
        raise ValidationError({"capacity": ngettext(
            "%(n)d place is already taken: the capacity cannot be lower.",
            "%(n)d places are already taken: the capacity cannot be lower.",
            event.seats_taken) % {"n": event.seats_taken}})
    before = {name: getattr(event, name) for name in data}
    for name, value in data.items():
        setattr(event, name, value)
    # Only the edited columns: a full save would write back a stale seats_taken over
    # places taken meanwhile by concurrent registrations.
    event.save(update_fields=list(data))
    if room:
        _set_room(event, room, actor=actor)
    if "capacity" in data:
        # More places: the waiting list moves up at once (issue 3 §5).
        from livesession.registrations.services import promote_waitlist

        promote_waitlist(event)
    # The diff of the settings (P6.6); the client's own texts by digest only (P3.4).
    record_change(actor, "event.updated", before, data, target=f"event:{event.pk}",
                  client_id=event.client_id, opaque=("title", "description", "room_url"))
    return event


@transaction.atomic
def publish_event(event: Event, *, actor: str) -> Event:
    if event.status != EventStatus.PUBLISHED:
        event.status = EventStatus.PUBLISHED
        event.published_at = now()
        event.save(update_fields=["status", "published_at"])
        record(actor, "event.published", target=f"event:{event.pk}", client_id=event.client_id)
    return event


@transaction.atomic
def close_event(event: Event, *, actor: str) -> Event:
    event.status = EventStatus.CLOSED
    event.save(update_fields=["status"])
    record(actor, "event.closed", target=f"event:{event.pk}", client_id=event.client_id)
    return event
