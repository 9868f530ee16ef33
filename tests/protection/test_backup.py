"""Backups and restore (issue 5 §6): manifests, checksum and kind refusals, retention, the run
lock. The full drill (erase, restore the old backup, replay) is in test_backup_drill.py."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connections

from livesession.core import runlock
from livesession.core.clock import freeze, now
from livesession.protection import backup

pytestmark = pytest.mark.no_db


def _fake(folder: Path, kind: str, created: dt.datetime, data: bytes = b"x" * 64,
          **extra: Any) -> Path:
    """A backup file with the manifest ``take`` would write (the engine of this run)."""
    folder.mkdir(parents=True, exist_ok=True)
    file = folder / f"{backup._stamp(created)}.bin"
    file.write_bytes(data)
    manifest = {"format": 1, "kind": kind, "engine": connections["default"].vendor,
                "created_at": created.isoformat(), "file": file.name, "size": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
                "migrations": {"core": ["0001_initial"]}} | extra
    (folder / f"{file.name}.manifest.json").write_text(json.dumps(manifest))
    return file


def test_issue5_6_verify_accepts_an_intact_backup(tmp_path: Path) -> None:
    file = _fake(tmp_path / "main", "main", now())
    assert backup.verify("main", file)["kind"] == "main"


def test_issue5_6_restore_refuses_bad_input_with_clear_messages(tmp_path: Path) -> None:
    main = _fake(tmp_path / "main", "main", now())
    keys = _fake(tmp_path / "keystore", "keystore", now())
    cases = {
        tmp_path / "missing.sqlite3": "no such file",
        keys: "a keystore backup, not a main backup",
    }
    bare = tmp_path / "bare.sqlite3"
    bare.write_bytes(b"SQLite format 3\0")
    cases[bare] = "manifest bare.sqlite3.manifest.json is missing"
    tampered = _fake(tmp_path / "t", "main", now())
    tampered.write_bytes(b"y" * 64)
    cases[tampered] = "checksum mismatch"
    newer = _fake(tmp_path / "n", "main", now(), migrations={"core": ["9999_from_the_future"]})
    cases[newer] = "newer version (unknown migrations: core.9999_from_the_future)"
    for file, message in cases.items():
        with pytest.raises(CommandError, match="restore refused") as refused:
            call_command("restore", main=file)
        assert message in str(refused.value), (file, refused.value)
    with pytest.raises(CommandError, match="a main backup, not a keystore backup"):
        call_command("restore", main=main, keystore=main)


def test_issue5_6_restore_refuses_while_a_server_or_worker_holds_the_run_lock(
        tmp_path: Path) -> None:
    main = _fake(tmp_path / "main", "main", now())
    held = runlock.hold_shared()  # what serve and worker take for their lifetime
    try:
        with pytest.raises(CommandError, match="server or worker is running"):
            call_command("restore", main=main)
    finally:
        runlock.release(held)
    # ...and a server cannot start while a restore holds it.
    restoring = runlock.hold_exclusive()
    try:
        with pytest.raises(runlock.Busy):
            runlock.hold_shared()
    finally:
        runlock.release(restoring)


def test_issue5_6_keystore_backups_expire_sooner_than_main_backups(
        tmp_path: Path, settings: Any) -> None:
    """An erased person's key lives on only in keystore backups: they expire first."""
    settings.BACKUP_RETENTION_DAYS, settings.KEYSTORE_BACKUP_RETENTION_DAYS = 30, 7
    moment = now()
    kept_main = _fake(tmp_path / "main", "main", moment - dt.timedelta(days=10))
    old_main = _fake(tmp_path / "main", "main", moment - dt.timedelta(days=31))
    old_keys = _fake(tmp_path / "keystore", "keystore", moment - dt.timedelta(days=10))
    kept_keys = _fake(tmp_path / "keystore", "keystore", moment - dt.timedelta(days=6))
    with freeze(moment):
        assert backup.prune(tmp_path) == {"main": 1, "keystore": 1}
    assert kept_main.exists() and kept_keys.exists()
    assert not old_main.exists() and not old_keys.exists()
    assert not Path(f"{old_keys}.manifest.json").exists()


# transaction=True: the backup reads the databases from outside any transaction, as the
# command does in production (a test transaction would hold SQLite's write lock).
@pytest.mark.django_db(databases="__all__", transaction=True)
def test_issue5_6_backup_writes_each_database_apart_with_its_manifest(tmp_path: Path) -> None:
    call_command("backup", dest=tmp_path)
    for kind in ("main", "keystore"):
        (manifest_file,) = (tmp_path / kind).glob("*.manifest.json")
        manifest = json.loads(manifest_file.read_text())
        file = tmp_path / kind / manifest["file"]
        assert manifest["kind"] == kind
        assert manifest["sha256"] == hashlib.sha256(file.read_bytes()).hexdigest()
        assert "protection" in manifest["migrations"]
        assert backup.verify(kind, file) == manifest
    # The erasure journal is never in a backup: it must not roll back with a restore.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keystore", "main"]
