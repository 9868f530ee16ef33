"""Room writes (issue 4 §3): a client's provider accounts, an event's room, a session's.

Each validates first (``providers.validate_room``: clear field errors, no network call),
writes in one transaction and leaves an audit entry that names what changed, never a
secret's value. Secrets are write-only: an empty or missing value keeps the one stored.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from livesession.access import bbb, jitsi, providers
from livesession.access.models import RoomSettings
from livesession.audit.services import record, record_change
from livesession.core.models import Client
from livesession.events.models import Event, RoomKind, Session

# Providers that use the room secret (a BigBlueButton room on its own server).
USES_SECRET = frozenset({RoomKind.BBB})


def room_settings_of(client: Client) -> RoomSettings:
    """The client's settings, or an unsaved blank row (nothing stored until saved)."""
    found = RoomSettings.objects.filter(client=client).first()
    return found if found is not None else RoomSettings(client=client)


def _clean_text(value: Any) -> str:
    return str(value or "").strip()


@transaction.atomic
def save_room_settings(client: Client, *, actor: str, bbb_url: str = "",
                       bbb_secret: str | None = None, jitsi_domain: str = "",
                       jitsi_app_id: str = "", jitsi_secret: str | None = None,
                       clear_bbb_secret: bool = False,
                       clear_jitsi_secret: bool = False) -> RoomSettings:
    settings = RoomSettings.objects.select_for_update().filter(client=client).first() \
        or RoomSettings(client=client)
    bbb_url = _clean_text(bbb_url)
    jitsi_domain = _clean_text(jitsi_domain) or jitsi.DEFAULT_DOMAIN
    jitsi_app_id = _clean_text(jitsi_app_id)
    new_bbb_secret = _clean_text(bbb_secret)
    new_jitsi_secret = _clean_text(jitsi_secret)
    bbb_has_secret = bool(new_bbb_secret) or (bool(settings.bbb_secret_enc)
                                              and not clear_bbb_secret)
    jitsi_has_secret = bool(new_jitsi_secret) or (bool(settings.jitsi_secret_enc)
                                                  and not clear_jitsi_secret)
    errors: dict[str, str] = {}
    if bbb_url:
        problem = providers.check_bbb_api_url(bbb_url)
        if problem:
            errors["bbb_url"] = problem
        elif not bbb_has_secret:
            errors["bbb_secret"] = _("Give the server's shared secret too (on the server, "
                                     "bbb-conf --secret prints it).")
    elif new_bbb_secret:
        errors["bbb_url"] = _("Give the server's address with its shared secret.")
    if not jitsi.DOMAIN_PATTERN.match(jitsi_domain):
        errors["jitsi_domain"] = _("Enter the Jitsi server as a domain name, such as "
                                   "meet.jit.si (no https://, no path).")
    if jitsi_app_id and not jitsi_has_secret:
        errors["jitsi_secret"] = _("Give the application secret that signs the tokens, or "
                                   "leave the application id empty.")
    elif not jitsi_app_id and new_jitsi_secret:
        errors["jitsi_app_id"] = _("Give the application id that goes with this secret.")
    if errors:
        raise ValidationError(errors)
    # Ciphertexts stand for the secrets in the diff: a new secret differs from the old one
    # and shows as changed, its value never (record_change's ``redact``).
    fields = ("bbb_url", "jitsi_domain", "jitsi_app_id", "bbb_secret_enc", "jitsi_secret_enc")
    before = {name: getattr(settings, name) for name in fields}
    settings.bbb_url, settings.jitsi_domain, settings.jitsi_app_id = \
        bbb_url, jitsi_domain, jitsi_app_id
    if new_bbb_secret:
        settings.bbb_secret = new_bbb_secret
    elif clear_bbb_secret or not bbb_url:
        settings.bbb_secret_enc = ""
    if new_jitsi_secret:
        settings.jitsi_secret = new_jitsi_secret
    elif clear_jitsi_secret or not jitsi_app_id:
        settings.jitsi_secret_enc = ""
    settings.save()
    after = {name: getattr(settings, name) for name in fields}
    rename = {"bbb_secret_enc": "bbb_secret", "jitsi_secret_enc": "jitsi_secret"}
    record_change(actor, "room_settings.updated",
                  {rename.get(k, k): v for k, v in before.items()},
                  {rename.get(k, k): v for k, v in after.items()},
                  target=f"client:{client.pk}", client_id=client.pk,
                  redact=("bbb_secret", "jitsi_secret"))
    return settings


def _apply(obj: Event | Session, kind: str, url: str, config: dict[str, Any] | None,
           secret: str | None, client: Client) -> dict[str, Any]:
    """Validate and set the room fields of ``obj`` (not saved); the audit details."""
    new_secret = _clean_text(secret)
    if kind in RoomKind.values and kind not in USES_SECRET:
        effective = ""
    else:
        effective = new_secret or (obj.room_secret if obj.room_secret_enc else "")
    config = dict(config or {})
    if kind == RoomKind.JITSI and not _clean_text(config.get("room")):
        config["room"] = jitsi.new_room_name()
    clean_url, clean_config = providers.validate_room(kind, url, config, effective, client)
    if kind == RoomKind.BBB and "api_url" not in clean_config:
        effective = ""  # the client's server: a room secret would never be read
    secret_changed = effective != (obj.room_secret if obj.room_secret_enc else "")
    old = providers.bbb_server(obj) if obj.room_kind == RoomKind.BBB else None
    obj.room_kind, obj.room_url, obj.room_config = kind, clean_url, clean_config
    obj.room_secret = effective
    if old is not None:
        # The next access creates the meeting again on the server in force.
        bbb.forget_meeting(old, providers.bbb_meeting(obj))
    providers.forget_failure(obj)  # a failure seen before the change says nothing now
    return {"kind": kind, "config": sorted(clean_config), "secret_changed": secret_changed}


ROOM_FIELDS = ["room_kind", "room_url", "room_config", "room_secret_enc"]


@transaction.atomic
def set_event_room(event: Event, *, actor: str, kind: str, url: str = "",
                   config: dict[str, Any] | None = None, secret: str | None = None) -> Event:
    details = _apply(event, kind, url, config, secret, event.client)
    event.save(update_fields=ROOM_FIELDS)
    record(actor, "event.room_set", target=f"event:{event.pk}", client_id=event.client_id,
           details=details)
    return event


@transaction.atomic
def set_session_room(session: Session, *, actor: str, kind: str = "", url: str = "",
                     config: dict[str, Any] | None = None,
                     secret: str | None = None) -> Session:
    """``kind`` empty: the session uses its event's room (its own settings are cleared)."""
    if not kind:
        session.room_kind, session.room_config, session.room_secret_enc = "", {}, ""
        url = _clean_text(url)
        if url:
            # A session may still point at its own link while sharing the event's provider
            # (the sessions page sets it); keep the same checks as an external link.
            problem = providers._url_error(url, ("https", "http"))
            if problem:
                raise ValidationError({"room_url": _(
                    "Enter a full address starting with https://, or leave it empty.")})
        session.room_url = url
        details: dict[str, Any] = {"kind": "", "config": [], "secret_changed": False}
    else:
        details = _apply(session, kind, url, config, secret, session.client)
    session.save(update_fields=ROOM_FIELDS)
    record(actor, "session.room_set", target=f"session:{session.pk}",
           client_id=session.client_id, details=details)
    return session


def moderator_url(obj: Event | Session, *, actor: str, person: providers.Named) -> str:
    """A BigBlueButton join URL as moderator for a member of the client (the organizer
    presents; participants join as viewers). Creates the meeting when needed; raises
    RoomUnavailable with the cause."""
    source = providers.room_source(obj)
    if source.room_kind != RoomKind.BBB:
        raise providers.RoomUnavailable(_("This room is not a BigBlueButton room."))
    server = providers.bbb_server(source)
    if server is None:
        raise providers.RoomUnavailable(_("Fill in the server's address and shared secret "
                                          "first."))
    meeting = providers.bbb_meeting(source)
    try:
        bbb.ensure_meeting(server, meeting)
    except bbb.BBBError as exc:
        raise providers.RoomUnavailable(str(exc)) from None
    target = f"session:{source.pk}" if isinstance(source, Session) else f"event:{source.pk}"
    record(actor, "room.moderator_joined", target=target, client_id=source.client_id)
    return bbb.join_url(server, meeting, providers.display_name(person, _("Organizer")),
                        moderator=True)


def check_bbb_settings(client: Client) -> str:
    """"" when the client's BigBlueButton server answers a signed call, else the cause
    (an explicit check the organizer asks for: a network call, never done on save)."""
    server = providers.bbb_server(Event(client=client), room_settings_of(client))
    if server is None:
        return _("Fill in the server's address and shared secret first.")
    try:
        bbb.check_server(server)
    except bbb.BBBError as exc:
        return str(exc)
    return ""


def room_problem(obj: Event | Session) -> str:
    """Why the room would not open now, for the organizer's pages ("" when it would)."""
    source = providers.room_source(obj)
    kind = source.room_kind or RoomKind.EXTERNAL
    secret = source.room_secret if source.room_secret_enc else ""
    url = obj.room_url or source.room_url if isinstance(obj, Session) else source.room_url
    try:
        providers.validate_room(kind, url, source.room_config, secret, source.client)
    except ValidationError as exc:
        return " ".join(m for msgs in exc.message_dict.values() for m in msgs)
    return ""
