"""Room providers behind one interface (issue 4 §3).

The join path asks ``enter(target, registration)`` for an ``Entry``: a redirect (external
link, BigBlueButton, Jitsi) or an embedded player rendered on our own page (which sends the
presence heartbeat). ``target`` is the Session open now, or the Event when it has no
sessions; a session without a provider of its own uses its event's.

This first version knows the external link and the embedded player; BigBlueButton and
Jitsi, and the validation of settings when saved, come next in this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from livesession.events.models import Event, RoomKind, Session

if TYPE_CHECKING:
    from livesession.registrations.models import Registration


@dataclass(frozen=True)
class Entry:
    kind: str  # "redirect" or "embed"
    url: str


class RoomUnavailable(Exception):
    """The provider cannot open the room now (misconfigured, server down). The participant
    sees a plain page saying so; the organizer sees the cause in the Manager."""


def room_source(target: Event | Session) -> Event | Session:
    """The object whose provider settings apply: a session's own, else its event's."""
    if isinstance(target, Session) and not target.room_kind:
        return target.event
    return target


def room_kind(target: Event | Session) -> str:
    return room_source(target).room_kind or RoomKind.EXTERNAL


def enter(target: Event | Session, registration: Registration) -> Entry:
    source = room_source(target)
    kind = source.room_kind or RoomKind.EXTERNAL
    url = (target.room_url or source.room_url) if isinstance(target, Session) else source.room_url
    if kind == RoomKind.EMBED:
        return Entry("embed", url)
    if kind == RoomKind.EXTERNAL:
        if not url:
            raise RoomUnavailable("no room URL")
        return Entry("redirect", url)
    raise RoomUnavailable(f"provider {kind} not available yet")
