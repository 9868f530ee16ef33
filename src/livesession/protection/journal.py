"""The erasure journal (issue 5 §6): every erased person, kept OUTSIDE the main database.

A backup of the main database taken before an erasure still holds that person's rows; their
key is gone from the keystore, so the sealed values are unreadable, but the rows, keyed
hashes and clear columns would come back with a restore. ``livesession restore`` therefore
replays this journal before serving: every subject listed is erased again.

One JSON object per line in ``settings.ERASURE_JOURNAL_PATH`` (var/erasure-journal.jsonl by
default): ``{"subject": "<uuid>", "controller": "client:3", "at": "<ISO time>",
"scope": "client" | "everywhere"}``. No address, no name: a subject id means nothing
without the main database. Appended with fsync before the erasure is reported done; never
rewritten (a restored backup must not roll it back, so it is not in the backups either).
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from livesession.core.clock import now


@dataclass(frozen=True)
class Entry:
    subject: uuid.UUID
    controller: str
    at: str
    scope: str


def path() -> Path:
    return Path(settings.ERASURE_JOURNAL_PATH)


# One write of at most this many bytes: an O_APPEND write of a regular file lands whole
# (no other writer's line inside it); bigger batches are cut at line ends.
CHUNK_BYTES = 1 << 20


def append(subject_id: uuid.UUID, controller: str, scope: str) -> Entry:
    """Record one erased subject, durably (fsync) before returning."""
    return append_many([(subject_id, controller)], scope)[0]


def append_many(subjects: Iterable[tuple[uuid.UUID, str]], scope: str) -> list[Entry]:
    """Record several erased subjects (``(subject id, controller)`` pairs) with one fsync,
    durably before returning: the same lines as ``append`` one by one, for the price of one
    (a whole client's end of contract journals every subject; issue 9, S6)."""
    at = now().isoformat()
    entries = [Entry(subject=sid, controller=controller, at=at, scope=scope)
               for sid, controller in subjects]
    if not entries:
        return entries
    target = path()
    target.parent.mkdir(parents=True, exist_ok=True)
    lines = [(json.dumps({"subject": str(e.subject), "controller": e.controller,
                          "at": e.at, "scope": e.scope}, sort_keys=True) + "\n").encode()
             for e in entries]
    # O_APPEND: concurrent writers (web and worker processes) never interleave a line.
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        chunk: list[bytes] = []
        size = 0
        for line in lines:
            if chunk and size + len(line) > CHUNK_BYTES:
                _write_all(fd, b"".join(chunk))
                chunk, size = [], 0
            chunk.append(line)
            size += len(line)
        _write_all(fd, b"".join(chunk))
        os.fsync(fd)
    finally:
        os.close(fd)
    return entries


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def entries() -> Iterator[Entry]:
    """Every recorded erasure, oldest first. A torn last line (a crash mid-write) is
    skipped: that erasure was not reported done, and is run again by whoever asked."""
    target = path()
    if not target.exists():
        return
    with target.open(encoding="utf-8") as handle:
        for raw in handle:
            try:
                data = json.loads(raw)
                yield Entry(subject=uuid.UUID(data["subject"]), controller=data["controller"],
                            at=data["at"], scope=data["scope"])
            except (ValueError, KeyError, TypeError):
                continue
