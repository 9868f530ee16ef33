"""Build the subject, body and attachment of one message for one registration (issue 4 §7).

The wording is the client's template for the kind and the registration's language, else the
built-in default (messaging/defaults.py); the values are the registration's, formatted in
its language and the event's time zone.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field

from django.utils import formats, translation
from django.utils.translation import gettext as _

from livesession.access import services as access
from livesession.core.clock import now
from livesession.events.models import Event, Session
from livesession.messaging import defaults, ics, templating, unsubscribe
from livesession.messaging.models import MessageKind as K
from livesession.messaging.models import MessageTemplate, OutboxMessage
from livesession.messaging.services import Attachment, queue_email
from livesession.registrations.models import Registration, SeatStatus, SessionSeat

CONFIRMING = {K.CONFIRMATION, K.APPROVED, K.PROMOTED}
# Non-transactional: they carry an unsubscribe link and are skipped for those who used it.
NON_TRANSACTIONAL = {K.FOLLOWUP_ATTENDED, K.FOLLOWUP_ABSENT, K.SEGMENT}
ICS_NAME = "invite.ics"


@dataclass
class Composed:
    kind: str
    subject: str
    body: str
    attachment: Attachment | None = None
    unsubscribe_url: str = ""
    values: dict[str, str] = field(default_factory=dict)


@dataclass
class Known:
    """What a caller composing many messages for one event read once (a batch of an
    import, registrations/bulk.py): whether the event has sessions, whether a replay is
    available, and the templates already looked up. Left None, each is read per message."""

    event_has_sessions: bool | None = None
    replay: bool | None = None
    templates: dict[tuple[str, str, bool, bool], tuple[str, str]] = field(default_factory=dict)


def language_of(registration: Registration) -> str:
    return "en" if (registration.language or "").lower().startswith("en") else "fr"


def template(client_id: int, kind: str, language: str, **variant: bool) -> tuple[str, str]:
    """(subject, body) the client wrote for ``kind`` in ``language``, else the default."""
    own = MessageTemplate.objects.filter(client_id=client_id, kind=kind,
                                         language=language).first()
    if own is not None:
        return own.subject, own.body
    return defaults.default(kind, language, **variant)


def when(value: dt.datetime, zone: str) -> str:
    """A moment in ``zone``, in the active language's format ("1 mars 2031 10:00")."""
    return str(formats.date_format(value.astimezone(zoneinfo.ZoneInfo(zone)),
                                   "DATETIME_FORMAT"))


def confirmed_sessions(registration: Registration) -> list[Session]:
    return [seat.session for seat in SessionSeat.objects.select_related("session").filter(
        registration=registration, status=SeatStatus.CONFIRMED).order_by("session__starts_at")]


def occurrences(registration: Registration, link: str,
                sessions: list[Session] | None = None,
                event_has_sessions: bool | None = None) -> list[ics.Occurrence]:
    """The dates of the registration: its confirmed sessions (``sessions`` when the caller
    has read them already), or the event itself."""
    event = registration.event
    description = "\n".join([event.title, "", _("Your personal access link (do not share "
                                                 "it, it is yours alone):"), link])
    if sessions is None:
        sessions = confirmed_sessions(registration)
    if sessions:
        return [ics.Occurrence(uid=f"{registration.pk}-s{s.pk}@livesession",
                               title=f"{event.title} — {s.title}", starts_at=s.starts_at,
                               ends_at=s.ends_at, description=description, url=link)
                for s in sessions]
    if event_has_sessions is None:
        event_has_sessions = Session.objects.filter(event=event).exists()
    if event_has_sessions:
        return []  # a series where no place is held yet: nothing to put in a calendar
    return [ics.Occurrence(uid=f"{registration.pk}@livesession", title=event.title,
                           starts_at=event.starts_at, ends_at=event.ends_at,
                           description=description, url=link)]


def has_replay(event: Event) -> bool:
    moment = now()
    rows = [(event.replay_url, event.replay_expires_at),
            *Session.objects.filter(event=event).values_list("replay_url",
                                                             "replay_expires_at")]
    return any(url and (expires is None or expires > moment) for url, expires in rows)


def values_for(registration: Registration, kind: str, *, token: str = "",
               session: Session | None = None, position: int | None = None,
               cancelled_by_participant: bool = True,
               sessions: list[Session] | None = None,
               dates: list[ics.Occurrence] | None = None,
               replay: bool | None = None) -> dict[str, str]:
    """Every placeholder value of ``kind`` (call inside the recipient's language).
    ``sessions`` and ``dates``: the registration's ``confirmed_sessions`` and
    ``occurrences``, when the caller has read them."""
    event = registration.event
    zone = event.time_zone
    start, end = (session.starts_at, session.ends_at) if session else (event.starts_at,
                                                                       event.ends_at)
    link = access.link_url(token) if token else ""
    allowed = set(templating.allowed(kind))
    values = {
        "first_name": registration.first_name, "last_name": registration.last_name,
        "event_title": event.title, "event_start": when(start, zone),
        "event_end": when(end, zone), "time_zone": zone, "organizer": event.client.name,
        "join_link": link, "session_title": session.title if session else "",
        "position": str(position or ""), "note": registration.decision_note,
        "cancelled_by": "" if cancelled_by_participant else _("The organizer cancelled it."),
        # Asked only where the kind may say it: a query per message saved on reminders,
        # confirmations... (S8: 10 k reminders at the start).
        "replay_link": link if link and "replay_link" in allowed
        and (has_replay(event) if replay is None else replay) else "",
    }
    if kind in CONFIRMING and link:
        if sessions is None:
            sessions = confirmed_sessions(registration)
        values["sessions"] = "\n".join(
            [_("Your sessions:")] + [f"- {s.title}: {when(s.starts_at, zone)} ({zone})"
                                     for s in sessions]) if sessions else ""
        if dates is None:
            dates = occurrences(registration, link, sessions)
        if dates:
            values["google_calendar_link"] = ics.google_link(dates[0])
            values["outlook_calendar_link"] = ics.outlook_link(dates[0])
    if kind in NON_TRANSACTIONAL:
        values["unsubscribe_link"] = unsubscribe.url_for(registration.client_id,
                                                         registration.subject_id)
    return {name: value for name, value in values.items() if name in allowed}


def compose(registration: Registration, kind: str, *, token: str = "",
            session: Session | None = None, position: int | None = None,
            cancelled_by_participant: bool = True,
            wording: tuple[str, str] | None = None,
            sessions: list[Session] | None = None, known: Known | None = None) -> Composed:
    """The message of ``kind`` for ``registration``. ``wording`` (subject, body) overrides
    the template (a segment message written for this send); ``sessions`` (the confirmed
    ones, in order) and ``known`` spare the reads a batch has done once."""
    known = known or Known()
    language = language_of(registration)
    event = registration.event
    with translation.override(language):
        # The confirmed sessions are read once: for the list, the calendar links and the
        # attachment (it was three times per mail, ~18 % of a registration: issue 9, S2).
        link = access.link_url(token) if token else ""
        dates: list[ics.Occurrence] = []
        if kind in CONFIRMING and link:
            if sessions is None:
                sessions = confirmed_sessions(registration)
            dates = occurrences(registration, link, sessions, known.event_has_sessions)
        values = values_for(registration, kind, token=token, session=session,
                            position=position,
                            cancelled_by_participant=cancelled_by_participant,
                            sessions=sessions, dates=dates, replay=known.replay)
        if wording is None:
            variant = (kind, language, bool(registration.decision_note),
                       bool(values.get("replay_link")))
            wording = known.templates.get(variant)
            if wording is None:
                wording = known.templates[variant] = template(
                    event.client_id, kind, language, note=variant[2], replay=variant[3])
        subject_text, body_text = wording
        composed = Composed(kind=kind, subject=templating.render_subject(subject_text, values),
                            body=templating.render_body(body_text, values),
                            unsubscribe_url=values.get("unsubscribe_link", ""), values=values)
        if dates and values.get("join_link"):
            composed.attachment = Attachment(
                ICS_NAME, "text/calendar",
                ics.calendar(dates, time_zone=event.time_zone, name=event.title))
    return composed


def queue(registration: Registration, composed: Composed, *,
          outbox_kind: str) -> OutboxMessage | None:
    """Queue ``composed`` to the registration's address, in the caller's transaction;
    None when the person is restricted (see messaging.services.queue_email)."""
    return queue_email(subject=registration.subject, to=registration.email,
                       subject_line=composed.subject, body=composed.body, kind=outbox_kind,
                       client_id=registration.client_id, registration=registration,
                       event=registration.event, unsubscribe_url=composed.unsubscribe_url,
                       attachment=composed.attachment)


def sample_values(kind: str, client_name: str) -> dict[str, str]:
    """Made-up values for the organizer's preview (call inside the preview's language)."""
    from django.conf import settings

    start = now().replace(hour=9, minute=0, second=0, microsecond=0) + dt.timedelta(days=7)
    link = settings.SITE_URL + "/j/" + "exemple-de-lien-personnel/"
    sample = ics.Occurrence(uid="sample@livesession", title=_("Sample event"),
                            starts_at=start, ends_at=start + dt.timedelta(hours=1),
                            description="", url=link)
    values = {
        "first_name": "Camille", "last_name": "Martin", "event_title": _("Sample event"),
        "event_start": when(start, "Europe/Paris"),
        "event_end": when(start + dt.timedelta(hours=1), "Europe/Paris"),
        "time_zone": "Europe/Paris", "organizer": client_name, "join_link": link,
        "replay_link": link, "session_title": _("Session 1"), "position": "3",
        "note": _("(the note you write when denying)"),
        "cancelled_by": _("The organizer cancelled it."),
        "sessions": "\n".join([_("Your sessions:"), "- " + _("Session 1") + ": "
                               + when(start, "Europe/Paris")]),
        "google_calendar_link": ics.google_link(sample),
        "outlook_calendar_link": ics.outlook_link(sample),
        "unsubscribe_link": settings.SITE_URL + "/u/exemple/",
    }
    allowed = set(templating.allowed(kind))
    return {name: value for name, value in values.items() if name in allowed}


def preview(client_name: str, kind: str, language: str, subject: str,
            body: str) -> tuple[str, str]:
    """``subject`` and ``body`` rendered with sample values, in ``language``."""
    with translation.override(language):
        values = sample_values(kind, client_name)
        return (templating.render_subject(subject, values),
                templating.render_body(body, values))
