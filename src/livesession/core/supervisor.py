"""Run the web server and the worker as children of one process, and stop them both on one
Ctrl-C, within a few seconds, whatever state they are in.

Why not a shell's ``cmd & cmd`` with ``trap 'kill 0'``: a terminal's Ctrl-C reaches every
process of the foreground group at once (granian's master, its workers, huey's consumer and
the shell), then the trap's ``kill 0`` signals them all a second time, mid-shutdown. A
granian worker blocked in its wait may never see the signal (it can land on one of its Rust
threads), so the master waits for it with no limit, and the second Ctrl-C of an impatient
person lands in an interpreter that is being torn down.

Here each child gets a process group of its own: the terminal's Ctrl-C reaches only this
supervisor, which sends each child one SIGTERM, waits ``GRACE_SECONDS``, then kills the
groups still there. A second Ctrl-C kills them at once. A child also gets SIGTERM when the
supervisor dies (``PR_SET_PDEATHSIG``, Linux), so a killed supervisor leaves no server.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from types import FrameType

GRACE_SECONDS = 3.5
_PR_SET_PDEATHSIG = 1
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    libc_name = ctypes.util.find_library("c")
    if libc_name and sys.platform.startswith("linux"):
        ctypes.CDLL(libc_name, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


class Supervisor:
    def __init__(self) -> None:
        self.children: dict[str, subprocess.Popen[bytes]] = {}
        self.stops = 0  # stop signals received: the first stops gently, the second kills

    def start(self, name: str, argv: Sequence[str], env: dict[str, str] | None = None) -> None:
        # Its own process group (process_group=0): the terminal's Ctrl-C does not reach it.
        self.children[name] = subprocess.Popen(  # noqa: S603 - our own command, no shell
            list(argv), env=env, stdin=subprocess.DEVNULL, process_group=0,
            preexec_fn=_die_with_parent)  # runs before any thread of ours exists

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.stops += 1
        if self.stops > 1:
            self._signal_all(signal.SIGKILL)

    def handle_signals(self) -> None:
        for signum in STOP_SIGNALS:
            signal.signal(signum, self._on_signal)

    def exited(self) -> tuple[str, int] | None:
        """The first child that ended by itself, with its return code."""
        for name, proc in self.children.items():
            code = proc.poll()
            if code is not None:
                return name, code
        return None

    def wait_until(self, ready: Callable[[], bool], timeout: float) -> bool:
        """Polls ``ready`` until it is true; False when a stop came, a child ended or the
        time ran out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.stops or self.exited():
                return False
            if ready():
                return True
            time.sleep(0.2)
        return False

    def wait(self) -> int:
        """Until a stop signal or a child ends; then stops the others. The exit code: 0
        after a stop signal, else the code of the child that ended."""
        code = 0
        while not self.stops:
            ended = self.exited()
            if ended is not None:
                sys.stderr.write(f"livesession: the {ended[0]} stopped (exit code "
                                 f"{ended[1]}); stopping the rest.\n")
                code = ended[1] or 1
                break
            time.sleep(0.2)
        self.stop()
        return code

    def _signal_all(self, signum: int) -> None:
        for proc in self.children.values():
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signum)  # the child and whatever it started

    def stop(self) -> None:
        self._signal_all(signal.SIGTERM)
        deadline = time.monotonic() + GRACE_SECONDS
        for proc in self.children.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=max(deadline - time.monotonic(), 0.01))
        # Whatever is left in the groups (a granian worker that missed its signal, a
        # master stuck in its exit) goes now.
        self._signal_all(signal.SIGKILL)
        for proc in self.children.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=1)


def answers(url: str) -> Callable[[], bool]:
    """A readiness probe: the URL answers over HTTP, whatever its status."""

    def probe() -> bool:
        try:
            with urllib.request.urlopen(url, timeout=1):  # noqa: S310 - our own loopback URL
                return True
        except urllib.error.HTTPError:
            return True  # it answered (a 503 "worker not seen yet" is still an answer)
        except (urllib.error.URLError, OSError):
            return False

    return probe
