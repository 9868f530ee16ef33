"""S4's reference (brief E), inside Django: the figures of one event and of a client's
dashboard computed with plain SQL written here (not the analytics code), timed warm; and
the query plans of the analytics code's own statements.

The reference is the minimal SQL that gives the figures the endpoints show: registrations
per status and UTC hour (turned into local days or weeks in Python, a few hundred
buckets), attendance rows per measured flag and whole minute (buckets and medians in
Python), and the registrations present but not confirmed now. Left-out people (restricted,
objecting to statistics) are excluded in the SQL itself (the analytics code subtracts them
instead: two methods, one answer). Events here have no sessions: one attendance row is one
person, so "present" is a row count.
"""

from __future__ import annotations

import datetime as dt
import itertools
import statistics
import time
import zoneinfo
from collections import Counter, defaultdict
from typing import Any

BUCKETS = (0, 5, 15, 30, 60, 120)


def _sql(pg: bool, event_filter: str, per_event: bool, exclude: bool = True) -> list[str]:
    """The reference statements; ``exclude=False``: the same GROUP BYs over every row
    (the raw SQL whose time is the yardstick: the anchors' raw queries, no left-out
    people; the analytics code subtracts those in a second, small pass)."""
    hour = ("to_char(r.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24')" if pg
            else "substr(r.created_at, 1, 13)")
    if not exclude:
        hour = "date_trunc('hour', r.created_at)" if pg else hour
    left_out = ("r.subject_id NOT IN (SELECT s.id FROM protection_subject s "
                "WHERE s.client_id = %(client)s AND s.restricted_at IS NOT NULL) "
                "AND r.subject_id NOT IN (SELECT o.subject_id FROM protection_objection o "
                "WHERE o.purpose = 'statistics' AND o.withdrawn_at IS NULL)")
    left_out_att = ("a.registration_id NOT IN (SELECT r.id FROM registrations_registration r "
                    "WHERE r.client_id = %(client)s AND r.subject_id IN ("
                    "SELECT s.id FROM protection_subject s WHERE s.client_id = %(client)s "
                    "AND s.restricted_at IS NOT NULL UNION SELECT o.subject_id "
                    "FROM protection_objection o WHERE o.purpose = 'statistics' "
                    "AND o.withdrawn_at IS NULL))")
    if not exclude:
        left_out = left_out_att = "1 = 1"
    ev = "r.event_id, " if per_event else ""
    eva = "a.event_id, " if per_event else ""
    return [
        f"SELECT {ev}r.status, {hour}, COUNT(*) FROM registrations_registration r "  # noqa: S608 - fixed text of this module
        f"WHERE r.client_id = %(client)s AND r.event_id {event_filter} AND {left_out} "
        f"GROUP BY {ev}r.status, {hour}",
        f"SELECT {eva}a.presence_measured, a.seconds_present / 60, COUNT(*) "  # noqa: S608 - same
        f"FROM access_attendance a WHERE a.client_id = %(client)s "
        f"AND a.event_id {event_filter.replace('r.', 'a.')} AND {left_out_att} "
        f"GROUP BY {eva}a.presence_measured, a.seconds_present / 60",
        "SELECT COUNT(*) FROM registrations_registration r "  # noqa: S608 - same
        f"WHERE r.client_id = %(client)s AND r.event_id {event_filter} AND {left_out} "
        "AND r.status <> 'confirmed' AND EXISTS (SELECT 1 FROM access_attendance a "
        "WHERE a.registration_id = r.id)",
    ]


def _median(hist: Counter[int]) -> float | None:
    size = sum(hist.values())
    if not size:
        return None
    ordered: list[int] = []
    for minute in sorted(hist):
        ordered += [minute] * hist[minute]
    return float(statistics.median(ordered))


def _run(statements: list[str], params: dict[str, Any], repeat: int
         ) -> tuple[list[list[tuple[Any, ...]]], list[float]]:
    """Each statement once (warm-up), then the set ``repeat`` times: rows, ms per set."""
    from django.db import connection, transaction

    def once() -> list[list[tuple[Any, ...]]]:
        out = []
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql, params)
                out.append(list(cursor.fetchall()))
        return out

    with transaction.atomic():  # PostgreSQL: no JIT for these either (as the app)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        rows = once()
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL jit = off")
            once()
        times.append((time.perf_counter() - began) * 1000)
    return rows, times


def _local(hour_text: str, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    return dt.datetime.strptime(hour_text[:13], "%Y-%m-%d %H").replace(
        tzinfo=dt.UTC).astimezone(zone).replace(tzinfo=None)


def _durations(hist: Counter[tuple[bool, int]]) -> dict[str, Any]:
    measured = Counter({m: n for (flag, m), n in hist.items() if flag})
    bounds: tuple[int | None, ...] = (*BUCKETS, None)
    buckets: list[dict[str, Any]] = []
    for low, high in itertools.pairwise(bounds):
        start = int(low or 0)
        buckets.append({"from_minutes": start, "to_minutes": high,
                        "count": sum(n for m, n in measured.items()
                                     if m >= start and (high is None or m < high))})
    return {"buckets": buckets, "measured": sum(measured.values()),
            "unmeasured": sum(n for (flag, _m), n in hist.items() if not flag),
            "median_minutes": _median(measured)}


def event_reference(event_id: str, repeat: int = 20) -> dict[str, Any]:
    """The event's figures by plain SQL, and the time of that SQL (ms per run)."""
    from django.db import connection

    from livesession.events.models import Event

    event = Event.objects.get(pk=event_id)
    pg = connection.vendor == "postgresql"
    statements = _sql(pg, "= %(event)s", per_event=False)
    params = {"client": event.client_id, "event": event.pk if pg else event.pk.hex}
    (regs, atts, others), _once = _run(statements, params, 0)
    _rows, times = _run(_sql(pg, "= %(event)s", per_event=False, exclude=False), params,
                        repeat)
    zone = zoneinfo.ZoneInfo(event.time_zone)
    statuses: Counter[str] = Counter()
    days: Counter[str] = Counter()
    for status, hour, n in regs:
        statuses[status] += n
        days[_local(hour, zone).date().isoformat()] += n
    hist: Counter[tuple[bool, int]] = Counter()
    for flag, minute, n in atts:
        hist[(bool(flag), int(minute))] += n
    present = sum(hist.values())
    confirmed = statuses.get("confirmed", 0)
    measured = Counter({m: n for (flag, m), n in hist.items() if flag})
    return {
        "figures": {
            "conversion": {"received": sum(statuses.values()), "confirmed": confirmed,
                           "registered": confirmed + others[0][0], "present": present},
            "durations": _durations(hist),
            "days": dict(days),
            "rows": [{"registered": confirmed, "present": present,
                      "median_minutes": _median(measured)}]},
        "ms": times, "statements": len(statements)}


def client_reference(client_slug: str, start: str, end: str, repeat: int = 20
                     ) -> dict[str, Any]:
    """The dashboard's figures (events starting from ``start`` to ``end``, local dates of
    the platform's time zone) by plain SQL, and its time."""
    from django.conf import settings
    from django.db import connection

    from livesession.core.models import Client

    client = Client.objects.get(slug=client_slug)
    pg = connection.vendor == "postgresql"
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    lower = dt.datetime.combine(dt.date.fromisoformat(start), dt.time.min, zone)
    upper = dt.datetime.combine(dt.date.fromisoformat(end) + dt.timedelta(days=1),
                                dt.time.min, zone)
    if not pg:
        lower, upper = (x.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")  # type: ignore[assignment]  # SQLite compares text
                        for x in (lower, upper))
    in_range = ("IN (SELECT e.id FROM events_event e WHERE e.client_id = %(client)s "
                "AND e.starts_at >= %(lower)s AND e.starts_at < %(upper)s)")
    statements = _sql(pg, in_range, per_event=True)
    params = {"client": client.pk, "lower": lower, "upper": upper}
    (regs, atts, others), _once = _run(statements, params, 0)
    _rows, times = _run(_sql(pg, in_range, per_event=True, exclude=False), params, repeat)
    statuses: Counter[str] = Counter()
    days: Counter[str] = Counter()
    confirmed: Counter[str] = Counter()
    for event_id, status, hour, n in regs:
        statuses[status] += n
        days[_local(hour, zone).date().isoformat()] += n
        if status == "confirmed":
            confirmed[_uuid(event_id)] += n
    hist: Counter[tuple[bool, int]] = Counter()
    per_event: dict[str, Counter[int]] = defaultdict(Counter)
    present: Counter[str] = Counter()
    for event_id, flag, minute, n in atts:
        hist[(bool(flag), int(minute))] += n
        present[_uuid(event_id)] += n
        if flag:
            per_event[_uuid(event_id)][int(minute)] += n
    events = sorted(set(confirmed) | set(present))
    return {
        "figures": {
            "conversion": {"received": sum(statuses.values()),
                           "confirmed": statuses.get("confirmed", 0),
                           "registered": statuses.get("confirmed", 0) + others[0][0],
                           "present": sum(present.values())},
            "durations": _durations(hist),
            "days": dict(days),
            "events": {e: {"registered": confirmed.get(e, 0), "present": present.get(e, 0),
                           "median_minutes": _median(per_event.get(e, Counter()))}
                       for e in events}},
        "ms": times, "statements": len(statements)}


def _uuid(value: Any) -> str:
    import uuid

    return str(value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)))


# --- the analytics code's own statements: plans --------------------------------------------

def plans(event_id: str, client_slug: str, start: str, end: str) -> dict[str, Any]:
    """Run the event's and the dashboard's figures once, capturing every statement on the
    registrations and attendance tables, and EXPLAIN each (PostgreSQL: the plan's scan
    nodes on those tables; SQLite: EXPLAIN QUERY PLAN's SCAN/SEARCH lines)."""
    from django.db import connection

    from livesession.analytics import figures
    from livesession.core.models import Client
    from livesession.events.models import Event

    captured: list[tuple[str, Any]] = []

    def spy(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if not many and ("registrations_registration" in sql or "access_attendance" in sql) \
                and sql.lstrip().upper().startswith("SELECT"):
            captured.append((sql, params))
        return execute(sql, params, many, context)

    out: dict[str, Any] = {}
    for label, work in (
            ("event", lambda: figures.for_event(Event.objects.get(pk=event_id), fill=False)),
            ("client", lambda: figures.for_client(
                Client.objects.get(slug=client_slug), dt.date.fromisoformat(start),
                dt.date.fromisoformat(end), fill=False))):
        captured.clear()
        with connection.execute_wrapper(spy):
            work()
        found = []
        for sql, params in list(captured):
            with connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    cursor.execute("EXPLAIN " + sql, params)
                else:
                    cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
                lines = [" ".join(str(c) for c in row) for row in cursor.fetchall()]
            scans = [ln.strip() for ln in lines
                     if any(w in ln for w in ("Scan", "SCAN", "SEARCH"))]
            found.append({"sql": sql[:160], "scans": scans})
        out[label] = found
    return out


def seq_scans(found: list[dict[str, Any]]) -> list[str]:
    """Plan lines reading a whole large table (PostgreSQL Seq Scan, SQLite SCAN without an
    index) on registrations or attendance."""
    bad = []
    for item in found:
        for line in item["scans"]:
            big = "registrations_registration" in line or "access_attendance" in line
            whole = "Seq Scan" in line or (line.startswith("SCAN") and "INDEX" not in line)
            if big and whole:
                bad.append(line)
    return bad
