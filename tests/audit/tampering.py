"""Tampering as someone with the database owner's rights would: the append-only trigger
set aside for the time of the change (so that the chain check is what catches it)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection

TABLE = "audit_auditentry"


@contextmanager
def trigger_off() -> Iterator[None]:
    from importlib import import_module

    migration = import_module("livesession.audit.migrations.0002_append_only")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER audit_append_only")
        else:
            cursor.execute("DROP TRIGGER audit_append_only")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER audit_append_only")
            else:
                cursor.execute(migration.SQLITE_FORWARD)


def raw(sql: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
