"""S4's dataset (brief E), written in SQL: clients, events, people, registrations and
attendance rows, in a few ``INSERT ... SELECT`` statements over a series of integers (a
recursive CTE on SQLite, ``generate_series`` on PostgreSQL), so millions of rows cost
seconds, not the hours the services would take.

Shape (``size(...)``): ``clients`` clients of ``events_per_client`` events each, every event
with ``per_event`` registrations (1 in 13 cancelled) of which 9 in 10 have an attendance row
(one per person: the events have no sessions; 4 in 5 rows with measured presence), plus one
event of client 0 with ``big`` registrations (200 k attendance rows). A client's people
register to several of its events (one subject per person and client). Events start between
60 days ago and 60 days ahead; registrations arrive over the 30 days before the start.
Three people of each measured client are restricted (GDPR art. 18) and one objects to
statistics, so the figures' subtraction pass runs as it does in production.

What is not the services' output: the sealed columns hold filler text of a realistic width
(nothing here decrypts them: the events' forms collect no breakdown field), people have no
data key, there are no outbox or audit rows. Foreign keys are not checked during the load
(PostgreSQL ``session_replication_role = replica``, SQLite ``foreign_keys`` off): the
statements derive every key from rows they have just written.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

FILLER = "x" * 88  # sealed values are ~100-character texts (nonce + ciphertext, base64)


def size(attendance: int, *, events: int | None = None, per_event: int = 1067,
         big: int = 222_223) -> dict[str, int]:
    """Clients, events and people for about ``attendance`` attendance rows: ~960 rows per
    ordinary event (a 50-event client ~ 48 k rows, the anchors' dashboard), and one event
    with ``big`` registrations (~200 k rows)."""
    per_att = per_event * 9 // 10
    ordinary = events if events is not None else max(50, (attendance - big * 9 // 10) // per_att)
    clients = max(2, ordinary // 50)
    return {"clients": clients, "events_per_client": max(1, ordinary // clients),
            "per_event": per_event, "big": big}


def _series(vendor: str, count: int) -> str:
    """A FROM clause yielding ``i`` = 0 .. count-1."""
    if vendor == "postgresql":
        return f"generate_series(0, {int(count) - 1}) AS n(i)"
    return (f"(WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s "  # noqa: S608 - an integer only
            f"WHERE i < {int(count) - 1}) SELECT i FROM s) n")


def _hexid(vendor: str, kind: int, high: str, low: str) -> str:
    """A deterministic UUID of three integers (kind, high, low) in the database's form."""
    if vendor == "postgresql":
        return (f"(lpad(to_hex({kind}), 8, '0') || lpad(to_hex({high}), 8, '0') "
                f"|| lpad(to_hex({low}::bigint), 16, '0'))::uuid")
    return f"printf('%%08x%%08x%%016x', {kind}, {high}, {low})"


def _plus_seconds(vendor: str, base: str, seconds: str) -> str:
    if vendor == "postgresql":
        return f"({base} + make_interval(secs => {seconds}))"
    return f"strftime('%%Y-%%m-%%d %%H:%%M:%%S', {base}, ({seconds}) || ' seconds')"


def generate(clients: int, events_per_client: int, per_event: int, big: int,
             seed_slug: str = "s4") -> dict[str, Any]:
    """Write the dataset; returns the measured clients, events, API tokens and counts."""
    from django.conf import settings
    from django.db import connection, transaction

    from livesession.api.services import create_token
    from livesession.core.clock import now
    from livesession.core.models import Client
    from livesession.core.services import create_client
    from livesession.events.models import Event
    from livesession.protection.models import controller_key_for

    began = time.perf_counter()
    vendor = connection.vendor
    pg = vendor == "postgresql"
    # The two measured clients go through the services (owner, membership, API token);
    # the others are plain rows.
    big_client = create_client("S4 big", f"owner@{seed_slug}-0.bench.test", slug=f"{seed_slug}-0",
                               actor="bench",
                               owner_password="bench-s4-unused-0").client  # noqa: S106 - a bench account, never signed in
    typical = create_client("S4 typical", f"owner@{seed_slug}-1.bench.test",
                            slug=f"{seed_slug}-1", actor="bench",
                            owner_password="bench-s4-unused-1").client  # noqa: S106 - same
    others = Client.objects.bulk_create([Client(name=f"S4 {k}", slug=f"{seed_slug}-{k}")
                                         for k in range(2, clients)])
    all_clients = [big_client, typical, *others]
    start = now().replace(minute=0, second=0, microsecond=0) - dt.timedelta(days=60)
    span_hours = 120 * 24
    events = []
    for ck, client in enumerate(all_clients):
        for n in range(events_per_client):
            at = start + dt.timedelta(hours=(n * span_hours // events_per_client) + ck % 24)
            events.append(Event(client=client, title=f"S4 event {ck}-{n}", starts_at=at,
                                ends_at=at + dt.timedelta(hours=2), status="published",
                                room_kind="embed", time_zone="Europe/Paris"))
    big_at = start + dt.timedelta(days=59, hours=9)
    big_event = Event(client=big_client, title="S4 big event", starts_at=big_at,
                      ends_at=big_at + dt.timedelta(hours=2), status="published",
                      room_kind="embed", time_zone="Europe/Paris")
    Event.objects.bulk_create([*events, big_event])
    t_setup = time.perf_counter() - began

    q = connection.ops.quote_name
    sub, reg, att = "protection_subject", "registrations_registration", "access_attendance"
    uuid_type = "uuid" if pg else "char(32)"
    ts_type = "timestamptz" if pg else "text"
    counts: dict[str, int] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        if pg:
            cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute("SET LOCAL synchronous_commit = off")
        else:
            cursor.execute("PRAGMA defer_foreign_keys = ON")
        cursor.execute("DROP TABLE IF EXISTS bench_s4_event")
        cursor.execute(f"CREATE TABLE bench_s4_event (k integer PRIMARY KEY, id {uuid_type}, "
                       f"client_id bigint, ck integer, starts_at {ts_type}, controller text)")
        rows = []
        for k, event in enumerate(events):
            ck = k // events_per_client
            rows.append((k, event.pk if pg else event.pk.hex, event.client_id, ck,
                         _db_time(event.starts_at, pg),
                         controller_key_for(event.client_id)))
        cursor.executemany("INSERT INTO bench_s4_event VALUES (%s, %s, %s, %s, %s, %s)", rows)
        created = _db_time(start, pg)
        # People: per client, ``per_event`` subjects (client 0: ``big`` of them).
        sid = _hexid(vendor, 1, "c.ck", f"(n.i %% {per_event})")
        cursor.execute(
            f"INSERT INTO {q(sub)} (id, controller, client_id, email_index, created_at, "  # noqa: S608 - names and integers of this module
            f"restricted_source) SELECT {sid}, c.controller, c.client_id, "
            f"{sid}{'::text' if pg else ''}, %s, '' "
            f"FROM {_series(vendor, clients * per_event)} "
            f"JOIN (SELECT DISTINCT ck, client_id, controller FROM bench_s4_event) c "
            f"ON c.ck = n.i / {per_event}", [created])
        counts["subjects"] = cursor.rowcount
        big_sid = _hexid(vendor, 1, "0", f"(n.i + {per_event})")
        cursor.execute(
            f"INSERT INTO {q(sub)} (id, controller, client_id, email_index, created_at, "  # noqa: S608 - same
            f"restricted_source) SELECT {big_sid}, %s, %s, {big_sid}{'::text' if pg else ''}, "
            f"%s, '' FROM {_series(vendor, big - per_event)}",
            [controller_key_for(big_client.pk), big_client.pk, created])
        counts["subjects"] += cursor.rowcount
        counts.update(_registrations(cursor, vendor, per_event, len(events), big, big_event,
                                     big_client, pg))
        cursor.execute("DROP TABLE bench_s4_event")
    t_load = time.perf_counter() - began - t_setup

    excluded = _exclusions(big_client, typical, big_event)
    t_vacuum = time.perf_counter()
    if pg:
        with connection.cursor() as cursor:
            for table in (sub, reg, att):
                cursor.execute(f"VACUUM ANALYZE {q(table)}")
    t_vacuum = time.perf_counter() - t_vacuum
    tokens = {slug: create_token(client, "bench S4", actor="bench").secret
              for slug, client in ((big_client.slug, big_client), (typical.slug, typical))}
    typical_events = [e for e in events if e.client_id == typical.pk]
    return {
        "vendor": vendor, "time_zone": settings.TIME_ZONE,
        "big_client": big_client.slug, "typical_client": typical.slug,
        "big_event": str(big_event.pk), "small_event": str(typical_events[0].pk),
        "typical_events": len(typical_events),
        "range": [min(e.starts_at for e in typical_events).astimezone(
                      _zone(settings.TIME_ZONE)).date().isoformat(),
                  max(e.starts_at for e in typical_events).astimezone(
                      _zone(settings.TIME_ZONE)).date().isoformat()],
        "tokens": tokens, "excluded_subjects": excluded,
        "clients": clients, "events": len(events) + 1, **counts,
        "big_attendance": sum(1 for j in range(big) if j % 10 != 9),
        "seconds": {"setup": round(t_setup, 1), "load": round(t_load, 1),
                    "vacuum_analyze": round(t_vacuum, 1),
                    "total": round(time.perf_counter() - began, 1)},
    }


def _zone(name: str) -> Any:
    import zoneinfo

    return zoneinfo.ZoneInfo(name)


def _db_time(value: dt.datetime, pg: bool) -> Any:
    if pg:
        return value
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")


def _registrations(cursor: Any, vendor: str, per_event: int, n_events: int, big: int,
                   big_event: Any, big_client: Any, pg: bool) -> dict[str, int]:
    """Registrations and attendance rows of the ordinary events, then of the big one.
    Person j of an event: subject j of its client; cancelled when j % 13 == 0; present
    (one attendance row) unless j % 10 == 9; registered up to 30 days before the start;
    arrived within 20 minutes around the start; present (seconds) spread over 0-2 h,
    measured for 4 rows in 5."""
    counts = {"registrations": 0, "attendance": 0}
    cast = "::text" if pg else ""
    for label, series, join, j, kind, ck in (
            ("ordinary", n_events * per_event,
             f"JOIN bench_s4_event e ON e.k = n.i / {per_event}", f"(n.i %% {per_event})",
             2, "e.ck"),
            ("big", big, "JOIN (SELECT %s AS id, %s AS client_id, %s AS starts_at) e ON 1 = 1",
             "n.i", 3, "0")):
        params: list[Any] = []  # never None: "%%" is unescaped only with parameters
        if label == "big":
            params = [big_event.pk if pg else big_event.pk.hex, big_client.pk,
                      _db_time(big_event.starts_at, pg)]
        rid = _hexid(vendor, kind, "0", "n.i")
        sid = _hexid(vendor, 1, ck, j)
        mix = "((n.i * 2654435761) %% 1000003)"
        created = _plus_seconds(vendor, "e.starts_at", f"-1 * ({mix} %% 2592000) - 60")
        status = f"CASE WHEN {j} %% 13 = 0 THEN 'cancelled' ELSE 'confirmed' END"
        cursor.execute(
            "INSERT INTO registrations_registration (id, client_id, event_id, subject_id, "  # noqa: S608 - names and integers of this module
            "email_index, email_enc, first_name_enc, last_name_enc, mobile_phone_enc, "
            "city_enc, postal_code_enc, job_function_enc, answers_enc, language, status, "
            "channel, notice_version, decision_note, created_at, updated_at, confirmed_at, "
            "cancelled_at) "
            f"SELECT {rid}, e.client_id, e.id, {sid}, {sid}{cast}, "
            f"'{FILLER}' || n.i, '{FILLER[:40]}' || n.i, '{FILLER[:40]}' || n.i, '', '', '', '', "
            f"'', 'fr', {status}, 'web', '', '', {created}, {created}, {created}, "
            f"CASE WHEN {j} %% 13 = 0 THEN {created} END "
            f"FROM {_series(vendor, series)} {join}", params)
        counts["registrations"] += cursor.rowcount
        arrived = _plus_seconds(vendor, "e.starts_at", f"({mix} %% 1200) - 300")
        cursor.execute(
            "INSERT INTO access_attendance (registration_id, client_id, event_id, session_id, "  # noqa: S608 - same
            "session_key, first_access_at, last_seen_at, seconds_present, presence_measured, "
            "accesses, last_device, concurrent_uses) "
            f"SELECT {rid}, e.client_id, e.id, NULL, 0, {arrived}, {arrived}, "
            f"({mix} * 7) %% 7200, (n.i %% 5 <> 0), 1, '', 0 "
            f"FROM {_series(vendor, series)} {join} WHERE {j} %% 10 <> 9", params)
        counts["attendance"] += cursor.rowcount
    return counts


def _exclusions(big_client: Any, typical: Any, big_event: Any) -> list[str]:
    """Three restricted people and one objector in each measured client (registered to
    the big event, or to the typical client's events)."""
    from livesession.core.clock import now
    from livesession.protection.models import Objection, Subject
    from livesession.registrations.models import Registration

    chosen: list[Any] = []
    for client, filters in ((big_client, {"event": big_event}), (typical, {})):
        ids = list(Registration.objects.filter(client=client, **filters)
                   .order_by("subject_id").values_list("subject_id", flat=True)
                   .distinct()[50:54])
        Subject.objects.filter(pk__in=ids[:3]).update(restricted_at=now(),
                                                      restricted_source="manager")
        Objection.objects.create(subject_id=ids[3], purpose="statistics", objected_at=now(),
                                 objected_source="manager")
        chosen += ids
    return [str(i) for i in chosen]
