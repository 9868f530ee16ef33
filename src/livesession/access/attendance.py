"""Attendance writes (issue 4 §4): the access upsert of the join path and the heartbeat of
the embedded page.

One ``Attendance`` row per registration and session. An access is one
``INSERT … ON CONFLICT DO UPDATE … RETURNING`` statement (SQLite ≥ 3.35 and PostgreSQL),
and the device one more, both in one transaction: the join path stays at a fixed, small
number of queries whatever the number of participants (``tests/access/test_join.py`` pins
it).

Presence: only the embedded page measures it. Each heartbeat adds the time since the row
was last seen, at most ``HEARTBEAT_CAP`` seconds, with a compare-and-swap on
``last_seen_at``: two devices beating for the same link never count the same minute twice.
A redirect (external link, BigBlueButton, Jitsi) leaves our site: we know the accesses,
not the time spent, and ``presence_measured`` stays false.

Devices: a random functional cookie (``portal/device.py``); only its SHA-256 is stored. A
device other than the last one, seen while the last one is active (seen within
``ACTIVE_SECONDS``), is concurrent use: counted on the row (the organizer sees a flag) or,
when the event allows one device only, refused.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import connections, router, transaction
from django.db.models import F

from livesession.access.models import Attendance, AttendanceDevice
from livesession.core.clock import now
from livesession.registrations.models import Registration

ACTIVE_SECONDS = 120  # a device seen this recently is still using the link
HEARTBEAT_SECONDS = 30  # how often the embedded page beats (heartbeat.js reads it)
HEARTBEAT_CAP = 60  # at most this much presence per heartbeat


@dataclass(frozen=True)
class Access:
    refused: bool  # one device only, and another device is using the link
    concurrent_uses: int


def session_key(session_id: int | None) -> int:
    return int(session_id or 0)


def _db(model: type) -> Any:
    return connections[router.db_for_write(model)]


def record_access(registration: Registration, session_id: int | None, device: str, *,
                  one_device_only: bool = False) -> Access:
    """Count one access through the personal link (one statement), then the device."""
    connection = _db(Attendance)
    q = connection.ops.quote_name
    table = q(Attendance._meta.db_table)
    moment = now()
    at = connection.ops.adapt_datetimefield_value(moment)
    since = connection.ops.adapt_datetimefield_value(moment - dt.timedelta(seconds=ACTIVE_SECONDS))
    registration_id = Registration._meta.pk.get_db_prep_value(
        registration.pk, connection)

    def col(name: str) -> str:
        return f"{table}.{q(name)}"

    # Another device, seen while the last one is still active.
    contended = (f"({col('last_device')} <> '' AND {col('last_device')} <> "
                 f"excluded.{q('last_device')} AND {col('last_seen_at')} >= %s)")
    if one_device_only:
        # Refused: the row stays the active device's; the attempt is still flagged.
        sets = (f"{q('accesses')} = {col('accesses')} + CASE WHEN {contended} THEN 0 ELSE 1 END, "
                f"{q('concurrent_uses')} = {col('concurrent_uses')} + "
                f"CASE WHEN {contended} THEN 1 ELSE 0 END, "
                f"{q('last_device')} = CASE WHEN {contended} THEN {col('last_device')} "
                f"ELSE excluded.{q('last_device')} END, "
                f"{q('last_seen_at')} = CASE WHEN {contended} THEN {col('last_seen_at')} "
                f"ELSE excluded.{q('last_seen_at')} END")
        set_params = [since] * 4
    else:
        sets = (f"{q('accesses')} = {col('accesses')} + 1, "
                f"{q('concurrent_uses')} = {col('concurrent_uses')} + "
                f"CASE WHEN {contended} THEN 1 ELSE 0 END, "
                f"{q('last_device')} = excluded.{q('last_device')}, "
                f"{q('last_seen_at')} = excluded.{q('last_seen_at')}")
        set_params = [since]
    columns = ("registration_id", "client_id", "event_id", "session_id", "session_key",
               "first_access_at", "last_seen_at", "seconds_present", "presence_measured",
               "accesses", "last_device", "concurrent_uses")
    # Only quoted names are formatted in; every value is a parameter.
    sql = (f"INSERT INTO {table} ({', '.join(q(c) for c in columns)}) "  # noqa: S608
           f"VALUES ({', '.join(['%s'] * len(columns))}) "
           f"ON CONFLICT ({q('registration_id')}, {q('session_key')}) DO UPDATE SET {sets} "
           f"RETURNING {q('last_device')}, {q('concurrent_uses')}")
    event_id = Attendance._meta.get_field("event").get_db_prep_value(
        registration.event_id, connection)
    values = [registration_id, registration.client_id, event_id, session_id,
              session_key(session_id), at, at, 0, False, 1, device, 0]
    # One transaction for both upserts (issue 9): one commit, one fdatasync on PostgreSQL,
    # instead of two in autocommit. savepoint=False: inside a caller's transaction this adds
    # no SAVEPOINT round trips (the join stays at its pinned number of queries).
    with transaction.atomic(using=connection.alias, savepoint=False):
        with connection.cursor() as cursor:
            cursor.execute(sql, values + set_params)
            last_device, concurrent = cursor.fetchone()
        _see_device(registration, session_id, device, moment)
    return Access(refused=bool(one_device_only and last_device != device),
                  concurrent_uses=int(concurrent))


def _see_device(registration: Registration, session_id: int | None, device: str,
                moment: dt.datetime) -> None:
    connection = _db(AttendanceDevice)
    q = connection.ops.quote_name
    table = q(AttendanceDevice._meta.db_table)
    at = connection.ops.adapt_datetimefield_value(moment)
    registration_id = Registration._meta.pk.get_db_prep_value(
        registration.pk, connection)
    columns = ("registration_id", "client_id", "session_key", "device_hash", "first_seen_at",
               "last_seen_at")
    sql = (f"INSERT INTO {table} ({', '.join(q(c) for c in columns)}) "  # noqa: S608
           f"VALUES ({', '.join(['%s'] * len(columns))}) "
           f"ON CONFLICT ({q('registration_id')}, {q('session_key')}, {q('device_hash')}) "
           f"DO UPDATE SET {q('last_seen_at')} = excluded.{q('last_seen_at')}")
    with connection.cursor() as cursor:
        cursor.execute(sql, [registration_id, registration.client_id, session_key(session_id),
                             device, at, at])


def heartbeat(registration: Registration, session_id: int | None, device: str, *,
              one_device_only: bool = False) -> str:
    """One beat of the embedded page: "ok", "other_device" (one device only and another
    device is active: this page should stop), or "absent" (no access recorded)."""
    key = session_key(session_id)
    for _attempt in range(5):
        row = (Attendance.objects.filter(registration=registration, session_key=key)
               .values("pk", "last_seen_at", "last_device").first())
        if row is None:
            return "absent"
        moment = now()
        last: dt.datetime = row["last_seen_at"]
        other_active = bool(row["last_device"]) and row["last_device"] != device and \
            last >= moment - dt.timedelta(seconds=ACTIVE_SECONDS)
        if one_device_only and other_active:
            return "other_device"
        added = max(0, min(int((moment - last).total_seconds()), HEARTBEAT_CAP))
        # Compare-and-swap: a beat from another device in between changed last_seen_at,
        # so this one reads again and adds only the time since that beat.
        changed = Attendance.objects.filter(pk=row["pk"], last_seen_at=last).update(
            seconds_present=F("seconds_present") + added, last_seen_at=moment,
            last_device=device, presence_measured=True,
            concurrent_uses=F("concurrent_uses") + (1 if other_active else 0))
        if changed:
            _see_device(registration, session_id, device, moment)
            return "ok"
    return "ok"  # five beats in between: this one is not needed to count the time
