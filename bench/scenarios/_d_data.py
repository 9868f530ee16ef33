"""Datasets of scenarios S4-S8 (brief D): clients, events, registrants, places and
attendance written in bulk, the way the services write them.

A registrant is what ``registrations.services.register`` leaves behind: a ``Subject`` with
its wrapped data key in the keystore, a ``Registration`` whose identifiers are sealed with
that key (AES-GCM, per field context), optionally its personal link (``AccessLink``: hashed
token plus the token sealed) and its search tokens (keyed hashes,
``registrations.search.tokens_for``). What bulk writing leaves out: the confirmation
message in the outbox and the audit entry of each registration (the scenarios that need
messages make them through the real code, S8). Places (``SessionSeat``) and attendance rows
are derived in SQL (``INSERT ... SELECT``) from the registrations, so a million rows cost
seconds, not minutes. Every function works on SQLite and on PostgreSQL.

Usable from the harness (``run(ctx)``) and from a plain process: ``setup()`` points Django at
a database (``DATABASE_URL`` or a throwaway SQLite file under a temporary ``var/``) and
migrates it.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import secrets
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

FIRST = ["Élodie", "Jean-Pierre", "Chloé", "Léa", "Zoé", "Hugo", "Noé", "Inès", "Maël",
         "Camille", "Louis", "Jade", "Gabriel", "Anaïs", "Raphaël", "Sébastien", "Manon"]
LAST = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
        "Leroy", "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David"]
CHUNK = 2000


def setup(var: str, database_url: str | None = None, *, migrate: bool = True) -> None:
    """Django against ``database_url`` (else ``$DATABASE_URL``, else SQLite under ``var``).
    The keystore follows the main database (``<name>_keystore`` on PostgreSQL)."""
    os.environ["LIVESESSION_VAR_DIR"] = var
    os.environ["DJANGO_SETTINGS_MODULE"] = "livesession.config.settings"
    os.environ.setdefault("LIVESESSION_TASKS_IMMEDIATE", "0")  # doorbells ring nobody
    if database_url is not None:
        os.environ["DATABASE_URL"] = database_url
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        for alias in ("default", "keystore"):
            call_command("migrate", database=alias, interactive=False, verbosity=0)


def vendor() -> str:
    from django.db import connection

    return str(connection.vendor)


def rss_kb(pid: int | str = "self") -> tuple[int, int]:
    """(VmRSS, VmHWM) of a process, in kB, from /proc."""
    found = {"VmRSS": 0, "VmHWM": 0}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _sep, value = line.partition(":")
        if key in found:
            found[key] = int(value.split()[0])
    return found["VmRSS"], found["VmHWM"]


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0-100)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, round(q / 100 * len(ordered) + 0.4999))
    return ordered[min(rank, len(ordered)) - 1]


@dataclass
class Tenant:
    client: Any
    owner: Any


def new_client(slug: str) -> Tenant:
    from livesession.core.services import create_client

    made = create_client(f"Bench {slug}", f"owner@{slug}.bench.test", slug=slug,
                         actor="bench", owner_password=secrets.token_urlsafe(16))
    return Tenant(made.client, made.owner)


def new_event(client: Any, *, title: str = "Webinaire", sessions: int = 0,
              starts_in: dt.timedelta = dt.timedelta(days=7), capacity: int | None = None,
              reminder_offsets: list[int] | None = None) -> Any:
    from livesession.core.clock import now
    from livesession.events.services import create_event, publish_event
    from livesession.registrations.sessions import add_session

    starts = now() + starts_in
    event = create_event(client, actor="bench", title=title, description="",
                         starts_at=starts, ends_at=starts + dt.timedelta(hours=1),
                         time_zone="Europe/Paris", room_url="https://room.example/bench")
    changed = []
    if capacity is not None:
        event.capacity = capacity
        changed.append("capacity")
    if reminder_offsets is not None:
        event.reminder_offsets = reminder_offsets
        changed.append("reminder_offsets")
    if changed:
        event.save(update_fields=changed)
    for n in range(sessions):
        at = starts + dt.timedelta(days=n)
        add_session(event, actor="bench", title=f"Séance {n + 1}", starts_at=at,
                    ends_at=at + dt.timedelta(hours=1), room_url="", capacity=None)
    return publish_event(event, actor="bench")


@dataclass
class People:
    """What a generator wrote: ids and the clear values a gate may need."""

    registration_ids: list[uuid.UUID] = field(default_factory=list)
    subject_ids: list[uuid.UUID] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    seconds: float = 0.0


def bulk_people(client: Any, event: Any, count: int, *, seed: int = 7, prefix: str = "p",
                tokens: bool = False, links: bool = False, confirmed_share: float = 1.0,
                names: list[tuple[str, str]] | None = None) -> People:
    """``count`` registrants of ``event``, written ``CHUNK`` at a time (one transaction per
    chunk on each database). Addresses are ``<prefix>.<n>@example<k>.org``; ``names``
    overrides the generated first and last names of the first rows (markers)."""
    from django.db import transaction

    from livesession.access.models import AccessLink
    from livesession.access.services import new_token
    from livesession.core.clock import now
    from livesession.protection import crypto, keystore
    from livesession.protection.models import DataKey, Subject, controller_key_for
    from livesession.registrations.models import Registration, SearchToken
    from livesession.registrations.search import tokens_for

    rng = random.Random(seed)
    controller = controller_key_for(client.pk)
    out = People()
    began = time.perf_counter()
    for start in range(0, count, CHUNK):
        rows = []
        for n in range(start, min(start + CHUNK, count)):
            first, last = (names[n] if names and n < len(names)
                           else (rng.choice(FIRST), rng.choice(LAST)))
            status = "confirmed" if rng.random() < confirmed_share else "cancelled"
            rows.append((f"{prefix}.{n}@example{n % 7}.org", first, last, status))
        moment = now()
        with transaction.atomic(), transaction.atomic(using="keystore"), \
                keystore.unit_of_work():
            subjects = Subject.objects.bulk_create([
                Subject(id=uuid.uuid4(), controller=controller, client=client,
                        email_index=crypto.email_index(email))
                for email, _f, _l, _s in rows])
            DataKey.objects.bulk_create([
                DataKey(subject_id=s.id, controller=controller,
                        wrapped=crypto.wrap_key(crypto.new_data_key(), str(s.id)))
                for s in subjects])
            keystore.preload(s.id for s in subjects)
            registrations = []
            for (email, first, last, status), subject in zip(rows, subjects, strict=True):
                registration = Registration(
                    id=uuid.uuid4(), client=client, event=event, subject=subject,
                    email_index=subject.email_index, status=status, channel="import",
                    language="fr", confirmed_at=moment,
                    cancelled_at=moment if status == "cancelled" else None)
                registration.email = email
                registration.first_name = first
                registration.last_name = last
                registrations.append(registration)
            Registration.objects.bulk_create(registrations)
            if links:
                made = []
                for registration in registrations:
                    token = new_token()
                    link = AccessLink(registration=registration, client=client,
                                      subject_id=registration.subject_id,
                                      token_digest=crypto.token_digest(token))
                    link.token = token
                    made.append(link)
                AccessLink.objects.bulk_create(made)
            if tokens:
                SearchToken.objects.bulk_create([
                    SearchToken(registration=reg, client=client, event=event, token=token)
                    for reg, (email, first, last, _s) in zip(registrations, rows, strict=True)
                    for token in sorted(tokens_for(client.pk, email, first, last))],
                    batch_size=5000)
        out.registration_ids += [r.id for r in registrations]
        out.subject_ids += [s.id for s in subjects]
        out.emails += [r[0] for r in rows]
    Registration.objects.filter(pk__in=[]).exists()  # the connection stays warm
    from livesession.events.models import Event

    confirmed = Registration.objects.filter(event=event, status="confirmed").count()
    Event.objects.filter(pk=event.pk).update(seats_taken=confirmed)
    out.seconds = time.perf_counter() - began
    return out


def _table(label: str) -> str:
    from django.apps import apps

    return str(apps.get_model(label)._meta.db_table)


def _when(value: dt.datetime) -> Any:
    from django.db import connection

    return connection.ops.adapt_datetimefield_value(value)


def bulk_seats(event: Any) -> int:
    """A confirmed place in every session of the event for every confirmed registration
    (what ``sessions.request_seats`` + ``allocate`` leave for a series), in one statement;
    sessions' ``seats_taken`` follow."""
    from django.db import connection, transaction

    from livesession.core.clock import now
    from livesession.events.models import Session
    from livesession.registrations.models import Registration

    seat, reg, ses = (_table("registrations.SessionSeat"), _table("registrations.Registration"),
                      _table("events.Session"))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {seat} (registration_id, session_id, client_id, status, created_at) "  # noqa: S608 - table names from the models
            f"SELECT r.id, s.id, r.client_id, 'confirmed', %s FROM {reg} r "
            f"JOIN {ses} s ON s.event_id = r.event_id "
            "WHERE r.event_id = %s AND r.status = 'confirmed'",
            [_when(now()), event.pk.hex if connection.vendor == "sqlite" else event.pk])
        made = cursor.rowcount
    confirmed = Registration.objects.filter(event=event, status="confirmed").count()
    Session.objects.filter(event=event).update(seats_taken=confirmed)
    return int(made)


def bulk_attendance(event: Any, *, share: float = 1.0, seed: int = 7) -> int:
    """Attendance rows from the places (or, without sessions, from the confirmed
    registrations, ``session_key`` 0): the first ``share`` of them by id, arrivals spread
    over the first 20 minutes. One statement."""
    from django.db import connection, transaction

    first = event.starts_at - dt.timedelta(minutes=5)
    att, seat, reg = (_table("access.Attendance"), _table("registrations.SessionSeat"),
                      _table("registrations.Registration"))
    event_id = event.pk.hex if connection.vendor == "sqlite" else event.pk
    # An integer 0-1199 per row from its id: seconds after ``first`` (no RANDOM(): the same
    # rows on both databases).
    if connection.vendor == "sqlite":
        spread = ("((unicode(substr(x.rid, 1, 1)) * 1369 + unicode(substr(x.rid, 2, 1)) * 37"
                  " + unicode(substr(x.rid, 3, 1))) %% 1200)")
        plus = "datetime(%s, '+' || {s} || ' seconds')"
    else:
        spread = "(('x' || substr(x.rid::text, 1, 6))::bit(24)::int %% 1200)"
        plus = "(%s::timestamptz + make_interval(secs => {s}))"
    cutoff = int(share * 1000)
    if connection.vendor == "sqlite":
        keep = (f"((unicode(substr(x.rid, 10, 1)) * 1369 + unicode(substr(x.rid, 11, 1)) * 37"
                f" + unicode(substr(x.rid, 12, 1))) %% 1000) < {cutoff}")
    else:
        keep = f"(('x' || substr(x.rid::text, 10, 4))::bit(16)::int %% 1000) < {cutoff}"
    has_sessions = event.sessions.exists()
    # Table names come from the models, values are parameters.
    with_places = (f"SELECT s.registration_id AS rid, s.session_id AS sid, "  # noqa: S608
                   f"s.client_id AS cid FROM {seat} s JOIN {reg} r ON r.id = s.registration_id "
                   "WHERE r.event_id = %s AND s.status = 'confirmed'")
    without = (f"SELECT r.id AS rid, NULL AS sid, r.client_id AS cid FROM {reg} r "  # noqa: S608
               "WHERE r.event_id = %s AND r.status = 'confirmed'")
    source = with_places if has_sessions else without
    at = plus.format(s=spread)
    sql = (f"INSERT INTO {att} (registration_id, client_id, event_id, session_id, session_key, "  # noqa: S608 - names from the models
           "first_access_at, last_seen_at, seconds_present, presence_measured, accesses, "
           "last_device, concurrent_uses) "
           f"SELECT x.rid, x.cid, %s, x.sid, COALESCE(x.sid, 0), {at}, {at}, 0, %s, 1, '', 0 "
           f"FROM ({source}) x" + (f" WHERE {keep}" if share < 1 else ""))
    with transaction.atomic(), connection.cursor() as cursor:
        stamp = _when(first)
        if connection.vendor == "sqlite":
            stamp = first.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
        cursor.execute(sql, [event_id, stamp, stamp, False, event_id])
        made = cursor.rowcount
    return int(made)


def analyze() -> None:
    """PostgreSQL: refresh the planner's statistics after a bulk load, as autovacuum would
    a minute later. Without it the planner still believes the tables empty and picks
    nested loops that turn a 100 k-row count into minutes (seen on S5's attendance count)."""
    from django.db import connections

    for alias in ("default", "keystore"):
        connection = connections[alias]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")


def count_rows(label: str, **filters: Any) -> int:
    from django.apps import apps

    return int(apps.get_model(label)._default_manager.filter(**filters).count())


def chunked(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
