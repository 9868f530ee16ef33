"""Personal access links: issue, resolve, regenerate, revoke, resend; the join's session;
replays (P0.1, issue 4 §1, §2, §6). Attendance writes are in ``access/attendance.py``."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from livesession.access import attendance, join_query
from livesession.access.models import AccessLink
from livesession.audit.services import record
from livesession.core.clock import now
from livesession.events.models import Event, Session
from livesession.protection.crypto import email_index, token_digest
from livesession.registrations.models import Registration, RegistrationStatus, SeatStatus

# What new_token() makes (43 URL-safe characters); older or hand-made tokens up to 128.
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{16,128}")


def new_token() -> str:
    # 32 bytes = 256 bits of randomness, URL-safe (issue 4 asks for at least 128).
    return secrets.token_urlsafe(32)


def issue_link(registration: Registration) -> str:
    """Create the link row and return the raw token (stored only sealed and hashed)."""
    token = new_token()
    link = AccessLink(registration=registration, client_id=registration.client_id,
                      subject_id=registration.subject_id, token_digest=token_digest(token))
    link.token = token
    link.save()
    return token


def current_token(registration: Registration) -> str | None:
    link = (AccessLink.objects.filter(registration=registration, revoked_at__isnull=True)
            .order_by("-created_at").first())
    return link.token if link is not None else None


def link_url(token: str) -> str:
    return settings.SITE_URL + reverse("portal:join", kwargs={"token": token})


def well_formed(token: str) -> bool:
    return bool(token) and _TOKEN_SHAPE.fullmatch(token) is not None


def resolve(token: str) -> Registration | None:
    """The registration behind a live token, or None (malformed, unknown or revoked). The
    caller decides by status: only a confirmed registration opens the room."""
    if not well_formed(token):
        return None
    link = (
        AccessLink.objects.select_related("registration__event")
        .filter(token_digest=token_digest(token), revoked_at__isnull=True)
        .first()
    )
    if link is None:
        return None
    return link.registration


def resolve_for_join(token: str) -> Registration | None:
    """``resolve`` for the join path: one query, composed once per process
    (``access/join_query.py``), gives the registration with its event and its subject (a
    restricted person's link shows the restriction instead of the room, GDPR art. 18) and
    tells whether the event has sessions (``registration.event_has_sessions``)."""
    if not well_formed(token):
        return None
    return join_query.registration_for_digest(token_digest(token))


def join_session(registration: Registration) -> Session | None:
    """The session the personal link leads to: the first confirmed one not yet over (open
    now, else the next). One query; same answer as ``sessions.current_or_next``, since
    sessions of one event open the same number of minutes before their start."""
    session = (Session.objects.filter(
        event_id=registration.event_id, ends_at__gte=now(), seats__registration=registration,
        seats__status=SeatStatus.CONFIRMED).order_by("starts_at", "id").first())
    if session is not None:
        session.event = registration.event  # access_state() reads it: no second query
    return session


def record_join(registration: Registration, session_id: int | None = None, *,
                device: str = "", one_device_only: bool = False) -> attendance.Access:
    """Count an access through the personal link (see ``access/attendance.py``)."""
    return attendance.record_access(registration, session_id, device,
                                    one_device_only=one_device_only)


@transaction.atomic
def revoke(registration: Registration) -> None:
    AccessLink.objects.filter(registration=registration, revoked_at__isnull=True).update(
        revoked_at=now()
    )


# --- Organizer actions on a link (issue 4 §1) -------------------------------------------

@transaction.atomic
def revoke_link(registration: Registration, *, actor: str) -> None:
    """The link stops working at once; the participant keeps the registration and can be
    sent a new link (``regenerate``)."""
    revoke(registration)
    record(actor, "access_link.revoked", target=f"registration:{registration.pk}",
           client_id=registration.client_id)


@transaction.atomic
def regenerate(registration: Registration, *, actor: str) -> None:
    """Revoke the current link, issue a new one and mail it to the registered address (in
    this transaction, through the outbox). The new link is never shown to the organizer.
    Refused (``ProcessingRestricted``) while the person's processing is restricted: the
    mail would be held back, and the person would be left with no working link."""
    from livesession.protection.restriction import ensure_not_restricted
    from livesession.registrations import services as registrations

    ensure_not_restricted(registration.subject_id)
    revoke(registration)
    issue_link(registration)
    record(actor, "access_link.regenerated", target=f"registration:{registration.pk}",
           client_id=registration.client_id)
    registrations.send_link_again(registration, actor=actor)


# --- "Have my link resent" (issue 4 §1, Bad input) ---------------------------------------

RESEND_MAX = 10  # registrations mailed at most per request
RESEND_WITHIN = dt.timedelta(days=90)  # events ended longer ago are left out


@transaction.atomic
def resend_links(email: str, event_id: Any = None) -> int:
    """Mail the personal link of each live registration of this address (to that address
    only), for one event or for all. The caller answers the same whatever the count: the
    page never tells whether an address is registered."""
    rows = (Registration.objects.select_related("event")
            .filter(email_index=email_index(email), event__client__is_active=True,
                    event__ends_at__gte=now() - RESEND_WITHIN)
            .exclude(status__in=[RegistrationStatus.CANCELLED, RegistrationStatus.DENIED]))
    if event_id is not None:
        rows = rows.filter(event_id=event_id)
    from livesession.registrations import services as registrations

    count = 0
    for registration in rows.order_by("-created_at")[:RESEND_MAX]:
        if current_token(registration) is None:
            issue_link(registration)  # revoked by the organizer: a fresh one
        registrations.send_link_again(registration, actor="participant")
        count += 1
    return count


# --- Replays (issue 4 §6) -----------------------------------------------------------------

@dataclass(frozen=True)
class Replay:
    key: int  # the session's id, 0 for the event's own replay
    title: str
    url: str
    expires_at: dt.datetime | None

    @property
    def expired(self) -> bool:
        return self.expires_at is not None and now() > self.expires_at


def _replay(target: Event | Session) -> Replay | None:
    if not target.replay_url:
        return None
    key = target.pk if isinstance(target, Session) else 0
    return Replay(key=key, title=target.title, url=target.replay_url,
                  expires_at=target.replay_expires_at)


def replays_for(registration: Registration) -> list[Replay]:
    """The replays this participant may watch: those of the confirmed sessions that are
    over, and the event's once it is over. Only a confirmed registration has any."""
    if registration.status != RegistrationStatus.CONFIRMED:
        return []
    moment = now()
    found = [replay for session in Session.objects.filter(
        event_id=registration.event_id, ends_at__lt=moment, seats__registration=registration,
        seats__status=SeatStatus.CONFIRMED).exclude(replay_url="").order_by("starts_at", "id")
        if (replay := _replay(session)) is not None]
    event = registration.event
    if event.ends_at < moment and (replay := _replay(event)) is not None:
        found.append(replay)
    return found


def replay_for(registration: Registration, key: int) -> Replay | None:
    return next((r for r in replays_for(registration) if r.key == key), None)


@transaction.atomic
def set_replay(target: Event | Session, url: str, expires_at: dt.datetime | None, *,
               actor: str) -> None:
    """Set (or clear, with an empty URL) the replay of an event or a session."""
    target.replay_url = url
    target.replay_expires_at = expires_at if url else None
    target.save(update_fields=["replay_url", "replay_expires_at"])
    kind = "session" if isinstance(target, Session) else "event"
    record(actor, "replay.set" if url else "replay.cleared", target=f"{kind}:{target.pk}",
           client_id=target.client_id,
           details={"expires_at": expires_at.isoformat() if url and expires_at else None})


# --- Access options of an event (issue 4 §2, §4) -----------------------------------------

OPENS_MAX = 24 * 60  # the room opens at most a day before the start


@transaction.atomic
def set_access_options(event: Event, *, actor: str, one_device_only: bool,
                       opens_minutes_before: int) -> Event:
    """One device at a time per personal link (else concurrent use is only flagged), and
    how many minutes before the start the personal link opens the room."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    if not 0 <= opens_minutes_before <= OPENS_MAX:
        raise ValidationError({"opens_minutes_before": _(
            "Give a number of minutes between 0 and %(max)d.") % {"max": OPENS_MAX}})
    event.one_device_only = bool(one_device_only)
    event.opens_minutes_before = opens_minutes_before
    event.save(update_fields=["one_device_only", "opens_minutes_before"])
    record(actor, "event.access_set", target=f"event:{event.pk}", client_id=event.client_id,
           details={"one_device_only": event.one_device_only,
                    "opens_minutes_before": opens_minutes_before})
    return event
