"""Reminders before each start and the follow-up after the end (issue 4 §7).

Rules (docs/messages.md):
- A reminder at offset O (minutes) for a start S is due at T = S − O. It is sent while
  T ≤ now < min(T + O/2, S): a worker that was down catches up, but a reminder is never
  sent after half its lead time has gone (the day-before one up to 12 hours late, the
  one-hour one up to 30 minutes late), nor after the start.
- Only to registrations confirmed at T: someone who registered after the moment received
  the confirmation with the same information, and gets no late reminder.
- Events with sessions are reminded per session, to those holding a place in it.
- The follow-up is due one hour after the last end (``FOLLOWUP_DELAY``), to registrations
  still confirmed: thanks and replay to those who came, the replay to those absent. It is
  not sent more than seven days after the end.
- Reminders are transactional (they serve the registration the person made) and ignore
  unsubscriptions; follow-ups are not, carry an unsubscribe link and respect it.
- Nobody whose processing is restricted (GDPR art. 18, R-10) is reminded or followed up;
  nobody who objects to reminders (art. 21, ``protection.objection``) is reminded. They get
  no ``MessageOnce`` row, so a reminder still in its window goes out once they change their
  mind.
Each message goes through ``once.send_once``: at most once per registration and key.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Max, Q, QuerySet
from django.db.models.functions import Coalesce

from livesession.access.models import Attendance
from livesession.core.clock import now
from livesession.events.models import Event, EventStatus, Session
from livesession.messaging.models import MessageKind as K
from livesession.messaging.models import MessageOnce
from livesession.messaging.once import SENT, send_once
from livesession.messaging.services import MAX_OFFSET_MINUTES
from livesession.protection import keystore, objection, restriction
from livesession.protection.models import ObjectionPurpose
from livesession.registrations.models import Registration, RegistrationStatus, SeatStatus

BATCH = 200
FOLLOWUP_DELAY = dt.timedelta(hours=1)
FOLLOWUP_WINDOW = dt.timedelta(days=7)


@dataclass(frozen=True)
class DueReminder:
    event: Event
    session: Session | None
    offset: int
    moment: dt.datetime  # T = start − offset

    @property
    def start(self) -> dt.datetime:
        return self.session.starts_at if self.session else self.event.starts_at

    @property
    def key(self) -> str:
        session_id = self.session.pk if self.session else 0
        return f"reminder:{session_id}:{self.offset}:{int(self.start.timestamp())}"


def offsets(event: Event) -> list[int]:
    raw = event.reminder_offsets if isinstance(event.reminder_offsets, list) else []
    return [int(v) for v in raw if isinstance(v, int) and 0 < v <= MAX_OFFSET_MINUTES]


def is_due(start: dt.datetime, offset: int, moment: dt.datetime) -> bool:
    at = start - dt.timedelta(minutes=offset)
    return at <= moment < min(at + dt.timedelta(minutes=offset / 2), start)


def due_reminders(moment: dt.datetime | None = None) -> Iterator[DueReminder]:
    moment = moment or now()
    horizon = moment + dt.timedelta(minutes=MAX_OFFSET_MINUTES)
    published = Q(status=EventStatus.PUBLISHED)
    with_sessions = Session.objects.values("event_id")
    for event in (Event.objects.filter(published, starts_at__gt=moment,
                                       starts_at__lte=horizon)
                  .exclude(pk__in=with_sessions).select_related("client")):
        for offset in offsets(event):
            if is_due(event.starts_at, offset, moment):
                yield DueReminder(event, None, offset,
                                  event.starts_at - dt.timedelta(minutes=offset))
    for session in (Session.objects.filter(starts_at__gt=moment, starts_at__lte=horizon,
                                           event__status=EventStatus.PUBLISHED)
                    .select_related("event__client")):
        for offset in offsets(session.event):
            if is_due(session.starts_at, offset, moment):
                yield DueReminder(session.event, session, offset,
                                  session.starts_at - dt.timedelta(minutes=offset))


def reminder_recipients(due: DueReminder) -> QuerySet[Registration]:
    rows = Registration.objects.filter(
        client_id=due.event.client_id, event=due.event, status=RegistrationStatus.CONFIRMED)
    rows = rows.annotate(since=Coalesce("confirmed_at", "created_at")).filter(
        since__lte=due.moment)
    if due.session is not None:
        rows = rows.filter(seats__session=due.session, seats__status=SeatStatus.CONFIRMED)
    return restriction.exclude_restricted(rows).exclude(
        **objection.objecting_filter(ObjectionPurpose.REMINDERS))


def _pending(rows: QuerySet[Registration], client_id: int, key: str
             ) -> QuerySet[Registration]:
    done = MessageOnce.objects.filter(client_id=client_id, key=key).values("registration_id")
    return rows.exclude(pk__in=done).select_related("event__client").order_by("pk")


KindOf = str | Callable[[list[Registration]], dict[Any, str]]


def _drain(rows: QuerySet[Registration], client_id: int, key: str, kind_of: KindOf,
           batch: int, session: Session | None = None) -> int:
    """Send to every pending row, a batch per query, each in its own transaction; a crash
    between batches leaves the rest for the next run."""
    sent = 0
    while True:
        chunk = list(_pending(rows, client_id, key)[:batch])
        if not chunk:
            return sent
        with keystore.unit_of_work():
            keystore.preload({r.subject_id for r in chunk})
            kinds = kind_of(chunk) if not isinstance(kind_of, str) else {
                r.pk: kind_of for r in chunk}
            for registration in chunk:
                kind = kinds[registration.pk]
                if send_once(registration, key, kind, outbox_kind=kind,
                             session=session) == SENT:
                    sent += 1


def send_reminders(*, batch: int = BATCH) -> int:
    sent = 0
    for due in due_reminders():
        sent += _drain(reminder_recipients(due), due.event.client_id, due.key, K.REMINDER,
                       batch, due.session)
    return sent


# --- follow-ups ----------------------------------------------------------------------------

def last_end(event: Event) -> dt.datetime:
    latest = Session.objects.filter(event=event).aggregate(m=Max("ends_at"))["m"]
    return max(event.ends_at, latest) if latest else event.ends_at


def due_followups(moment: dt.datetime | None = None) -> Iterator[Event]:
    moment = moment or now()
    ready, oldest = moment - FOLLOWUP_DELAY, moment - FOLLOWUP_DELAY - FOLLOWUP_WINDOW
    candidates = Event.objects.filter(
        Q(ends_at__gt=oldest) | Q(sessions__ends_at__gt=oldest),
        followup_enabled=True, status__in=[EventStatus.PUBLISHED, EventStatus.CLOSED],
    ).distinct().select_related("client")
    for event in candidates:
        if oldest < last_end(event) <= ready:
            yield event


def _followup_kinds(chunk: list[Registration]) -> dict[Any, str]:
    came = set(Attendance.objects.filter(registration_id__in=[r.pk for r in chunk])
               .values_list("registration_id", flat=True))
    return {r.pk: K.FOLLOWUP_ATTENDED if r.pk in came else K.FOLLOWUP_ABSENT for r in chunk}


def send_followups(*, batch: int = BATCH) -> int:
    sent = 0
    for event in due_followups():
        rows = restriction.exclude_restricted(Registration.objects.filter(
            client_id=event.client_id, event=event, status=RegistrationStatus.CONFIRMED))
        sent += _drain(rows, event.client_id, "followup", _followup_kinds, batch)
    return sent
