"""The organizer's figures (issue 7 §7), per event and per client, aggregated in SQL.

Definitions (docs/analytics.md says the same to people):

- *Registrations received*: every registration row, whatever its status now, by the local
  date (or hour, for a window of three days or less; week for the client dashboard past
  120 days) of its creation, in the event's time zone (the platform's for a client).
- *Sources*: the referrer's host and the UTM parameters recorded with the registration
  (``analytics.sources``); "none" for the rest. Small groups are suppressed.
- *Conversion*: received; confirmed (holding a place now); *registered* = confirmed, plus
  anyone present whatever their status now (came, then cancelled); *present* = with at least
  one attendance row; the rate is present / registered.
- *Presence duration*: one attendance row (a person in one session), in whole minutes
  present, for measured presence only (embedded rooms); unmeasured rows are counted apart.
- *Per session* (per event on the client dashboard): registered (confirmed places of the
  session; confirmed registrations for an event without sessions), present, median minutes
  of measured presence.
- *Breakdowns*: registrations received, by the normalized value of a field the form
  collects (``analytics.facts``), with small-cell suppression (``analytics.suppression``).

Restricted people and people who object to statistics are left out of all of them
(``analytics.population``). The counts over every row come from the per-event rollups
(``analytics.rollup``: exact at the moment of the view), the rest is a GROUP BY over one
table and an index of it.
"""

from __future__ import annotations

import datetime as dt
import itertools
import statistics
import uuid
import zoneinfo
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, QuerySet

from livesession.analytics import facts as facts_service
from livesession.analytics import rollup, suppression
from livesession.analytics.models import RegistrationFacts, RegistrationSource
from livesession.analytics.population import excluded_registration_ids, net
from livesession.events.models import Event, Session
from livesession.registrations import scope
from livesession.registrations.models import (
    RegistrationStatus,
    SeatStatus,
    SessionSeat,
)

# Presence-duration buckets, in minutes: [0, 5), [5, 15), ... [120, ∞).
BUCKETS = (0, 5, 15, 30, 60, 120)
HOURLY_UP_TO = dt.timedelta(days=3)
WEEKLY_FROM = dt.timedelta(days=120)
DIMENSIONS = {"job_function": "job_function", "city": "city", "postal_code": "department"}
SOURCE_FIELDS = ("referrer_host", "utm_source", "utm_medium", "utm_campaign")
Counts = Counter[tuple[Any, ...]]


@dataclass
class Point:
    start: dt.datetime | dt.date
    count: int


@dataclass
class Timeline:
    granularity: str  # hour, day or week
    points: list[Point]
    total: int


@dataclass
class Conversion:
    received: int
    confirmed: int
    registered: int
    present: int

    @property
    def rate(self) -> float | None:
        return round(self.present / self.registered, 4) if self.registered else None


@dataclass
class Durations:
    buckets: list[tuple[int, int | None, int]]  # (from, to or None, count)
    measured: int
    unmeasured: int
    median_minutes: float | None


@dataclass
class Row:
    """One session of an event, or one event of a client."""

    key: str
    title: str
    starts_at: dt.datetime
    registered: int
    present: int
    median_minutes: float | None


@dataclass
class Figures:
    timeline: Timeline
    sources: dict[str, suppression.Table]
    conversion: Conversion
    durations: Durations
    rows: list[Row]
    breakdowns: dict[str, suppression.Table]
    pending_facts: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


# --- building blocks (each one GROUP BY; ``net`` takes the left-out people away) -----------

def _group(*fields: Any, **named: Any) -> Any:
    def figure(rows: QuerySet[Any]) -> Counts:
        values = rows.values(*fields, **named).annotate(n=Count("*")).order_by()
        keys = [*fields, *named]
        return Counter({tuple(v[k] for k in keys): v["n"] for v in values})
    return figure


@dataclass
class _Received:
    """Registrations received: per status, per local hour (an event) or day (a client)."""

    statuses: Counter[str]
    moments: Counter[dt.datetime]  # local hours (an event) or local days (a client)
    confirmed_per_event: Counter[Any]


def _timeline(received: _Received, *, weekly_allowed: bool) -> Timeline:
    by_hour = received.moments
    total = sum(by_hour.values())
    if not by_hour:
        return Timeline("day", [], 0)
    first, last = min(by_hour), max(by_hour)
    if not weekly_allowed and last - first <= HOURLY_UP_TO:
        points, moment = [], first
        while moment <= last:
            points.append(Point(moment, by_hour.get(moment, 0)))
            moment += dt.timedelta(hours=1)
        return Timeline("hour", points, total)
    by_day: Counter[dt.date] = Counter()
    for moment, n in by_hour.items():
        by_day[moment.date()] += n
    granularity = "day"
    if weekly_allowed and last - first > WEEKLY_FROM:
        granularity = "week"
        weeks: Counter[dt.date] = Counter()
        for day, n in by_day.items():
            weeks[day - dt.timedelta(days=day.weekday())] += n
        by_day = weeks
    step = dt.timedelta(days=7 if granularity == "week" else 1)
    start, end = min(by_day), max(by_day)
    day_points, day = [], start
    while day <= end:
        day_points.append(Point(day, by_day.get(day, 0)))
        day += step
    return Timeline(granularity, day_points, total)


def _sources(srcs: QuerySet[RegistrationSource], excluded: Sequence[uuid.UUID],
             received: int) -> dict[str, suppression.Table]:
    combos = net(_group(*SOURCE_FIELDS), srcs, excluded)
    tables = {}
    for i, name in enumerate(SOURCE_FIELDS):
        per: Counter[str] = Counter()
        for key, n in combos.items():
            per[str(key[i] or "")] += n
        given = sum(n for value, n in per.items() if value)
        per[suppression.NONE] = max(received - given, 0)
        tables[name] = suppression.suppress(sorted(per.items()))
    return tables


def _median(hist: Counter[int]) -> float | None:
    """The median of whole minutes, from counts per minute."""
    size = sum(hist.values())
    if not size:
        return None
    wanted = [(size - 1) // 2, size // 2]
    found: list[int] = []
    seen = 0
    for minute in sorted(hist):
        nxt = seen + hist[minute]
        found += [minute for w in wanted if seen <= w < nxt]
        seen = nxt
    return float(statistics.mean(found))


def _durations(cells: Counts) -> tuple[Durations, dict[Any, Counter[int]], Counter[Any]]:
    """From counts per (group, measured, minute): the distribution, the histogram of
    measured minutes per group, and the rows per group."""
    per_group: dict[Any, Counter[int]] = {}
    rows_per_group: Counter[Any] = Counter()
    unmeasured = 0
    everything: Counter[int] = Counter()
    for (group, measured, minute), n in cells.items():
        rows_per_group[group] += n
        if not measured:
            unmeasured += n
            continue
        per_group.setdefault(group, Counter())[int(minute)] += n
        everything[int(minute)] += n
    buckets = []
    bounds = (*BUCKETS, None)
    for low, high in itertools.pairwise(bounds):
        count = sum(n for m, n in everything.items()
                    if m >= int(low or 0) and (high is None or m < high))
        buckets.append((int(low or 0), high, count))
    return (Durations(buckets=buckets, measured=sum(everything.values()), unmeasured=unmeasured,
                      median_minutes=_median(everything)), per_group, rows_per_group)


def _breakdowns(facts: QuerySet[RegistrationFacts], excluded: Sequence[uuid.UUID],
                fields: Sequence[str]) -> dict[str, suppression.Table]:
    tables = {}
    for key in fields:
        column = DIMENSIONS[key]
        counts = net(_group(column), facts.filter(**{f"{column}__isnull": False}), excluded)
        tables[key] = suppression.suppress((str(k[0] or ""), n) for k, n in counts.items())
    return tables


# --- one event ------------------------------------------------------------------------------

def for_event(event: Event, *, fill: bool = True) -> Figures:
    """Every figure of one event (its client has been checked by the caller)."""
    pending = 0
    fields = [key for key in scope.enabled_keys(event) if key in DIMENSIONS]
    if fields and fill:
        pending = facts_service.fill_missing(event.client_id, [event.pk])
    found = _for_event(event, fields)
    found.pending_facts = pending
    return found


def _whole(client_id: int, events: Sequence[Event], sessions: dict[Any, list[Session]],
           excluded: Sequence[uuid.UUID]) -> tuple[dict[Any, rollup.Counts],
                                                  dict[Any, Counter[dt.datetime]],
                                                  dict[str, int]]:
    """Per event: every row's counts (``analytics.rollup``) minus the left-out people's,
    read from their own rows; the received per platform-local day; how they were read."""
    whole = rollup.totals(client_id, events, sessions, hours=len(events) == 1)
    taken = {}
    if excluded:
        with rollup.no_jit():
            taken = rollup.left_out(client_id, [e.pk for e in events], excluded)
    platform = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    counts, days = {}, {}
    for event in events:
        mine = whole.per_event.get(event.pk, rollup.Counts())
        day = whole.days.get(event.pk, Counter())
        gone = taken.get(event.pk)
        if gone is not None:
            mine.add(gone, -1)
            day = Counter(day)
            day.subtract(rollup.local_moments(gone.quarters, platform, days=True))
        counts[event.pk] = mine.positive()
        days[event.pk] = Counter({d: n for d, n in day.items() if n > 0})
    return counts, days, dict(whole.read)


def _conversion_of(statuses: Counter[str], others: int, present: int) -> Conversion:
    confirmed = statuses.get(RegistrationStatus.CONFIRMED.value, 0)
    return Conversion(received=sum(statuses.values()), confirmed=confirmed,
                      registered=confirmed + others, present=present)


def _for_event(event: Event, fields: list[str]) -> Figures:
    client_id = event.client_id
    zone = zoneinfo.ZoneInfo(event.time_zone)
    excluded = excluded_registration_ids(client_id, [event.pk])
    sessions = list(Session.objects.filter(client_id=client_id, event=event)
                    .order_by("starts_at", "id"))
    found, _per_day, read = _whole(client_id, [event], {event.pk: sessions}, excluded)
    counts = found[event.pk]
    received = _Received(counts.statuses, rollup.local_moments(counts.quarters, zone,
                                                               days=False), Counter())
    timeline = _timeline(received, weekly_allowed=False)
    durations, minutes, attended = _durations(Counter(counts.cells))
    conversion = _conversion_of(counts.statuses, counts.others, counts.present)
    sources = _sources(RegistrationSource.objects.filter(client_id=client_id,
                                                         event_id=event.pk),
                       excluded, conversion.received)
    rows: list[Row] = []
    if sessions:
        seats = net(_group("session_id"), SessionSeat.objects.filter(
            client_id=client_id, session_id__in=[s.pk for s in sessions],
            status=SeatStatus.CONFIRMED), excluded)
        for s in sessions:
            rows.append(Row(str(s.pk), s.title, s.starts_at, seats.get((s.pk,), 0),
                            attended.get(s.pk, 0), _median(minutes.get(s.pk, Counter()))))
    else:
        rows.append(Row("0", event.title, event.starts_at, conversion.confirmed,
                        attended.get(0, 0), _median(minutes.get(0, Counter()))))
    breakdowns = _breakdowns(RegistrationFacts.objects.filter(client_id=client_id,
                                                              event_id=event.pk),
                             excluded, fields)
    return Figures(timeline, sources, conversion, durations, rows, breakdowns,
                   extra={"read": read})


# --- a client's dashboard -------------------------------------------------------------------

def client_events(client: Any, start: dt.date, end: dt.date) -> list[Event]:
    """The client's events starting between ``start`` and ``end`` (local dates, included)."""
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    lower = dt.datetime.combine(start, dt.time.min, zone)
    upper = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, zone)
    return list(Event.objects.filter(client=client, starts_at__gte=lower, starts_at__lt=upper)
                .select_related("client").order_by("starts_at", "id"))


def for_client(client: Any, start: dt.date, end: dt.date, *, fill: bool = True) -> Figures:
    """The dashboard: every figure over the client's events starting in the range."""
    events = client_events(client, start, end)
    # A breakdown over the events whose form collects the field.
    enabled = {e.pk: set(scope.enabled_keys(e)) for e in events}
    fields = [key for key in DIMENSIONS if any(key in keys for keys in enabled.values())]
    pending = 0
    if fields and fill:
        pending = facts_service.fill_missing(client.pk, [e.pk for e in events
                                                         if enabled[e.pk] & set(fields)])
    found = _for_client(client, events, fields)
    found.pending_facts = pending
    return found


def _for_client(client: Any, events: list[Event], fields: list[str]) -> Figures:
    ids = [e.pk for e in events]
    excluded = excluded_registration_ids(client.pk, ids) if ids else []
    sessions: dict[Any, list[Session]] = {}
    for s in Session.objects.filter(client_id=client.pk, event_id__in=ids):
        sessions.setdefault(s.event_id, []).append(s)
    found, days, read = _whole(client.pk, events, sessions, excluded) if ids else ({}, {}, {})
    statuses: Counter[str] = Counter()
    moments: Counter[dt.datetime] = Counter()
    cells: Counts = Counter()
    others = 0
    for event_id, counts in found.items():
        statuses.update(counts.statuses)
        moments.update(days[event_id])
        others += counts.others
        for (_key, measured, minute), n in counts.cells.items():
            cells[(event_id, measured, minute)] += n
    timeline = _timeline(_Received(statuses, moments, Counter()), weekly_allowed=True)
    durations, minutes, _rows = _durations(cells)
    present = {e: c.present for e, c in found.items()}
    conversion = _conversion_of(statuses, others, sum(present.values()))
    sources = _sources(RegistrationSource.objects.filter(client_id=client.pk,
                                                         event_id__in=ids),
                       excluded, conversion.received)
    confirmed = RegistrationStatus.CONFIRMED.value
    rows = [Row(str(e.pk), e.title, e.starts_at, found[e.pk].statuses.get(confirmed, 0),
                present.get(e.pk, 0), _median(minutes.get(e.pk, Counter())))
            for e in events]
    facts = RegistrationFacts.objects.filter(client_id=client.pk, event_id__in=ids)
    breakdowns = _breakdowns(facts, excluded, fields)
    return Figures(timeline, sources, conversion, durations, rows, breakdowns,
                   extra={"events": len(events), "read": read})
