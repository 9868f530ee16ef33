"""Who is running on this var/: servers and workers hold a shared lock, a restore an
exclusive one (issue 5 §6: a restore must not swap a database under a live process).

``flock`` locks die with the process that holds them, so a crash leaves no stale lock. The
lock file lives in var/, so it sees only the processes of this machine: docs/backup.md says
to stop the processes on other hosts by hand.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from django.conf import settings


class Busy(Exception):
    """The lock is held by another process."""


def _path() -> Path:
    return Path(settings.VAR_DIR) / "run.lock"


def _take(mode: int) -> int:
    fd = os.open(_path(), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, mode | fcntl.LOCK_NB)
    except BlockingIOError as exc:
        os.close(fd)
        raise Busy(str(_path())) from exc
    return fd


def hold_shared(across_exec: bool = False) -> int:
    """Taken by ``serve`` and ``worker`` for their lifetime. ``across_exec``: the descriptor
    survives ``exec`` (serve replaces itself with granian, whose workers inherit it)."""
    fd = _take(fcntl.LOCK_SH)
    if across_exec:
        os.set_inheritable(fd, True)
    return fd


def hold_exclusive() -> int:
    """Taken by ``restore``: fails while any server or worker of this var/ is alive."""
    return _take(fcntl.LOCK_EX)


def release(fd: int) -> None:
    fcntl.flock(fd, fcntl.LOCK_UN)
    os.close(fd)
