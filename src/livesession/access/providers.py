"""Room providers behind one interface (issue 4 §3).

The join path asks ``enter(target, registration)`` for an ``Entry``: a redirect (external
link, BigBlueButton, Jitsi) or an embedded player rendered on our own page (which sends the
presence heartbeat). ``target`` is the Session open now, or the Event when it has no
sessions; a session without a provider of its own uses its event's.

- external: the organizer's URL (Zoom, Teams, any), as is;
- embed: the organizer's https stream or iframe URL, shown inside our page;
- bbb: the meeting is created on the client's BigBlueButton server on first access, then a
  signed join URL (``access/bbb.py``);
- jitsi: the room on the client's Jitsi domain, with a short JWT when the client has a
  Jitsi application (``access/jitsi.py``).

``validate_room`` checks a room's settings when they are saved (``access/rooms.py``), so a
misconfiguration reaches the organizer as a field error and never a participant as a crash.
It makes no network call: only the form of what was entered is checked.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from livesession.access import bbb, jitsi
from livesession.events.models import Event, RoomKind, Session

if TYPE_CHECKING:
    from livesession.access.models import RoomSettings
    from livesession.core.models import Client
    from livesession.registrations.models import Registration

log = logging.getLogger(__name__)

# The settings each provider reads from ``room_config``; any other key is refused on save.
CONFIG_KEYS: dict[str, frozenset[str]] = {
    RoomKind.EXTERNAL: frozenset(),
    RoomKind.EMBED: frozenset(),
    # A room may use another BigBlueButton server than the client's: its API URL here and
    # its shared secret as the room secret (sealed).
    RoomKind.BBB: frozenset({"api_url"}),
    RoomKind.JITSI: frozenset({"room", "domain"}),
}


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


class Named(Protocol):
    first_name: Any
    last_name: Any


def display_name(person: Registration | Named, fallback: str = "") -> str:
    """What the room shows of a participant: first name and last-name initial ("Marie D."),
    the first name alone, never the address."""
    first = " ".join(str(person.first_name or "").split())
    last = " ".join(str(person.last_name or "").split())
    if first and last:
        return f"{first} {last[0].upper()}."
    return first or fallback or _("Participant")


def _room_settings(client_id: int) -> RoomSettings | None:
    from livesession.access.models import RoomSettings

    return RoomSettings.objects.filter(client_id=client_id).first()


def bbb_server(source: Event | Session,
               settings: RoomSettings | None = None) -> bbb.Server | None:
    """The room's own server when it has one, else the client's; None when not set."""
    override = str((source.room_config or {}).get("api_url") or "")
    if override:
        secret = source.room_secret
        return bbb.Server(bbb.api_base(override), secret, bbb.default_algorithm()) \
            if secret else None
    settings = settings if settings is not None else _room_settings(source.client_id)
    if settings is None or not settings.bbb_url:
        return None
    secret = settings.bbb_secret
    if not secret:
        return None
    return bbb.Server(bbb.api_base(settings.bbb_url), secret, bbb.default_algorithm())


def bbb_meeting(source: Event | Session) -> bbb.Meeting:
    room = f"session:{source.pk}" if isinstance(source, Session) else f"event:{source.pk}"
    return bbb.meeting_for(source.client_id, room, source.title)


def _enter_bbb(source: Event | Session, registration: Registration) -> Entry:
    server = bbb_server(source)
    if server is None:
        raise RoomUnavailable("BigBlueButton server URL or shared secret not set")
    meeting = bbb_meeting(source)
    try:
        bbb.ensure_meeting(server, meeting)
    except bbb.BBBError as exc:
        # The cause is for the organizer and the operator: ids only, no participant data.
        log.warning("room unavailable for %s %s: %s", type(source).__name__.lower(),
                    source.pk, exc)
        raise RoomUnavailable(str(exc)) from None
    return Entry("redirect", bbb.join_url(server, meeting, display_name(registration)))


FAILURE_SECONDS = 24 * 3600


def _failure_key(source: Event | Session) -> str:
    return f"room:failure:{type(source).__name__.lower()}:{source.pk}"


def remember_failure(source: Event | Session, cause: str) -> None:
    """The last time the provider failed a participant, for the organizer's room page."""
    from django.core.cache import cache

    from livesession.core.clock import now

    cache.set(_failure_key(source), {"at": now(), "cause": cause}, FAILURE_SECONDS)


def forget_failure(source: Event | Session) -> None:
    from django.core.cache import cache

    cache.delete(_failure_key(source))


def last_failure(source: Event | Session) -> dict[str, Any] | None:
    from django.core.cache import cache

    found = cache.get(_failure_key(source))
    return found if isinstance(found, dict) else None


def jitsi_domain(source: Event | Session, settings: RoomSettings | None) -> str:
    own = str((source.room_config or {}).get("domain") or "")
    if own:
        return own
    return (settings.jitsi_domain if settings is not None else "") or jitsi.DEFAULT_DOMAIN


def _enter_jitsi(source: Event | Session, registration: Registration) -> Entry:
    room = str((source.room_config or {}).get("room") or "")
    if not jitsi.ROOM_PATTERN.match(room):
        raise RoomUnavailable("no valid Jitsi room name")
    settings = _room_settings(source.client_id)
    domain = jitsi_domain(source, settings)
    name = display_name(registration)
    token = ""
    if settings is not None and settings.jitsi_app_id:
        secret = settings.jitsi_secret
        if not secret:
            raise RoomUnavailable("Jitsi application secret not set")
        token = jitsi.room_token(app_id=settings.jitsi_app_id, secret=secret, domain=domain,
                                 room=room, display_name=name)
    return Entry("redirect", jitsi.room_url(domain=domain, room=room, display_name=name,
                                            token=token))


def enter(target: Event | Session, registration: Registration) -> Entry:
    source = room_source(target)
    try:
        return _enter(target, source, registration)
    except RoomUnavailable as exc:
        remember_failure(source, str(exc))  # shown on the organizer's room page
        raise


def _enter(target: Event | Session, source: Event | Session,
           registration: Registration) -> Entry:
    kind = source.room_kind or RoomKind.EXTERNAL
    if kind == RoomKind.BBB:
        return _enter_bbb(source, registration)
    if kind == RoomKind.JITSI:
        return _enter_jitsi(source, registration)
    url = (target.room_url or source.room_url) if isinstance(target, Session) else source.room_url
    if kind == RoomKind.EMBED:
        if not url:
            raise RoomUnavailable("no player URL")
        return Entry("embed", url)
    if kind == RoomKind.EXTERNAL:
        if not url:
            raise RoomUnavailable("no room URL")
        return Entry("redirect", url)
    raise RoomUnavailable(f"unknown provider {kind}")


# --- Validation on save ---------------------------------------------------------------

def _url_error(url: str, schemes: tuple[str, ...]) -> str | None:
    try:
        URLValidator(schemes=list(schemes))(url)
    except ValidationError:
        return "invalid"
    parts = urlsplit(url)
    if parts.username or parts.password:
        return "credentials"
    return None


def check_bbb_api_url(url: str) -> str | None:
    """A message when ``url`` cannot be a BigBlueButton API URL, else None."""
    if _url_error(url, ("https", "http")):
        return _("Enter the server's address starting with https://, such as "
                 "https://bbb.example.org/bigbluebutton/ (as printed by bbb-conf --secret).")
    if urlsplit(url).query or urlsplit(url).fragment:
        return _("Enter the server's address without ? or # parts, such as "
                 "https://bbb.example.org/bigbluebutton/.")
    return None


def validate_room(kind: str, url: str, config: dict[str, Any] | None, secret: str,
                  client: Client) -> tuple[str, dict[str, Any]]:
    """The room's URL and settings as they will be stored, or a ValidationError keyed by
    field (``room_kind``, ``room_url``, ``room_config``, ``room_secret``). ``secret`` is
    the room secret that will be in force (new or kept). No network call."""
    config = dict(config or {})
    url = (url or "").strip()
    errors: dict[str, str] = {}
    if kind not in RoomKind.values:
        raise ValidationError({"room_kind": _("Choose a provider: external link, embedded "
                                              "player, BigBlueButton or Jitsi.")})
    unknown = sorted(set(config) - CONFIG_KEYS[kind])
    if unknown:
        errors["room_config"] = _("Unknown setting for this provider: %(keys)s.") % {
            "keys": ", ".join(unknown)}
    config = {k: str(v).strip() if v is not None else "" for k, v in config.items()
              if k in CONFIG_KEYS[kind]}
    config = {k: v for k, v in config.items() if v}
    if kind == RoomKind.EXTERNAL:
        if not url:
            errors["room_url"] = _("Enter the address of the live room.")
        elif _url_error(url, ("https", "http")):
            errors["room_url"] = _("Enter a full address starting with https://, such as "
                                   "https://zoom.us/j/123456789.")
    elif kind == RoomKind.EMBED:
        if not url:
            errors["room_url"] = _("Enter the address of the stream or player to embed.")
        elif _url_error(url, ("https",)):
            errors["room_url"] = _("The embedded player needs a secure address starting "
                                   "with https://: browsers block other content inside "
                                   "our page.")
    else:
        url = ""  # the provider makes the URL; a stale one would mislead
    if kind == RoomKind.BBB:
        if "api_url" in config:
            problem = check_bbb_api_url(config["api_url"])
            if problem:
                errors["room_config"] = problem
            elif not secret:
                errors["room_secret"] = _("Give this server's shared secret (bbb-conf "
                                          "--secret prints it).")
        else:
            settings = _room_settings(client.pk)
            if settings is None or not settings.bbb_url or not settings.bbb_secret_enc:
                errors["room_kind"] = _(
                    "BigBlueButton needs the server's URL and shared secret: fill them in "
                    "the Manager under Room settings, or give this room its own server.")
    if kind == RoomKind.JITSI:
        room = config.get("room", "")
        if not jitsi.ROOM_PATTERN.match(room):
            errors["room_config"] = _(
                "Give the Jitsi room a name of 3 to 80 letters, digits, hyphens or "
                "underscores, starting with a letter or digit (no spaces).")
        domain = config.get("domain", "")
        if domain and not jitsi.DOMAIN_PATTERN.match(domain):
            errors["room_config"] = _("Enter the Jitsi server as a domain name, such as "
                                      "meet.jit.si (no https://, no path).")
    if errors:
        raise ValidationError(errors)
    return url, config
