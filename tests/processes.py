"""Real processes for the slow suites (kills, races, restarts): the ``livesession`` command
started on a temporary var/, each process in its own group so SIGKILL takes all of it
(granian's workers too) and nothing outlives the test."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

LS = str(Path(sys.executable).with_name("livesession"))
# The test process's own settings must not leak into the instance under test.
_PARENT_ONLY = {"DATABASE_URL", "KEYSTORE_DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE",
                "LIVESESSION_TESTING"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait(condition: Callable[[], bool], timeout: float, what: Callable[[], str],
         poll: float = 0.02) -> None:
    """Poll until ``condition`` holds; ``what`` describes the wait, read only on timeout."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what()}")
        time.sleep(poll)


def instance_env(var: Path, **extra: str) -> dict[str, str]:
    """The environment of an instance on ``var``: tasks go through the real queue, the rate
    limits are lifted (every request comes from 127.0.0.1)."""
    env = {k: v for k, v in os.environ.items()
           if k not in _PARENT_ONLY and not k.startswith("GRANIAN_")}
    env.update(LIVESESSION_VAR_DIR=str(var), LIVESESSION_TASKS_IMMEDIATE="0",
               RATE_LIMIT_REGISTER="1000000", RATE_LIMIT_REGISTER_EVENT="1000000",
               LOG_LEVEL="WARNING")
    env.update(extra)
    return env


def run(args: list[str], env: dict[str, str], timeout: float = 60) -> str:
    done = subprocess.run([LS, *args], env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)
    assert done.returncode == 0, f"livesession {args[0]}: {done.stdout}\n{done.stderr}"
    return done.stdout


def shell(env: dict[str, str], code: str, mark: str, timeout: float = 60) -> Any:
    """Run Python in ``livesession manage shell``; the JSON it prints after ``mark``."""
    out = run(["manage", "shell", "-c", code], env, timeout=timeout)
    line = next(x for x in out.splitlines() if x.startswith(mark))
    return json.loads(line[len(mark):])


class Processes:
    """Our own subprocesses, each in its own process group."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env = env
        self.logs = logs
        self.running: list[subprocess.Popen[bytes]] = []
        self.started = itertools.count()

    def start(self, *args: str) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{args[0]}-{next(self.started)}.log").open("wb")
        with log:
            proc = subprocess.Popen([LS, *args], env=self.env, stdout=log,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        self.running.append(proc)
        return proc

    def kill(self, proc: subprocess.Popen[bytes]) -> None:
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):  # it died on its own meanwhile
                os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        if proc in self.running:
            self.running.remove(proc)

    def kill_all(self) -> None:
        for proc in list(self.running):
            self.kill(proc)

    def log_tail(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-1500:]}"
                         for p in sorted(self.logs.glob("*.log")))


@dataclass
class Mailbox:
    """aiosmtpd handler for another process's mail: every accepted message as (Message-ID,
    envelope recipient). ``delay`` makes each message take a moment, so that a kill lands
    while deliveries are in flight."""

    delay: float = 0.0
    received: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(self.delay)
        mail = message_from_bytes(envelope.content)
        with self.lock:
            for rcpt in envelope.rcpt_tos:
                self.received.append((str(mail["Message-ID"]), rcpt))
        return "250 OK"

    def snapshot(self) -> list[tuple[str, str]]:
        with self.lock:
            return list(self.received)


@contextlib.contextmanager
def mail_server() -> Iterator[tuple[Mailbox, int]]:
    """A real SMTP server on a free loopback port, for the instance under test."""
    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()
