"""The backup drill (issue 5 §6, P6.8): back up, erase a person, restore the OLD backup,
and prove the person's data is unreadable and then purged, on SQLite and PostgreSQL.

A real instance on a temporary var/, driven through the ``livesession`` command in
subprocesses (backup, restore, worker) like production. Two restores of the backup taken
before the erasure:

* main only: the person's rows come back, but their key is destroyed in the live keystore,
  so every sealed value reads empty; the journal replay then deletes the rows;
* main and keystore: the old keystore brings the person's key back (their data would be
  readable again); the replay destroys it again and deletes the rows.

Run by CI with ``pytest -m slow``.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.processes import LS, Processes, instance_env, run, shell, wait
from tests.registrations.test_capacity_race import _postgres_databases

pytestmark = [pytest.mark.slow, pytest.mark.no_db]

MARK = "DRILL-JSON "
TOKEN = uuid.uuid4().hex[:12]
MARKERS = [f"DRILLFIRST{TOKEN}", f"DRILLLAST{TOKEN}", f"drill-{TOKEN}@example.org"]

SETUP = f"""
import datetime as dt, json
from livesession.core.clock import now
from livesession.core.services import create_client
from livesession.events.services import create_event, publish_event
from livesession.registrations.services import register
client = create_client("Drill", "owner@drill.test", slug="drill", actor="test").client
start = now() + dt.timedelta(days=3)
event = create_event(client, actor="test", title="Drill", description="",
                     starts_at=start, ends_at=start + dt.timedelta(hours=1),
                     time_zone="Europe/Paris", room_url="https://room.example/r")
publish_event(event, actor="test")
p = register(event, email={MARKERS[2]!r}, first_name={MARKERS[0]!r},
             last_name={MARKERS[1]!r}).registration
q = register(event, email="keep@example.org", first_name="Keep", last_name="Me").registration
print({MARK!r} + json.dumps({{"p": str(p.pk), "p_subject": str(p.subject_id),
                              "q": str(q.pk)}}))
"""

ERASE = f"""
import json
from livesession.protection import erasure
from livesession.protection.models import Subject
erasure.erase_person(Subject.objects.get(pk=%r), actor="test")
print({MARK!r} + json.dumps(True))
"""

# The state of P and Q as the application sees it, and a scan of every table of both
# databases for P's markers and P's subject id. (S608: the table names come from the
# database's own introspection, quoted; nothing outside the test goes into the SQL.)
PROBE = f"""
import json, uuid
from django.db import connections
from livesession.protection import keystore
from livesession.protection.models import DataKey, Subject
from livesession.registrations.models import Registration
markers = {MARKERS!r}
p, subject, q = %r, %r, %r
sid = uuid.UUID(subject)
needles = markers + [subject, sid.hex]
hits = []
def text(value):
    value = bytes(value) if isinstance(value, memoryview) else value
    return value.hex() + " " + value.decode("latin-1") if isinstance(value, bytes) else str(value)
for alias in ("default", "keystore"):
    with connections[alias].cursor() as cursor:
        for table in connections[alias].introspection.table_names(cursor):
            cursor.execute("SELECT * FROM " + connections[alias].ops.quote_name(table))
            for row in cursor.fetchall():
                line = " ".join(text(v) for v in row).lower()
                hits += [[alias, table, "marker" if n in markers else "id"]
                         for n in needles if n.lower() in line]
with keystore.unit_of_work():
    reg = Registration.objects.filter(pk=p).first()
    other = Registration.objects.get(pk=q)
    key = DataKey.objects.filter(subject_id=sid).values_list("wrapped", flat=True).first()
    state = {{
        "p_row": reg is not None,
        "p_subject_row": Subject.objects.filter(pk=sid).exists(),
        "p_read": [reg.first_name, reg.last_name, reg.email] if reg is not None else None,
        "p_key_alive": key is not None,
        "q_read": [other.first_name, other.last_name],
        "hits": sorted(set(map(tuple, hits))),
    }}
print({MARK!r} + json.dumps(state))
"""  # noqa: S608

RESTORE_FILES = f"""
import json
from pathlib import Path
from livesession.protection import backup
for kind, file in %r:
    backup.restore_file(kind, Path(file))
print({MARK!r} + json.dumps(True))
"""


def _shell(env: dict[str, str], code: str) -> Any:
    return shell(env, code, MARK, timeout=180)


@pytest.fixture(params=["sqlite", "postgresql"])
def instance(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    env = instance_env(tmp_path / "var")
    with contextlib.ExitStack() as cleanup:
        if request.param == "postgresql":
            name = f"livesession_drill_{os.getpid()}"
            env["DATABASE_URL"] = cleanup.enter_context(_postgres_databases(name))
        run(["migrate"], env, timeout=180)
        yield env


def _restore(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([LS, "restore", *args], env=env, capture_output=True, text=True,
                          timeout=300, check=False)


def _assert_purged(state: dict[str, Any]) -> None:
    """No row of P left, no marker anywhere; the only trace of P's id is the shredded key
    row (kept as evidence, NULL key) and the audit trail's pseudonymous ids."""
    assert not state["p_row"] and not state["p_subject_row"], state
    assert not state["p_key_alive"], state
    assert [h for h in state["hits"] if h[2] == "marker"] == [], state["hits"]
    allowed = {("keystore", "protection_datakey")}
    leftovers = [h for h in state["hits"]
                 if (h[0], h[1]) not in allowed and not h[1].startswith("audit_")]
    assert leftovers == [], state["hits"]
    assert state["q_read"] == ["Keep", "Me"]  # nobody else was touched


def _raw_sqlite_hits(var: Path) -> list[str]:
    found = []
    for path in var.glob("*.sqlite3*"):
        data = path.read_bytes()
        found += [f"{path.name}:{m}" for m in MARKERS if m.encode() in data]
    return found


def test_issue5_6_backup_drill_restore_old_backup_then_journal_replay(
        instance: dict[str, str], tmp_path: Path) -> None:
    env = instance
    ids = _shell(env, SETUP)
    probe = PROBE % (ids["p"], ids["p_subject"], ids["q"])
    before = _shell(env, probe)
    assert before["p_read"] == MARKERS and before["p_key_alive"]
    # The scan sees P's id where it is (so an empty scan later means something).
    assert ("default", "registrations_registration", "id") in map(tuple, before["hits"])

    dest = tmp_path / "backups"
    out = run(["backup", "--dest", str(dest)], env, timeout=180)
    assert "main:" in out and "keystore:" in out
    (old_main,) = [p for p in (dest / "main").iterdir() if not p.name.endswith(".json")]
    (old_keys,) = [p for p in (dest / "keystore").iterdir() if not p.name.endswith(".json")]

    _shell(env, ERASE % ids["p_subject"])
    _assert_purged(_shell(env, probe))

    # The restore refuses while a worker of this instance runs.
    procs = Processes(env, tmp_path)
    try:
        worker = procs.start("worker")
        log = tmp_path / "worker-0.log"
        wait(lambda: "worker started" in log.read_text(errors="replace"), 60,
             lambda: procs.log_tail())
        refused = _restore(env, "--main", str(old_main))
        assert refused.returncode != 0
        assert "server or worker is running" in refused.stderr
        procs.kill(worker)
    finally:
        procs.kill_all()

    # 1. The old main database alone, before any replay: P's rows are back, unreadable.
    _shell(env, RESTORE_FILES % [("main", str(old_main))])
    back = _shell(env, probe)
    assert back["p_row"] and not back["p_key_alive"]
    assert back["p_read"] == ["", "", ""]
    # ...then the real restore: the journal replay purges them.
    done = _restore(env, "--main", str(old_main))
    assert done.returncode == 0, done.stderr
    assert "1 entries, 1 subjects erased again" in done.stdout
    assert TOKEN not in done.stdout + done.stderr  # counts only
    _assert_purged(_shell(env, probe))

    # 2. Main and keystore from before the erasure: P's key comes back (readable again!)...
    _shell(env, RESTORE_FILES % [("main", str(old_main)), ("keystore", str(old_keys))])
    danger = _shell(env, probe)
    assert danger["p_key_alive"] and danger["p_read"] == MARKERS
    # ...and the real restore destroys it again before returning.
    done = _restore(env, "--main", str(old_main), "--keystore", str(old_keys))
    assert done.returncode == 0, done.stderr
    _assert_purged(_shell(env, probe))
    if "DATABASE_URL" not in env:  # SQLite: not even in the raw files (free pages, WAL)
        assert _raw_sqlite_hits(Path(env["LIVESESSION_VAR_DIR"])) == []
