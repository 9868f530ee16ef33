"""Per-event counts kept up to date, so that a page reads one row per event instead of every
registration and attendance row (issue 9, S4), with figures still equal to the raw rows at
the moment of the view.

An event's ``EventRollup`` holds its counts over every row, nobody left out yet: received
per status and per UTC quarter hour (and per platform-local day, for the dashboard), rows
per (session, measured, whole minute) of presence, people present, people present but not
confirmed now. A page adds what the counts cannot hold yet and takes the left-out people
away (``analytics.population``), each read on a narrow index:

* **New registrations** are counted live: the rollup holds those created before its
  ``cutoff`` (a quarter hour at least ``INSERT_MARGIN`` before it was read), the page adds
  the ones created since, read by a range of the (client, event, status, created_at) index.
  Inserting a registration (the S2 rush) writes nothing more.
* **Status changes and deletions** (a registration's status, creation time or event
  changed; registrations or attendance rows deleted, by a service, an erasure, a purge or
  a cascade) set the rollup's ``dirty`` flag in their own transaction, through database
  triggers (``triggers.py``): whatever code writes them, nothing can be missed. The
  rollup is then read again.
* **Attendance** is written only while the room is open (``access``: the join and the
  heartbeat refuse outside the event's or session's window). Its counts are used only when
  no open window, widened by ``GRACE`` for requests in flight, met the time between the
  reading and now, and the windows are still those read; otherwise (a live event, a
  reschedule) the attendance figures are read from the rows, as before. Nothing is added to
  the join.
* **Left-out people** (restricted, objecting) are taken away at every view from their own
  rows (``population.excluded_registration_ids``): they disappear at once, as before.

A rollup missing or out of date is read again on the page view that needs it (the cost of
one view before this module) and, for recent events, by the periodic job (``jobs.py``).
"""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import BigIntegerField, Count, Exists, F, Func, OuterRef, Q, QuerySet

from livesession.access.models import Attendance
from livesession.analytics import triggers
from livesession.analytics.models import EventRollup
from livesession.analytics.population import chunks, tenant_filter
from livesession.core.clock import now
from livesession.events.models import Event, Session
from livesession.registrations.models import Registration, RegistrationStatus

QUARTER = 900  # seconds: every time zone's offset is a multiple of a quarter hour
# A registration's creation time is taken in its transaction, which commits within
# milliseconds: one created more than this before a reading is in it.
INSERT_MARGIN = dt.timedelta(minutes=5)
# A join or heartbeat that found the room open may write a little after it closes.
GRACE = dt.timedelta(minutes=5)
ALL_STATUSES = list(RegistrationStatus.values)
NOT_CONFIRMED = [st for st in ALL_STATUSES if st != RegistrationStatus.CONFIRMED]

Cell = tuple[int, bool, int]  # (session key, presence measured, whole minutes)


class _Quarter(Func):
    """The UTC quarter hour of a timestamp, as an integer (seconds since 1970 / 900), in
    the database's own functions (Django's tz-aware truncation runs Python per row on
    SQLite)."""

    output_field = BigIntegerField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return self.as_sql(compiler, connection, template=(
            f"FLOOR(EXTRACT(EPOCH FROM %(expressions)s) / {QUARTER})::bigint"),
            **extra_context)

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return self.as_sql(compiler, connection, template=(
            f"(CAST(strftime('%%%%s', %(expressions)s) AS INTEGER) / {QUARTER})"),
            **extra_context)


@dataclass
class Counts:
    """One event's counts (over every row, or over some registrations only)."""

    statuses: Counter[str] = field(default_factory=Counter)
    quarters: Counter[int] = field(default_factory=Counter)  # UTC quarter -> received
    cells: Counter[Cell] = field(default_factory=Counter)
    present: int = 0  # distinct registrations with an attendance row
    others: int = 0  # of them, not confirmed now

    def add(self, other: Counts, sign: int = 1) -> None:
        for mine, theirs in ((self.statuses, other.statuses), (self.quarters, other.quarters),
                             (self.cells, other.cells)):
            for key, n in theirs.items():
                mine[key] += sign * n  # type: ignore[index]
        self.present += sign * other.present
        self.others += sign * other.others

    def positive(self) -> Counts:
        """Without the empty groups (the figures list only groups that hold someone)."""
        return Counts(Counter({k: n for k, n in self.statuses.items() if n > 0}),
                      Counter({k: n for k, n in self.quarters.items() if n > 0}),
                      Counter({k: n for k, n in self.cells.items() if n > 0}),
                      max(self.present, 0), max(self.others, 0))


def _upper(moment: dt.datetime) -> int:
    """The first quarter that starts at least ``INSERT_MARGIN`` after ``moment``."""
    return -(-int((moment + INSERT_MARGIN).timestamp()) // QUARTER)


def quarter_start(q: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(q * QUARTER, dt.UTC)


def local_moments(quarters: Counter[int], zone: zoneinfo.ZoneInfo, *,
                  days: bool) -> Counter[dt.datetime]:
    """Received per local hour (or local day, at midnight) in ``zone``, naive."""
    found: Counter[dt.datetime] = Counter()
    for q, n in quarters.items():
        at = dt.datetime.fromtimestamp(q * QUARTER, zone).replace(tzinfo=None)
        found[at.replace(hour=0 if days else at.hour, minute=0)] += n
    return found


# --- reading counts from the rows ------------------------------------------------------------

def _status_quarters(regs: QuerySet[Registration]) -> dict[Any, Counter[tuple[str, int]]]:
    found: dict[Any, Counter[tuple[str, int]]] = {}
    for row in (regs.values("event_id", "status", q=_Quarter("created_at"))
                .annotate(n=Count("*")).order_by()):
        found.setdefault(row["event_id"], Counter())[(row["status"], int(row["q"]))] += row["n"]
    return found


def _registrations(regs: QuerySet[Registration], into: dict[Any, Counts]) -> None:
    for event_id, groups in _status_quarters(regs).items():
        counts = into.setdefault(event_id, Counts())
        for (status, q), n in groups.items():
            counts.statuses[status] += n
            counts.quarters[q] += n


def _others_quarters(regs: QuerySet[Registration]) -> dict[Any, Counter[int]]:
    """Present but not confirmed now (came, then cancelled), per quarter of registration:
    the few non-confirmed rows (an IN list of statuses reads them from the index) probed in
    the attendance index."""
    came = Attendance.objects.filter(registration_id=OuterRef("pk"))
    found: dict[Any, Counter[int]] = {}
    for row in (regs.filter(status__in=NOT_CONFIRMED).filter(Exists(came))
                .values("event_id", q=_Quarter("created_at")).annotate(n=Count("*"))
                .order_by()):
        found.setdefault(row["event_id"], Counter())[int(row["q"])] += row["n"]
    return found


def _others(regs: QuerySet[Registration], into: dict[Any, Counts]) -> None:
    for event_id, per in _others_quarters(regs).items():
        into.setdefault(event_id, Counts()).others += sum(per.values())


def _attendance(atts: QuerySet[Attendance], into: dict[Any, Counts], *,
                distinct_always: bool = False) -> None:
    rows = (atts.values("event_id", "session_key", "presence_measured",
                        minute=F("seconds_present") / 60)
            .annotate(n=Count("*")).order_by())
    sessions: dict[Any, set[int]] = {}
    for row in rows:
        counts = into.setdefault(row["event_id"], Counts())
        counts.cells[(int(row["session_key"]), bool(row["presence_measured"]),
                      int(row["minute"]))] += row["n"]
        sessions.setdefault(row["event_id"], set()).add(int(row["session_key"]))
    # Without sessions (key 0 only) a row is a person: the rows counted give the people.
    by_rows = {e for e, keys in sessions.items() if keys <= {0} and not distinct_always}
    for event_id in by_rows:
        into[event_id].present += sum(into[event_id].cells.values())
    rest = {e for e in sessions if e not in by_rows}
    if rest:
        # The same rows (no narrower filter: on SQLite it would pick the tenant's index).
        for group in (atts.values("event_id")
                      .annotate(n=Count("registration_id", distinct=True)).order_by()):
            if group["event_id"] in rest:
                into[group["event_id"]].present += group["n"]


def left_out(client_id: int, event_ids: Sequence[Any],
             excluded: Sequence[uuid.UUID]) -> dict[Any, Counts]:
    """The same counts over the left-out registrations only, read from their rows."""
    found: dict[Any, Counts] = {}
    for part in chunks(excluded):
        regs = Registration.objects.filter(pk__in=list(part)).filter(
            tenant_filter(client_id, event_ids))
        atts = Attendance.objects.filter(registration_id__in=list(part)).filter(
            tenant_filter(client_id, event_ids))
        _registrations(regs, found)
        _others(regs, found)
        _attendance(atts, found, distinct_always=True)
    return found


# --- the rollup row ------------------------------------------------------------------------

def windows(event: Event, sessions: Sequence[Session]) -> list[list[str]]:
    """When attendance may be written: the event's and each session's open window (the
    join and the heartbeat accept nothing outside them)."""
    found = [[event.opens_at.isoformat(), event.ends_at.isoformat()]]
    for s in sessions:
        s.event = event  # opens_at reads the event's opening minutes
        found.append([s.opens_at.isoformat(), s.ends_at.isoformat()])
    return sorted(found)


def quiet(spans: list[list[str]], since: dt.datetime, until: dt.datetime) -> bool:
    """No attendance could have been written between ``since`` and ``until``."""
    for opens, ends in spans:
        if (dt.datetime.fromisoformat(opens) - GRACE <= until
                and dt.datetime.fromisoformat(ends) + GRACE >= since):
            return False
    return True


@contextmanager
def no_jit() -> Iterator[None]:
    """PostgreSQL's JIT compiles a large aggregate for 100 ms and more before it runs for
    less: off for the analytics queries only (SET LOCAL, inside their own transaction)."""
    if connection.vendor != "postgresql":
        # Not on SQLite: its transactions are IMMEDIATE here, a read would hold the write lock.
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        yield


_TRIGGERS: dict[str, bool] = {}


def triggers_in_place() -> bool:
    """Checked once per process and database (see ``triggers.missing``)."""
    if connection.alias not in _TRIGGERS:
        _TRIGGERS[connection.alias] = not triggers.missing(connection)
    return _TRIGGERS[connection.alias]


def _stored(row: EventRollup, *, quarters: bool) -> Counts:
    data = row.counts or {}
    return Counts(
        Counter(data.get("s", {})),
        Counter({int(q): n for q, n in data.get("q", {}).items()} if quarters else {}),
        Counter({(int(k), bool(m), int(mi)): n for k, m, mi, n in data.get("m", [])}),
        int(data.get("p", 0)), int(data.get("o", 0)))


def _days(row: EventRollup) -> Counter[dt.datetime]:
    return Counter({dt.datetime.fromisoformat(d): n for d, n in (row.counts or {})
                    .get("d", {}).items()})


def build(event: Event, sessions: Sequence[Session]) -> EventRollup:
    """Read the event's counts from its rows and store them (one page view's cost)."""
    try:
        with transaction.atomic():
            EventRollup.objects.get_or_create(event_id=event.pk,
                                              defaults={"client_id": event.client_id})
    except IntegrityError:
        pass  # created meanwhile by another reading: it is there
    # Clear the flag first, then read the rows: a change the triggers report from now on
    # sets it again. PostgreSQL: the exclusive lock waits for the transactions whose
    # trigger already ran (they hold it shared) to end, so their rows are read as changed.
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s::text))",
                               [triggers.LOCK_CLASS, str(event.pk)])
        EventRollup.objects.filter(event_id=event.pk).update(dirty=False)
    moment = now()
    cutoff = quarter_start(int((moment - INSERT_MARGIN).timestamp()) // QUARTER)
    upper = _upper(moment)
    found: dict[Any, Counts] = {}
    # Registrations created before the cutoff, and those stamped after ``upper`` (no
    # service stamps one in the future, but data written by other means may be): the
    # ones between are counted live (``_add_recent``), which also finds the new ones.
    regs = Registration.objects.filter(client_id=event.client_id, event_id=event.pk).filter(
        Q(created_at__lt=cutoff) | Q(created_at__gte=quarter_start(upper)))
    with no_jit():
        groups = _status_quarters(regs).get(event.pk, Counter())
        others = _others_quarters(regs).get(event.pk, Counter())
        _attendance(Attendance.objects.filter(client_id=event.client_id, event_id=event.pk),
                    found)
    counts = found.get(event.pk, Counts())
    for (status, q), n in groups.items():
        counts.statuses[status] += n
        counts.quarters[q] += n
    counts.others = sum(others.values())
    platform = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    data = {
        "s": dict(counts.statuses),
        "q": {str(q): n for q, n in counts.quarters.items()},
        "d": {at.isoformat(): n for at, n in
              local_moments(counts.quarters, platform, days=True).items()},
        "m": [[k, int(m), mi, n] for (k, m, mi), n in sorted(counts.cells.items())],
        "p": counts.present, "o": counts.others,
        # The band stamped after ``upper``, kept apart: once the clock passes its
        # quarters, the live count finds these rows too and takes them off.
        "u": upper,
        "f": [[st, q, n] for (st, q), n in sorted(groups.items()) if q >= upper],
        "fo": [[q, n] for q, n in sorted(others.items()) if q >= upper],
    }
    spans = windows(event, sessions)
    EventRollup.objects.filter(event_id=event.pk).update(
        built_at=moment, cutoff=cutoff, windows=spans,
        zone=settings.TIME_ZONE, counts=data)
    return EventRollup.objects.get(event_id=event.pk)


def _registrations_hold(row: EventRollup | None) -> bool:
    return (row is not None and not row.dirty and row.built_at is not None
            and row.cutoff is not None and row.zone == settings.TIME_ZONE)


def _attendance_holds(row: EventRollup, spans: list[list[str]], moment: dt.datetime) -> bool:
    assert row.built_at is not None  # noqa: S101 - checked by _registrations_hold first
    return row.windows == spans and quiet(spans, row.built_at, moment)


@dataclass
class Totals:
    """Every row's counts per event (nobody left out yet), with per-day received for the
    dashboard, and how they were read (for the bench and the tests)."""

    per_event: dict[Any, Counts]
    days: dict[Any, Counter[dt.datetime]]
    read: Counter[str] = field(default_factory=Counter)  # rollup / built / live attendance


def totals(client_id: int, events: Sequence[Event], sessions: dict[Any, list[Session]], *,
           hours: bool = True) -> Totals:
    """Every row's counts of ``events`` (of ``client_id``): from the rollups, read again
    where they no longer hold, plus the registrations created since, plus the attendance
    read live where it may have changed since. ``hours``: the stored quarters too (an
    event's page; the dashboard reads the stored days)."""
    moment = now()
    platform = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    if not triggers_in_place():
        return _from_rows(client_id, [e.pk for e in events], platform)
    rows = {r.event_id: r for r in EventRollup.objects.filter(
        client_id=client_id, event_id__in=[e.pk for e in events])}
    result = Totals({}, {})
    live_attendance: list[Any] = []
    for event in events:
        spans = windows(event, sessions.get(event.pk, []))
        row = rows.get(event.pk)
        rebuild = not _registrations_hold(row)
        if not rebuild and row is not None and not _attendance_holds(row, spans, moment):
            # Attendance may have changed: read again once it cannot any more.
            rebuild = quiet(spans, moment, moment)
        if rebuild:
            row = build(event, sessions.get(event.pk, []))
            result.read["built"] += 1
        else:
            result.read["rollup"] += 1
        assert row is not None and row.built_at is not None  # noqa: S101 - built above
        counts = _stored(row, quarters=hours)
        if not _attendance_holds(row, spans, max(moment, row.built_at)):
            counts.cells, counts.present, counts.others = Counter(), 0, 0
            live_attendance.append(event.pk)
        rows[event.pk] = row
        result.per_event[event.pk] = counts
        result.days[event.pk] = _days(row)
    with no_jit():
        _add_recent(client_id, rows, live_attendance, result, platform)
        if live_attendance:
            read = _from_rows(client_id, live_attendance, platform, registrations=False)
            for event_id in live_attendance:
                mine, theirs = result.per_event[event_id], read.per_event.get(event_id, Counts())
                mine.cells, mine.present, mine.others = theirs.cells, theirs.present, theirs.others
            result.read["live attendance"] += len(live_attendance)
    return result


def _from_rows(client_id: int, event_ids: list[Any], platform: zoneinfo.ZoneInfo, *,
               registrations: bool = True) -> Totals:
    """The same counts read from the rows (what every view did before the rollups)."""
    found: dict[Any, Counts] = {}
    with no_jit():
        regs = Registration.objects.filter(client_id=client_id, event_id__in=event_ids)
        if registrations:
            _registrations(regs, found)
        _others(regs, found)
        _attendance(Attendance.objects.filter(client_id=client_id, event_id__in=event_ids),
                    found)
    days = {e: local_moments(c.quarters, platform, days=True) for e, c in found.items()}
    return Totals(found, days, Counter({"rows": len(event_ids)}))


def _add_recent(client_id: int, rows: dict[Any, EventRollup], live_attendance: list[Any],
                result: Totals, platform: zoneinfo.ZoneInfo) -> None:
    """Registrations created since each rollup's cutoff (quarters are aligned on it), up to
    now; minus, in the quarters past the rollup's ``upper``, the rows it already holds."""
    since = min((r.cutoff for r in rows.values() if r.cutoff is not None), default=None)
    if since is None:
        return
    first, upper, band, band_others = {}, {}, {}, {}
    for event_id, row in rows.items():
        if row.cutoff is None:
            continue
        first[event_id] = int(row.cutoff.timestamp()) // QUARTER
        data = row.counts or {}
        upper[event_id] = int(data.get("u", 0)) or None
        band[event_id] = Counter({(st, int(q)): n for st, q, n in data.get("f", [])})
        band_others[event_id] = Counter({int(q): n for q, n in data.get("fo", [])})
    until = quarter_start(_upper(now()))
    recent = Registration.objects.filter(client_id=client_id, event_id__in=list(first),
                                         status__in=ALL_STATUSES, created_at__gte=since,
                                         created_at__lt=until)

    def new(event_id: Any, q: int, n: int, held: Counter[Any], key: Any) -> int:
        if q < first[event_id]:
            return 0  # in the rollup (an earlier cutoff read this quarter)
        top = upper[event_id]
        return n - held.get(key, 0) if top is not None and q >= top else n

    added: dict[Any, Counts] = {}
    for event_id, groups in _status_quarters(recent).items():
        for (status, q), n in groups.items():
            if count := new(event_id, q, n, band[event_id], (status, q)):
                mine = added.setdefault(event_id, Counts())
                mine.statuses[status] += count
                mine.quarters[q] += count
    fresh = [e for e in first if e not in live_attendance]
    if fresh:
        # Present but not confirmed, among these registrations only.
        for event_id, per in _others_quarters(recent.filter(event_id__in=fresh)).items():
            for q, n in per.items():
                if count := new(event_id, q, n, band_others[event_id], q):
                    added.setdefault(event_id, Counts()).others += count
    for event_id, mine in added.items():
        result.per_event[event_id].add(mine)
        result.days[event_id].update(local_moments(mine.quarters, platform, days=True))


REFRESH_AFTER = dt.timedelta(minutes=10)


def refresh(limit: int = 200) -> int:
    """The worker's pass (``jobs.py``): read again the rollups that no longer hold (dirty),
    and those of events still running or just over, so that the registrations a view
    counts live stay a few minutes' worth. A view reads a missing or dirty one itself."""
    if not triggers_in_place():
        return 0
    moment = now()
    stale = (EventRollup.objects.filter(
        Q(dirty=True) | Q(built_at__lt=moment - REFRESH_AFTER,
                          event__ends_at__gte=moment - dt.timedelta(days=1)))
        .select_related("event").order_by("built_at")[:limit])
    done = 0
    for row in stale:
        build(row.event, list(Session.objects.filter(client_id=row.client_id,
                                                     event_id=row.event_id)))
        done += 1
    return done
