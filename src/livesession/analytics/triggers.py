"""The database triggers that mark an event's rollup dirty (issue 9, S4; ``rollup.py``).

Whatever writes the rows (a service, a bulk erasure with plain DELETEs, a retention purge,
a cascade), these run in its transaction:

* a registration's status, creation time or event changed (one row at a time);
* registrations or attendance rows deleted (once per statement on PostgreSQL, with the
  deleted rows as a transition table; per row on SQLite, where after the first row of an
  event it is one index probe).

They never fire on what the join writes (the attendance upsert and heartbeat, the device
row), nor on a registration's insert: those are followed without them (``rollup.py``).

PostgreSQL: a reading takes an exclusive advisory lock on the event before it clears the
flag, the triggers a shared one before they set it; so a change whose transaction is still
open when the reading starts has committed before the reading looks at the rows. SQLite
runs one writer at a time, which gives the same order.

SQLite drops a table's triggers when Django rebuilds the table (a later migration that
alters registrations or attendance): ``missing()`` sees it, the rollups are then not used
(figures read from the rows, still exact) and ``tests/analytics`` fails until a migration
calls ``install`` again.
"""

from __future__ import annotations

from typing import Any

LOCK_CLASS = 7291  # first key of the advisory locks (second: hash of the event id), as in _PG
NAMES = ("analytics_rollup_registration_changed", "analytics_rollup_registration_gone",
         "analytics_rollup_attendance_gone")

_PG = [
    """
CREATE OR REPLACE FUNCTION analytics_rollup_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock_shared(7291, hashtext(OLD.event_id::text));
    IF NEW.event_id IS DISTINCT FROM OLD.event_id THEN
        PERFORM pg_advisory_xact_lock_shared(7291, hashtext(NEW.event_id::text));
    END IF;
    UPDATE analytics_eventrollup SET dirty = true
     WHERE NOT dirty AND event_id IN (OLD.event_id, NEW.event_id);
    RETURN NULL;
END $$""",
    """
CREATE OR REPLACE FUNCTION analytics_rollup_gone() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock_shared(7291, hashtext(e::text))
       FROM (SELECT DISTINCT event_id AS e FROM gone) AS events ORDER BY e;
    UPDATE analytics_eventrollup SET dirty = true
     WHERE NOT dirty AND event_id IN (SELECT event_id FROM gone);
    RETURN NULL;
END $$""",
    "DROP TRIGGER IF EXISTS analytics_rollup_registration_changed ON registrations_registration",
    """
CREATE TRIGGER analytics_rollup_registration_changed
AFTER UPDATE OF status, created_at, event_id ON registrations_registration
FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status
                   OR OLD.created_at IS DISTINCT FROM NEW.created_at
                   OR OLD.event_id IS DISTINCT FROM NEW.event_id)
EXECUTE FUNCTION analytics_rollup_changed()""",
    "DROP TRIGGER IF EXISTS analytics_rollup_registration_gone ON registrations_registration",
    """
CREATE TRIGGER analytics_rollup_registration_gone
AFTER DELETE ON registrations_registration REFERENCING OLD TABLE AS gone
FOR EACH STATEMENT EXECUTE FUNCTION analytics_rollup_gone()""",
    "DROP TRIGGER IF EXISTS analytics_rollup_attendance_gone ON access_attendance",
    """
CREATE TRIGGER analytics_rollup_attendance_gone
AFTER DELETE ON access_attendance REFERENCING OLD TABLE AS gone
FOR EACH STATEMENT EXECUTE FUNCTION analytics_rollup_gone()""",
]

_SQLITE = [
    """
CREATE TRIGGER IF NOT EXISTS analytics_rollup_registration_changed
AFTER UPDATE OF status, created_at, event_id ON registrations_registration
WHEN OLD.status IS NOT NEW.status OR OLD.created_at IS NOT NEW.created_at
     OR OLD.event_id IS NOT NEW.event_id
BEGIN
    UPDATE analytics_eventrollup SET dirty = 1
     WHERE dirty = 0 AND event_id IN (OLD.event_id, NEW.event_id);
END""",
    """
CREATE TRIGGER IF NOT EXISTS analytics_rollup_registration_gone
AFTER DELETE ON registrations_registration
BEGIN
    UPDATE analytics_eventrollup SET dirty = 1 WHERE dirty = 0 AND event_id = OLD.event_id;
END""",
    """
CREATE TRIGGER IF NOT EXISTS analytics_rollup_attendance_gone
AFTER DELETE ON access_attendance
BEGIN
    UPDATE analytics_eventrollup SET dirty = 1 WHERE dirty = 0 AND event_id = OLD.event_id;
END""",
]


def statements(vendor: str) -> list[str]:
    return _PG if vendor == "postgresql" else _SQLITE


def install(apps: Any, schema_editor: Any) -> None:
    """Create (or create again) the triggers: a migration's RunPython."""
    for sql in statements(schema_editor.connection.vendor):
        schema_editor.execute(sql)


def uninstall(apps: Any, schema_editor: Any) -> None:
    pg = schema_editor.connection.vendor == "postgresql"
    tables = ("registrations_registration",) * 2 + ("access_attendance",)
    for name, table in zip(NAMES, tables, strict=True):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if pg else ""))
    if pg:
        schema_editor.execute("DROP FUNCTION IF EXISTS analytics_rollup_changed()")
        schema_editor.execute("DROP FUNCTION IF EXISTS analytics_rollup_gone()")


def missing(connection: Any) -> list[str]:
    """The triggers that are not there (SQLite drops them with a rebuilt table)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE %s",
                           ["analytics_rollup_%"])
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                           "AND name LIKE %s", ["analytics_rollup_%"])
        found = {row[0] for row in cursor.fetchall()}
    return [name for name in NAMES if name not in found]
