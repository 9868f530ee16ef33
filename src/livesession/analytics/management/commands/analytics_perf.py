"""Measure the analytics queries on a large seeded PostgreSQL database (docs/analytics.md).

    DATABASE_URL=postgres://…/ls_perf livesession analytics_perf --attendance 1000000

Seeds one client with ``--events`` events, one of them with ``--big`` registrations and
attendance rows, the others sharing the rest, with breakdown facts, a tenth of sources, a
hundred restricted people and a hundred objectors; then times the event page's figures (the
big event and a small one) and the client dashboard. It refuses to run on a database that
already holds registrations: it is a measurement tool, never for a live database. Figures
go to the terminal: they are written down in docs/analytics.md, not asserted anywhere.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from livesession.analytics import figures, present
from livesession.core.clock import now
from livesession.core.models import Client
from livesession.events.models import Event
from livesession.registrations.models import Registration

SCOPE = {key: {"enabled": True, "required": False, "purpose": "perf"}
         for key in ("first_name", "last_name", "city", "postal_code", "job_function")}


class Command(BaseCommand):
    help = "Seed a large PostgreSQL database and time the analytics figures (never on live data)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--attendance", type=int, default=1_000_000)
        parser.add_argument("--events", type=int, default=1000)
        parser.add_argument("--big", type=int, default=200_000)
        parser.add_argument("--runs", type=int, default=20)
        parser.add_argument("--reuse", action="store_true",
                            help="time an already seeded database again")

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("PostgreSQL only (DATABASE_URL).")
        if not options["reuse"]:
            if Registration.objects.exists():
                raise CommandError("This database already holds registrations: use an "
                                   "empty one made for the measure.")
            started = time.perf_counter()
            self._seed(options["attendance"], options["events"], options["big"])
            self.stdout.write(f"seeded in {time.perf_counter() - started:.1f} s")
        client = Client.objects.get(slug="perf")
        events = list(Event.objects.filter(client=client).order_by("starts_at"))
        big = next(e for e in events if e.title == "big")
        small = next(e for e in events if e.title != "big")
        runs = options["runs"]
        start = min(e.starts_at for e in events).date()
        end = max(e.starts_at for e in events).date()

        def page(event: Event) -> Callable[[], Any]:
            return lambda: present.figure_sets(figures.for_event(event), per="sessions")

        self._time(f"event page figures, {big.title} event", page(big), runs)
        self._time("event page figures, a small event", page(small), runs)
        self._time("client dashboard, every event",
                   lambda: present.figure_sets(figures.for_client(client, start, end),
                                               per="events"), max(runs // 2, 3))
        middle = start + (end - start) / 2
        self._time("client dashboard, 90 days",
                   lambda: present.figure_sets(
                       figures.for_client(client, middle - dt.timedelta(days=45),
                                          middle + dt.timedelta(days=45)), per="events"),
                   runs)

    def _time(self, label: str, work: Callable[[], Any], runs: int) -> None:
        work()  # warm
        times = []
        for _run in range(runs):
            started = time.perf_counter()
            work()
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * len(times)) - 1)]
        self.stdout.write(f"{label}: p50 {statistics.median(times):.0f} ms, "
                          f"p95 {p95:.0f} ms, max {times[-1]:.0f} ms ({runs} runs)")

    def _seed(self, attendance: int, n_events: int, big: int) -> None:
        from livesession.core.services import create_client

        client = create_client("Perf", "owner@perf.test", slug="perf", actor="perf").client
        base = now() - dt.timedelta(days=365)
        events = [Event(client=client, title="big" if i == 0 else f"event {i}",
                        starts_at=base + dt.timedelta(hours=9 * i),
                        ends_at=base + dt.timedelta(hours=9 * i + 2), form_scope=SCOPE,
                        status="published", room_kind="embed")
                  for i in range(n_events)]
        Event.objects.bulk_create(events)
        ids = [str(e.pk) for e in events]
        registrations = int(attendance * 1.25)
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit = off")
            cursor.execute("""
                INSERT INTO protection_subject (id, controller, client_id, email_index,
                    created_at, restricted_source, restricted_at)
                SELECT md5('s' || i)::uuid, 'client:' || %s, %s, md5('e' || i), now(), '',
                       CASE WHEN i %% 10007 = 0 THEN now() END
                FROM generate_series(1, %s) i""", [client.pk, client.pk, registrations])
            # Registration rows as wide as real ones: sealed values are ~100-char texts.
            cursor.execute("""
                INSERT INTO registrations_registration (id, email_index, email_enc,
                    first_name_enc, last_name_enc, mobile_phone_enc, city_enc, postal_code_enc,
                    job_function_enc, answers_enc, language, status, channel, notice_version,
                    decision_note, created_at, updated_at, confirmed_at, client_id, event_id,
                    subject_id)
                SELECT md5('r' || i)::uuid, md5('e' || i), repeat(md5('a' || i), 3),
                       repeat(md5('b' || i), 2), repeat(md5('c' || i), 2), '',
                       repeat(md5('d' || i), 2), repeat(md5('f' || i), 2),
                       repeat(md5('g' || i), 2), '', 'fr',
                       CASE WHEN i %% 13 = 0 THEN 'cancelled' ELSE 'confirmed' END, 'web',
                       md5('n'), '', t, t, t, %s,
                       (CASE WHEN i <= %s THEN %s
                             ELSE (%s::text[])[2 + i %% (array_length(%s::text[], 1) - 1)]
                        END)::uuid,
                       md5('s' || i)::uuid
                FROM (SELECT i, now() - (random() * 200 || ' days')::interval AS t
                      FROM generate_series(1, %s) i) g""",
                           [client.pk, big, ids[0], ids, ids, registrations])
            cursor.execute("""
                INSERT INTO access_attendance (session_key, first_access_at, last_seen_at,
                    seconds_present, presence_measured, accesses, last_device, concurrent_uses,
                    client_id, event_id, registration_id)
                SELECT 0, r.created_at, r.created_at, (random() * 7200)::int, i %% 5 <> 0, 1,
                       '', 0, r.client_id, r.event_id, r.id
                FROM (SELECT row_number() OVER () AS i, id, client_id, event_id, created_at
                      FROM registrations_registration) r
                WHERE r.i <= %s""", [attendance])
            cursor.execute("""
                INSERT INTO analytics_registrationfacts (registration_id, client_id, event_id,
                    job_function, city, department, withheld, registration_updated_at,
                    computed_at)
                SELECT id, client_id, event_id,
                       (ARRAY['chef de projet', 'infirmiere', 'enseignant', 'medecin',
                              'ingenieur'])[1 + abs(hashtext(id::text)) %% 5]
                         || CASE WHEN abs(hashtext(id::text)) %% 97 = 0
                                 THEN ' ' || (abs(hashtext(id::text)) %% 1000)::text
                                 ELSE '' END,
                       'ville ' || (abs(hashtext(id::text || 'c')) %% 300)::text,
                       lpad((1 + abs(hashtext(id::text || 'd')) %% 95)::text, 2, '0'),
                       false, updated_at, now()
                FROM registrations_registration""", [])
            cursor.execute("""
                INSERT INTO analytics_registrationsource (registration_id, client_id, event_id,
                    referrer_host, utm_source, utm_medium, utm_campaign)
                SELECT id, client_id, event_id,
                       (ARRAY['www.linkedin.com', 'news.example', 't.co'])[1 + abs(hashtext(
                           id::text)) %% 3],
                       (ARRAY['newsletter', 'partner', 'social'])[1 + abs(hashtext(
                           id::text || 'u')) %% 3], 'email', 'spring'
                FROM registrations_registration WHERE abs(hashtext(id::text)) %% 10 = 0""", [])
            cursor.execute("""
                INSERT INTO protection_objection (subject_id, purpose, objected_at,
                    objected_source, withdrawn_source)
                SELECT md5('s' || i)::uuid, 'statistics', now(), 'manager', ''
                FROM generate_series(5, %s, 10009) i""", [registrations])
            for table in ("protection_subject", "registrations_registration",
                          "access_attendance", "analytics_registrationfacts",
                          "analytics_registrationsource", "protection_objection"):
                cursor.execute(f"VACUUM ANALYZE {table}")
