"""Background jobs of personal-data protection.

``vacuum_tables``: after an erasure, PostgreSQL still holds the deleted and overwritten
row versions (dead tuples) in its table files until VACUUM reclaims them. VACUUM cannot run
inside a transaction and may take a while on big tables, so the erasure does not run it
in the person's web request: it rings this job once its transaction has committed
(``protection.erasure._vacuum``). The payload is table names only, never a person's id or
value. SQLite needs nothing: it overwrites freed pages itself (``PRAGMA secure_delete``,
config/settings.py).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connections

from livesession.core import tasks

ALIASES = ("default", "keystore")


def vacuum(tables: Iterable[str]) -> dict[str, list[str]]:
    """VACUUM each named table that exists, in each PostgreSQL database, outside any
    transaction. Returns the tables vacuumed per database alias (none on SQLite)."""
    wanted = set(tables)
    done: dict[str, list[str]] = {}
    for alias in ALIASES:
        connection = connections[alias]
        if connection.vendor != "postgresql" or connection.in_atomic_block:
            continue
        existing = set(connection.introspection.table_names())
        names = sorted(wanted & existing)
        with connection.cursor() as cursor:
            for table in names:
                cursor.execute(f"VACUUM {connection.ops.quote_name(table)}")
        done[alias] = names
    return done


@tasks.task(retries=3, retry_delay=60)
def vacuum_tables(tables: list[str]) -> dict[str, list[str]]:
    """The job: see ``vacuum``. Retried a few times (a lock held by a long transaction)."""
    return vacuum(tables)
