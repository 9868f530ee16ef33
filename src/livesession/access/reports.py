"""Reading attendance (issue 4 §4, §9): per session (or the event without sessions),
who came, who did not, arrivals over time, concurrent use; the export rows.

Read-only, and always through the event (whose client the caller has checked): every
query filters on the event's client as well. "Attended" means an ``Attendance`` row for
that session: the person opened the room through the personal link. Minutes present are
known only for embedded rooms (heartbeats); for redirect rooms only the accesses are.

People whose processing is restricted (GDPR art. 18, R-10) are left out of everything here:
lists, export and figures. People who object to statistics (art. 21, R-11,
``protection.objection``) are left out of the figures (counts, averages, timeline) at once,
and still listed as attendees: the list serves the event itself, not statistics.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from livesession.access.models import Attendance, AttendanceDevice
from livesession.events.models import Event, Session
from livesession.protection import keystore, objection, restriction
from livesession.protection.models import ObjectionPurpose
from livesession.registrations.models import Registration, RegistrationStatus, SeatStatus

BUCKET = dt.timedelta(minutes=5)


def _listed(rows: Any, field: str) -> Any:
    """Without restricted people (R-10): storage only, not in lists nor exports."""
    return restriction.exclude_restricted(rows, field)


def _counted(rows: Any, field: str) -> Any:
    """Statistics input: without restricted people nor those who object to statistics."""
    return _listed(rows, field).exclude(
        **objection.objecting_filter(ObjectionPurpose.STATISTICS, field))


@dataclass(frozen=True)
class Target:
    """One session, or the event itself (key 0) when it has no sessions."""

    key: int
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    opens_at: dt.datetime
    session: Session | None


def targets(event: Event) -> list[Target]:
    sessions = list(Session.objects.filter(event=event, client_id=event.client_id)
                    .order_by("starts_at", "id"))
    if not sessions:
        return [Target(0, event.title, event.starts_at, event.ends_at, event.opens_at, None)]
    for session in sessions:
        session.event = event
    return [Target(s.pk, s.title, s.starts_at, s.ends_at, s.opens_at, s) for s in sessions]


def target(event: Event, key: int) -> Target | None:
    return next((t for t in targets(event) if t.key == key), None)


def expected(event: Event, key: int, *, figures: bool = False) -> QuerySet[Registration]:
    """The registrations expected in the room: confirmed, and for a session, holding a
    confirmed place in it; never the restricted, and for ``figures`` not the objectors."""
    rows = Registration.objects.filter(client_id=event.client_id, event=event,
                                       status=RegistrationStatus.CONFIRMED)
    if key:
        rows = rows.filter(seats__session_id=key, seats__status=SeatStatus.CONFIRMED)
    return _counted(rows, "subject") if figures else _listed(rows, "subject")


def attendances(event: Event, key: int | None = None) -> QuerySet[Attendance]:
    """Attendance rows of the event (or one session), with their number of devices."""
    devices = (AttendanceDevice.objects.filter(registration_id=OuterRef("registration_id"),
                                               session_key=OuterRef("session_key"))
               .values("registration_id").annotate(n=Count("id")).values("n"))
    rows = (_listed(Attendance.objects.filter(client_id=event.client_id, event=event),
                    "registration__subject")
            .select_related("registration")
            .annotate(devices=Coalesce(Subquery(devices), 0)))
    if key is not None:
        rows = rows.filter(session_key=key)
    return rows


def no_shows(event: Event, key: int, *, figures: bool = False) -> QuerySet[Registration]:
    return expected(event, key, figures=figures).exclude(
        pk__in=Attendance.objects.filter(client_id=event.client_id, event=event,
                                         session_key=key).values("registration_id"))


@dataclass(frozen=True)
class Summary:
    target: Target
    expected: int
    attended: int
    no_shows: int
    measured: int  # attendees whose presence was measured (embedded room)
    average_minutes: int | None
    concurrent: int  # attendees whose link was used on several devices at once


def summaries(event: Event) -> list[Summary]:
    found = []
    counts: dict[int, dict[str, Any]] = {row["session_key"]: dict(row) for row in
              _counted(Attendance.objects.filter(client_id=event.client_id, event=event),
                       "registration__subject")
              .values("session_key").annotate(
                  attended=Count("id"),
                  measured=Count("id", filter=Q(presence_measured=True)),
                  concurrent=Count("id", filter=Q(concurrent_uses__gt=0)))}
    seconds = _measured_seconds(event)
    for t in targets(event):
        row = counts.get(t.key, {})
        attended = int(row.get("attended", 0))
        measured = int(row.get("measured", 0))
        total = seconds.get(t.key, 0)
        found.append(Summary(
            target=t, expected=expected(event, t.key, figures=True).count(),
            attended=attended, no_shows=no_shows(event, t.key, figures=True).count(),
            measured=measured,
            average_minutes=round(total / measured / 60) if measured else None,
            concurrent=int(row.get("concurrent", 0))))
    return found


def _measured_seconds(event: Event) -> dict[int, int]:
    return {row["session_key"]: int(row["total"] or 0) for row in
            _counted(Attendance.objects.filter(client_id=event.client_id, event=event,
                                               presence_measured=True),
                     "registration__subject")
            .values("session_key").annotate(total=Sum("seconds_present"))}


@dataclass(frozen=True)
class Bucket:
    starts_at: dt.datetime
    joins: int
    percent: int  # of the largest bucket, for the bar's height


def timeline(event: Event, t: Target) -> list[Bucket]:
    """First accesses per 5-minute bucket, from the opening to the end (later arrivals
    fall in the last bucket)."""
    start = t.opens_at
    count = max(1, int((t.ends_at - start) / BUCKET) + 1)
    joins = [0] * count
    for first in (_counted(Attendance.objects.filter(client_id=event.client_id, event=event,
                                                     session_key=t.key),
                           "registration__subject")
                  .values_list("first_access_at", flat=True)):
        index = min(max(int((first - start) / BUCKET), 0), count - 1)
        joins[index] += 1
    top = max(joins) or 1
    return [Bucket(start + i * BUCKET, n, round(100 * n / top)) for i, n in enumerate(joins)]


# --- Export (CSV, XLSX through registrations/exports.py's writers and guard) -------------

def export_header() -> list[str]:
    return [_("Email"), _("First name"), _("Last name"), _("Session"), _("Attended"),
            _("First access"), _("Last seen"), _("Minutes present"), _("Accesses"),
            _("Devices"), _("Concurrent use")]


def export_rows(event: Event) -> Iterator[list[Any]]:
    """One line per expected participant and session: present ones with their figures,
    absent ones with empty figures. The caller decrypts inside a keystore unit of work."""
    zone = zoneinfo.ZoneInfo(event.time_zone)
    yes, no = _("Yes"), _("No")

    def when(value: dt.datetime | None) -> str:
        return value.astimezone(zone).strftime("%Y-%m-%d %H:%M") if value else ""

    for t in targets(event):
        present = {a.registration_id: a for a in attendances(event, t.key)}
        people = list(expected(event, t.key).order_by("created_at", "id"))
        seen = {p.pk for p in people}
        # Present without a place any more (cancelled after coming) still appear
        # (restricted people are already out of both).
        people += [a.registration for a in present.values() if a.registration_id not in seen]
        keystore.preload(p.subject_id for p in people)  # one keystore query per session
        for person in people:
            row = present.get(person.pk)
            if row is None:
                yield [person.email, person.first_name, person.last_name, t.title, no,
                       "", "", "", 0, 0, ""]
                continue
            yield [person.email, person.first_name, person.last_name, t.title, yes,
                   when(row.first_access_at), when(row.last_seen_at),
                   "" if row.minutes_present is None else row.minutes_present,
                   row.accesses, getattr(row, "devices", 0), yes if row.concurrent_uses else no]


def count_rows(event: Event) -> int:
    return sum(expected(event, t.key).count() for t in targets(event))


def of_registration(registration: Registration) -> list[Attendance]:
    """A participant's own attendance (personal space), with the session for its title."""
    return list(Attendance.objects.filter(registration=registration,
                                          client_id=registration.client_id)
                .select_related("session").order_by("first_access_at"))
