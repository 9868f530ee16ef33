"""Background jobs of personal-data protection.

``vacuum_tables``: after an erasure, PostgreSQL still holds the deleted and overwritten
row versions (dead tuples) in its table files until VACUUM reclaims them. VACUUM cannot run
inside a transaction and may take a while on big tables, so the erasure does not run it
in the person's web request: it rings this job once its transaction has committed
(``protection.erasure._vacuum``). The payload is table names only, never a person's id or
value. SQLite overwrites freed pages itself (``PRAGMA secure_delete``, config/settings.py),
but in WAL mode the old page images stay in the ``-wal`` file until a checkpoint, and with
persistent connections (issue 9) no closing connection checkpoints it any more: the job
runs ``PRAGMA wal_checkpoint(TRUNCATE)`` on each SQLite database (pages written back, the
WAL emptied to zero bytes).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connections

from livesession.core import tasks

ALIASES = ("default", "keystore")


class CheckpointBusy(Exception):
    """A reader or writer kept the WAL from being emptied: the queue retries the job."""


def checkpoint_sqlite(connection: Any) -> bool:
    """Write the WAL back into the database file and truncate it (nothing to do in
    memory). False when another connection kept it from finishing."""
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        busy = cursor.fetchone()[0]
    return not busy


def vacuum(tables: Iterable[str]) -> dict[str, list[str]]:
    """VACUUM each named table that exists, in each PostgreSQL database, outside any
    transaction; checkpoint each SQLite database's WAL. Returns the tables vacuumed per
    database alias (none on SQLite)."""
    wanted = set(tables)
    done: dict[str, list[str]] = {}
    busy = []
    for alias in ALIASES:
        connection = connections[alias]
        if connection.in_atomic_block:
            continue
        if connection.vendor == "sqlite":
            if not checkpoint_sqlite(connection):
                busy.append(alias)
            continue
        if connection.vendor != "postgresql":
            continue
        existing = set(connection.introspection.table_names())
        names = sorted(wanted & existing)
        with connection.cursor() as cursor:
            for table in names:
                cursor.execute(f"VACUUM {connection.ops.quote_name(table)}")
        done[alias] = names
    if busy:
        raise CheckpointBusy(", ".join(busy))
    return done


@tasks.task(retries=3, retry_delay=60)
def vacuum_tables(tables: list[str]) -> dict[str, list[str]]:
    """The job: see ``vacuum``. Retried a few times (a lock held by a long transaction)."""
    return vacuum(tables)
