"""Data for S1-S3, built inside Django (called through ``ctx.django``).

People go through ``registrations.services.register`` (the real path: subject and key,
sealed fields, personal link, outbox row, audit entry) for a sample, the rest is written
in bulk the way the service writes it (a subject and its wrapped key, the registration
with sealed fields, the access link with its digest and sealed token): the join path reads
exactly the rows it reads in production.
"""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path
from typing import Any

ROOM = "https://room.example/bench"


def _client(slug: str) -> Any:
    from livesession.core.models import Client
    from livesession.core.services import create_client

    found = Client.objects.filter(slug=slug).first()
    if found is not None:
        return found
    return create_client(slug.upper(), f"owner@{slug}.test", slug=slug, actor="bench",
                         owner_password=secrets.token_urlsafe(16)).client


def make_event(slug: str, title: str, *, capacity: int | None = None,
               waitlist: bool = False, open_now: bool = False) -> Any:
    """A published event of client ``slug``: its room open now (``open_now``: started 5
    minutes ago, ends in 3 hours), or in a week; no waiting list unless asked."""
    from livesession.core.clock import now
    from livesession.events.models import Event
    from livesession.events.services import create_event, publish_event

    client = _client(slug)
    starts = now() + (dt.timedelta(minutes=-5) if open_now else dt.timedelta(days=7))
    event = create_event(client, actor="bench", title=title, description="",
                         starts_at=starts, ends_at=starts + dt.timedelta(hours=3),
                         time_zone="Europe/Paris", room_url=ROOM)
    Event.objects.filter(pk=event.pk).update(capacity=capacity, waitlist_enabled=waitlist)
    event.refresh_from_db()
    return publish_event(event, actor="bench")


def join_people(tokens_path: str, people: int = 20000,
                via_service: int = 200, client_slug: str = "bench-join") -> dict[str, Any]:
    """S1: one event open now with ``people`` confirmed registrations; their raw tokens are
    written to ``tokens_path`` (one a line), and (PostgreSQL) to a table for pgbench.
    Another scenario in the same run (S4) passes its own ``client_slug``: the addresses are
    the same, and one address is one subject per client."""
    from django.db import connection, transaction

    from livesession.access.models import AccessLink
    from livesession.core.clock import now
    from livesession.protection import crypto, keystore
    from livesession.protection.crypto import token_digest
    from livesession.protection.models import DataKey, Subject, controller_key_for
    from livesession.registrations.models import Registration
    from livesession.registrations.models import RegistrationStatus as S
    from livesession.registrations.services import register

    event = make_event(client_slug, "Join spike", open_now=True)
    client = event.client
    tokens: list[str] = []
    for n in range(via_service):
        made = register(event, email=f"svc{n}@join.example", first_name="Svc",
                        last_name=f"P{n}", channel="manager", actor="bench")
        tokens.append(made.token)
    controller = controller_key_for(client.pk)
    for start in range(via_service, people, 1000):
        count = min(1000, people - start)
        emails = [f"p{start + k}@join.example" for k in range(count)]
        with transaction.atomic(), keystore.unit_of_work():
            subjects = Subject.objects.bulk_create([
                Subject(controller=controller, client=client,
                        email_index=crypto.email_index(e)) for e in emails])
            DataKey.objects.bulk_create([
                DataKey(subject_id=s.id, controller=controller,
                        wrapped=crypto.wrap_key(crypto.new_data_key(), str(s.id)))
                for s in subjects])
            keystore.preload(s.id for s in subjects)
            regs = []
            for email, subject in zip(emails, subjects, strict=True):
                reg = Registration(client=client, event=event, subject=subject,
                                   email_index=subject.email_index, status=S.CONFIRMED,
                                   channel="import", confirmed_at=now())
                reg.email = email
                reg.first_name = "Bulk"
                reg.last_name = email.split("@")[0]
                regs.append(reg)
            Registration.objects.bulk_create(regs)
            links = []
            for reg in regs:
                token = secrets.token_urlsafe(32)
                link = AccessLink(registration=reg, client=client, subject=reg.subject,
                                  token_digest=token_digest(token))
                link.token = token
                links.append(link)
                tokens.append(token)
            AccessLink.objects.bulk_create(links)
    Path(tokens_path).write_text("\n".join(tokens) + "\n")
    pg = connection.vendor == "postgresql"
    if pg:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_join_tokens")
            cursor.execute("CREATE TABLE bench_join_tokens (i serial PRIMARY KEY, digest text)")
            cursor.executemany("INSERT INTO bench_join_tokens (digest) VALUES (%s)",
                               [(token_digest(t),) for t in tokens])
    return {"event": str(event.pk), "tokens": len(tokens),
            "pgbench": pgbench_join(len(tokens)) if pg else ""}


def pgbench_join(count: int) -> str:
    """The join path's statements for pgbench (T_db(join)): the link lookup with its
    registration, event, subject and "has sessions" (as ``resolve_for_join``), the
    attendance upsert and the device upsert (as ``access/attendance.py``), random token."""
    from django.db import connection

    from livesession.access.models import AccessLink, Attendance, AttendanceDevice
    from livesession.events.models import Event, Session
    from livesession.protection.models import Subject
    from livesession.registrations.models import Registration

    t = {m.__name__: connection.ops.quote_name(m._meta.db_table) for m in
         (AccessLink, Attendance, AttendanceDevice, Event, Session, Subject, Registration)}
    a = t["Attendance"]
    # Only quoted table names are formatted in (pgbench script, no user input).
    return f"""\\set i random(1, {count})
SELECT r.id AS rid, r.client_id AS cid, r.event_id AS eid, r.status, e.starts_at,
  s.restricted_at,
  EXISTS (SELECT 1 FROM {t['Session']} x WHERE x.event_id = r.event_id) AS has_sessions
  FROM {t['AccessLink']} l JOIN {t['Registration']} r ON r.id = l.registration_id
  JOIN {t['Event']} e ON e.id = r.event_id JOIN {t['Subject']} s ON s.id = r.subject_id
  WHERE l.token_digest = (SELECT digest FROM bench_join_tokens WHERE i = :i)
  AND l.revoked_at IS NULL LIMIT 1 \\gset
\\set dev random(1, 1000000000)
INSERT INTO {t['Attendance']} (registration_id, client_id, event_id, session_id, session_key,
  first_access_at, last_seen_at, seconds_present, presence_measured, accesses, last_device,
  concurrent_uses) VALUES (':rid', :cid, ':eid', NULL, 0, now(), now(), 0, false, 1,
  md5(':dev'), 0)
  ON CONFLICT (registration_id, session_key) DO UPDATE SET
  accesses = {a}.accesses + 1,
  concurrent_uses = {a}.concurrent_uses + CASE WHEN ({a}.last_device <> ''
  AND {a}.last_device <> excluded.last_device AND {a}.last_seen_at >=
  now() - interval '120 seconds') THEN 1 ELSE 0 END, last_device = excluded.last_device,
  last_seen_at = excluded.last_seen_at RETURNING last_device, concurrent_uses;
INSERT INTO {t['AttendanceDevice']} (registration_id, client_id, session_key, device_hash,
  first_seen_at, last_seen_at) VALUES (':rid', :cid, 0, md5(':dev'), now(), now())
  ON CONFLICT (registration_id, session_key, device_hash) DO UPDATE SET
  last_seen_at = excluded.last_seen_at;
"""  # noqa: S608 - quoted table names only (a pgbench script, no user input)


def settled(read: Any, limit: float = 90.0) -> Any:
    """``read()`` once the server has drained the requests still queued when the load
    stopped (a closed client connection does not stop a request already accepted): two
    reads one second apart that agree, or the last read after ``limit`` seconds."""
    import time

    previous = read()
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        time.sleep(1.0)
        current = read()
        if current == previous:
            return current
        previous = current
    return previous


def attendance(event: str) -> dict[str, int]:
    """Attendance of ``event`` once settled: rows, the sum of accesses (one per redirect),
    devices."""
    return settled(lambda: _attendance(event))


def _attendance(event: str) -> dict[str, int]:
    from django.db.models import Count, Sum

    from livesession.access.models import Attendance, AttendanceDevice

    agg = Attendance.objects.filter(event_id=event).aggregate(rows=Count("id"),
                                                              accesses=Sum("accesses"))
    devices = AttendanceDevice.objects.filter(registration__event_id=event).count()
    return {"rows": agg["rows"] or 0, "accesses": agg["accesses"] or 0, "devices": devices}


def reset_attendance(event: str) -> int:
    from livesession.access.models import Attendance, AttendanceDevice

    AttendanceDevice.objects.filter(registration__event_id=event).delete()
    deleted, _ = Attendance.objects.filter(event_id=event).delete()
    return deleted


def rush_event(slug: str, title: str, capacity: int | None) -> dict[str, Any]:
    """S2: one published event (registrations open, no waiting list: past capacity the
    answer is 409 "full")."""
    event = make_event(slug, title, capacity=capacity, waitlist=False)
    return {"event": str(event.pk)}


def spread_events(clients: int = 20, per_client: int = 5) -> dict[str, Any]:
    """S3: ``clients`` clients with ``per_client`` published events each (no capacity)."""
    ids = []
    for c in range(clients):
        for e in range(per_client):
            ids.append(str(make_event(f"bench-spread-{c}", f"Spread {c}.{e}").pk))
    return {"events": ids}


def registrations(events: list[str]) -> dict[str, Any]:
    """The gates' facts for ``events`` once settled (``settled``): per event confirmed /
    total, seats_taken, outbox rows of its registrations, duplicate (event, address)
    pairs; the span of confirmed creation times (confirmed per second while places
    remained)."""
    return settled(lambda: _registrations(events))


def _registrations(events: list[str]) -> dict[str, Any]:
    from django.db.models import Count, Max, Min

    from livesession.events.models import Event
    from livesession.messaging.models import OutboxMessage
    from livesession.registrations.models import Registration
    from livesession.registrations.models import RegistrationStatus as S

    out: dict[str, Any] = {"events": {}}
    for event_id in events:
        rows = Registration.objects.filter(event_id=event_id)
        confirmed = rows.filter(status=S.CONFIRMED)
        span = confirmed.aggregate(first=Min("created_at"), last=Max("created_at"))
        dupes = (rows.values("email_index").annotate(n=Count("id")).filter(n__gt=1).count())
        outbox = OutboxMessage.objects.filter(registration__event_id=event_id)
        per_registration = (outbox.values("registration_id").annotate(n=Count("id"))
                            .filter(n__gt=1).count())
        seconds = ((span["last"] - span["first"]).total_seconds()
                   if span["first"] and span["last"] else 0.0)
        out["events"][event_id] = {
            "total": rows.count(), "confirmed": confirmed.count(),
            "seats_taken": Event.objects.get(pk=event_id).seats_taken,
            "outbox": outbox.count(), "registrations_with_2_outbox_rows": per_registration,
            "duplicates": dupes, "confirmed_span_s": seconds}
    return out
