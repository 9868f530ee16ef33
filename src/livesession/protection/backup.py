"""Backups that honour erasure (issue 5 §6; docs/backup.md).

``take`` writes a consistent copy of the main database and, in a folder of its own, of the
keystore, each beside a manifest (kind, engine, time, SHA-256, applied migrations).
``prune`` deletes the copies older than their retention: the keystore's is shorter, since an
erased person's key lives on only in keystore backups. ``restore`` puts copies back
atomically, migrates forward, then replays the erasure journal so nobody erased comes back.
The journal itself is never in a backup: a restore must not roll it back.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.migrations.loader import MigrationLoader

from livesession.core.clock import now

KINDS = {"main": "default", "keystore": "keystore"}
MANIFEST_SUFFIX = ".manifest.json"
FORMAT = 1


class BackupError(Exception):
    """A backup or restore refused, with a message for the operator."""


@dataclass(frozen=True)
class Written:
    kind: str
    path: Path
    manifest: dict[str, Any]


def engine(alias: str) -> str:
    vendor = connections[alias].vendor
    if vendor not in {"sqlite", "postgresql"}:
        raise BackupError(f"no backup method for the {vendor} engine")
    return vendor


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _applied(alias: str) -> dict[str, list[str]]:
    loader = MigrationLoader(connections[alias], ignore_no_migrations=True)
    state: dict[str, list[str]] = {}
    for app, name in sorted(loader.applied_migrations or {}):
        state.setdefault(app, []).append(name)
    return state


def _pg_env(alias: str) -> dict[str, str]:
    """libpq's variables from the settings: the password never on a command line."""
    db = connections[alias].settings_dict
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"),
                     ("PASSWORD", "PGPASSWORD"), ("NAME", "PGDATABASE")):
        if db.get(key):
            env[var] = str(db[key])
    if db.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = str(db["OPTIONS"]["sslmode"])
    return env


def _run(argv: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)  # noqa: S603  (fixed argv, no shell)
    if done.returncode != 0:
        raise BackupError(f"{argv[0]} failed: {done.stderr.strip()[-2000:]}")


def _sqlite_copy(source: Path | str, target: Path | str) -> None:
    """The online backup API: a consistent snapshot even while others write."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(str(target))
        try:
            src.backup(dst)  # one step: the destination is written in one transaction
        finally:
            dst.close()
    finally:
        src.close()


def _dump(kind: str, alias: str, target: Path) -> None:
    if engine(alias) == "sqlite":
        # Through the application's own connection (its settings, in-memory test databases
        # too); the backup API takes a consistent snapshot while others write.
        connection = connections[alias]
        if connection.in_atomic_block:
            # SQLite answers BUSY to a backup from a connection holding a write transaction
            # (BEGIN IMMEDIATE), and Python's backup() retries forever: refuse instead.
            raise BackupError("a backup cannot run inside a transaction")
        connection.ensure_connection()
        dst = sqlite3.connect(str(target))
        try:
            connection.connection.backup(dst)
        finally:
            dst.close()
    else:
        _run(["pg_dump", "-Fc", "--no-owner", "--no-privileges", "-f", str(target)],
             _pg_env(alias))


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%S.%fZ")


def take(dest: Path) -> list[Written]:
    """Back up the main database and the keystore, each to its own folder under ``dest``."""
    moment = now()
    written = []
    for kind, alias in KINDS.items():
        folder = dest / kind
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        vendor = engine(alias)
        target = folder / f"{_stamp(moment)}.{'sqlite3' if vendor == 'sqlite' else 'pgdump'}"
        partial = target.with_name(target.name + ".partial")
        _dump(kind, alias, partial)
        manifest = {"format": FORMAT, "kind": kind, "engine": vendor,
                    "created_at": moment.isoformat(), "file": target.name,
                    "size": partial.stat().st_size, "sha256": _sha256(partial),
                    "migrations": _applied(alias)}
        os.chmod(partial, 0o600)
        os.replace(partial, target)  # never a half-written file under the final name
        _manifest_path(target).write_text(json.dumps(manifest, indent=2, sort_keys=True))
        written.append(Written(kind, target, manifest))
    return written


def _manifest_path(file: Path) -> Path:
    return file.with_name(file.name + MANIFEST_SUFFIX)


def retention_days(kind: str) -> int:
    return int(settings.KEYSTORE_BACKUP_RETENTION_DAYS if kind == "keystore"
               else settings.BACKUP_RETENTION_DAYS)


def prune(dest: Path) -> dict[str, int]:
    """Delete every backup older than its kind's retention; counts per kind."""
    deleted = {}
    for kind in KINDS:
        cutoff = now() - dt.timedelta(days=retention_days(kind))
        count = 0
        for manifest_file in sorted((dest / kind).glob(f"*{MANIFEST_SUFFIX}")):
            try:
                manifest = json.loads(manifest_file.read_text())
                created = dt.datetime.fromisoformat(manifest["created_at"])
            except (ValueError, KeyError, TypeError):
                continue  # not ours, or damaged: left for the operator to look at
            if created < cutoff:
                (manifest_file.parent / manifest["file"]).unlink(missing_ok=True)
                manifest_file.unlink()
                count += 1
        deleted[kind] = count
    return deleted


def verify(kind: str, file: Path) -> dict[str, Any]:
    """The manifest of ``file``, checked: it exists, it is of ``kind`` and of this engine,
    its checksum matches, and this code knows every migration it was at."""
    if not file.is_file():
        raise BackupError(f"{file}: no such file")
    manifest_file = _manifest_path(file)
    if not manifest_file.is_file():
        raise BackupError(f"{file}: its manifest {manifest_file.name} is missing; "
                          "is this a livesession backup?")
    try:
        manifest = json.loads(manifest_file.read_text())
        found_kind, found_engine = manifest["kind"], manifest["engine"]
        checksum, migrations = manifest["sha256"], manifest["migrations"]
    except (ValueError, KeyError, TypeError) as exc:
        raise BackupError(f"{manifest_file}: unreadable manifest") from exc
    if found_kind != kind:
        raise BackupError(f"{file}: a {found_kind} backup, not a {kind} backup")
    expected_engine = engine(KINDS[kind])
    if found_engine != expected_engine:
        raise BackupError(f"{file}: a {found_engine} backup, this instance runs on "
                          f"{expected_engine}")
    if _sha256(file) != checksum:
        raise BackupError(f"{file}: checksum mismatch, the file is damaged or was changed")
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    unknown = sorted(f"{app}.{name}" for app, names in migrations.items() for name in names
                     if (app, name) not in known)
    if unknown:
        raise BackupError(f"{file}: made by a newer version (unknown migrations: "
                          f"{', '.join(unknown[:5])}); upgrade before restoring")
    return dict(manifest)


def _restore_sqlite(alias: str, file: Path) -> None:
    """Copy into a temporary file, check it, then copy it into place with the backup API,
    which writes the live file in one transaction: all of it or nothing."""
    target = Path(connections[alias].settings_dict["NAME"])
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".restore-") as tmp:
        staged = Path(tmp) / "staged.sqlite3"
        _sqlite_copy(file, staged)
        check = sqlite3.connect(str(staged))
        try:
            result = check.execute("PRAGMA integrity_check").fetchone()
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"{file}: not a SQLite database ({exc})") from exc
        finally:
            check.close()
        if result != ("ok",):
            raise BackupError(f"{file}: integrity check failed: {result}")
        _sqlite_copy(staged, target)


def _restore_postgresql(alias: str, file: Path) -> None:
    """One transaction: the schema emptied, the dump loaded; on any error, nothing changed
    (objects created by newer migrations go too, so migrating forward starts clean)."""
    env = _pg_env(alias)
    with tempfile.TemporaryDirectory(prefix="livesession-restore-") as tmp:
        script = Path(tmp) / "restore.sql"
        _run(["pg_restore", "--no-owner", "--no-privileges", "-f", str(script), str(file)],
             env)
        _run(["psql", "--no-psqlrc", "--quiet", "--single-transaction", "-v", "ON_ERROR_STOP=1",
              "-c", "DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;",
              "-f", str(script)], env)


def restore_file(kind: str, file: Path) -> None:
    alias = KINDS[kind]
    connections[alias].close()
    if engine(alias) == "sqlite":
        _restore_sqlite(alias, file)
    else:
        _restore_postgresql(alias, file)
    connections[alias].close()


def default_dir() -> Path:
    return Path(settings.BACKUP_DIR)


@dataclass(frozen=True)
class Restored:
    kinds: list[str]
    journal_entries: int
    subjects_purged: int


def restore(main: Path, keystore: Path | None = None) -> Restored:
    """Check every file first, then restore, migrate forward and replay the journal.

    The caller holds the run lock (no server or worker of this var/ alive)."""
    from django.core.management import call_command

    from livesession.protection import erasure, journal

    files = {"main": main} | ({"keystore": keystore} if keystore is not None else {})
    for kind, file in files.items():
        verify(kind, file)
    for kind, file in files.items():
        restore_file(kind, file)
    for alias in KINDS.values():  # a backup older than the code: migrate it forward
        call_command("migrate", database=alias, interactive=False, verbosity=0)
    # Before anything serves: every erased subject is erased again (its restored rows, and
    # its key if the keystore came back from before the erasure).
    entries = list(journal.entries())
    subjects = list(dict.fromkeys(entry.subject for entry in entries))
    for subject in subjects:
        erasure.purge_subject(subject)
    return Restored(kinds=list(files), journal_entries=len(entries),
                    subjects_purged=len(subjects))
