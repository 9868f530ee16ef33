"""P6.8, P4.3 with persistent SQLite connections (issue 9): no closing connection empties
the WAL any more, so erasure's background job checkpoints it (``protection.jobs``): after
it, a deleted value is in neither the database file nor its ``-wal``. Runs on a SQLite
file of its own, whatever the test backend (the test databases are in memory)."""

from __future__ import annotations

from pathlib import Path

from django.db.utils import ConnectionHandler

from livesession.config.settings import _database
from livesession.protection.jobs import checkpoint_sqlite

MARKER = "MarkerOfAnErasedPersonQWZX"


def _bytes(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())


def test_p6_8_checkpoint_leaves_no_deleted_value_in_the_file_or_its_wal(
        tmp_path: Path) -> None:
    path = tmp_path / "wal.sqlite3"
    handler = ConnectionHandler({"default": _database(f"sqlite:///{path}")})
    connection = handler["default"]
    try:
        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE person (name TEXT)")
            cursor.execute("INSERT INTO person VALUES (%s)", [MARKER])
            cursor.execute("DELETE FROM person")
        # Control: the connection stays open (persistent), the old page is in the WAL.
        assert MARKER.encode() in _bytes(path)
        assert checkpoint_sqlite(connection)
        wal = Path(f"{path}-wal")
        assert not wal.exists() or wal.stat().st_size == 0
        assert MARKER.encode() not in _bytes(path)
    finally:
        handler.close_all()
