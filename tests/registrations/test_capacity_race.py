"""Capacity is never oversold, and one address never registers twice (issue 3, points 6-7).

The real stack: ``livesession serve`` (granian, 2 WSGI workers) on a temporary var/, on the
embedded SQLite and on PostgreSQL, with about 200 client threads released together by a
barrier against events of 100 places. No worker runs: the emails stay queued in the
outbox, which is not under test here. Run by CI with ``pytest -m slow``; ``-s`` prints the
figures of each run (for the README; nothing here asserts a speed).
"""

from __future__ import annotations

import collections
import contextlib
import json
import os
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.processes import LS, free_port, instance_env, run, shell, wait

pytestmark = [pytest.mark.slow, pytest.mark.no_db]

PG_SERVER = "postgres://postgres@127.0.0.1:5432"
CAPACITY = 100
ATTEMPTS = 220  # distinct addresses per run: 120 more than the places
CLIENTS = 200  # client threads, released together
DUPLICATES = 50  # threads posting the same address at once
RUNS = 3  # fresh event each run
REQUEST_TIMEOUT = 30
FULL = "The event is full and has no waiting list."
ACCEPTED = "Registration received. The next steps have been sent to the email address given."
MARK = "RACE-JSON "

SETUP = f"""
import datetime as dt
import json
from livesession.core.clock import now
from livesession.core.services import create_client
from livesession.events.services import create_event, publish_event
client = create_client("Race", "owner@race.test", slug="race", actor="test").client
start = now() + dt.timedelta(days=7)
def make(waitlist, capacity={CAPACITY}):
    event = create_event(client, actor="test", title="Race", description="",
                         starts_at=start, ends_at=start + dt.timedelta(hours=1),
                         time_zone="Europe/Paris", room_url="https://room.example/race",
                         capacity=capacity, waitlist_enabled=waitlist)
    return str(publish_event(event, actor="test").pk)
events = {{"waitlist": [make(True) for _ in range({RUNS})],
           "full": [make(False) for _ in range({RUNS})], "duplicate": make(True),
           "warm_up": [make(True, 5), make(False, 5)]}}
print({MARK!r} + json.dumps(events))
"""

COUNTS = f"""
import json
from django.db.models import Count
from livesession.events.models import Event
from livesession.registrations.models import Registration
event = Event.objects.get(pk=%r)
rows = Registration.objects.filter(event=event).values("status").annotate(n=Count("id"))
print({MARK!r} + json.dumps({{"statuses": {{r["status"]: r["n"] for r in rows}},
                              "seats_taken": event.seats_taken}}))
"""


def _shell(env: dict[str, str], code: str) -> Any:
    return shell(env, code, MARK, timeout=120)


@contextlib.contextmanager
def _postgres_databases(name: str) -> Iterator[str]:
    """A database and its keystore database of their own, dropped afterwards."""
    try:
        admin = psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:  # CI starts PostgreSQL before the slow suites
        raise AssertionError(f"PostgreSQL is needed on 127.0.0.1:5432: {exc}") from exc
    names = [name, f"{name}_keystore"]
    with admin:
        for db in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{db}"')
        try:
            yield f"{PG_SERVER}/{name}"
        finally:
            for db in names:
                admin.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


@dataclass
class Stack:
    backend: str
    env: dict[str, str]
    base: str
    events: dict[str, Any]
    log: Path

    def counts(self, event_id: str) -> dict[str, Any]:
        return dict(_shell(self.env, COUNTS % event_id))

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def stack(request: pytest.FixtureRequest,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    backend = str(request.param)
    root = tmp_path_factory.mktemp(f"race-{backend}")
    env = instance_env(root / "var")
    with contextlib.ExitStack() as cleanup:
        if backend == "postgresql":
            name = f"livesession_race_{os.getpid()}"
            env["DATABASE_URL"] = cleanup.enter_context(_postgres_databases(name))
        run(["migrate"], env, timeout=180)
        events = _shell(env, SETUP)
        port = free_port()
        log = root / "serve.log"
        with log.open("wb") as out:
            server = subprocess.Popen(
                [LS, "serve", "--port", str(port), "--workers", "2"], env=env, stdout=out,
                stderr=subprocess.STDOUT, start_new_session=True)
        try:
            base = f"http://127.0.0.1:{port}"

            def ready() -> bool:
                assert server.poll() is None, log.read_text(errors="replace")
                try:
                    with urllib.request.urlopen(f"{base}/healthz", timeout=2) as answer:  # noqa: S310
                        return bool(answer.status == 200)
                except OSError:
                    return False

            wait(ready, 40, lambda: f"the web server\n{log.read_text(errors='replace')}")
            made = Stack(backend, env, base, events, log)
            _warm_up(made)
            yield made
        finally:
            if server.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)


@dataclass
class Answer:
    status: int  # HTTP status, or 0 when no answer came (the error is in ``body``)
    body: str


def _post(url: str, email: str) -> Answer:
    data = json.dumps({"email": email, "first_name": "Race", "last_name": "Runner"}).encode()
    request = urllib.request.Request(  # noqa: S310  (loopback http URL)
        url, data=data, method="POST",
        headers={"Content-Type": "application/json", "Accept-Language": "en"})
    try:
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT) as response:  # noqa: S310
            return Answer(response.status, response.read().decode(errors="replace"))
    except urllib.error.HTTPError as exc:
        return Answer(exc.code, exc.read().decode(errors="replace"))
    except OSError as exc:  # refused, reset or timed out: no HTTP answer at all
        return Answer(0, f"{type(exc).__name__}: {exc}")


def _race(url: str, emails: list[str], clients: int) -> tuple[list[Answer], float]:
    """POST every address with ``clients`` threads, released together by a barrier.
    Returns the answers (in the order of ``emails``) and the seconds from release to the
    last answer."""
    answers: list[Answer | None] = [None] * len(emails)
    pending = iter(range(len(emails)))
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)

    def client() -> None:
        barrier.wait(timeout=60)
        while True:
            with lock:
                index = next(pending, None)
            if index is None:
                return
            answers[index] = _post(url, emails[index])

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait(timeout=60)
    started = time.monotonic()
    deadline = started + REQUEST_TIMEOUT * (len(emails) // clients + 2)
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    elapsed = time.monotonic() - started
    assert not any(t.is_alive() for t in threads), "client threads still waiting"
    assert all(a is not None for a in answers)
    return [a for a in answers if a is not None], elapsed


def _url(stack: Stack, event_id: str) -> str:
    return f"{stack.base}/api/v1/events/{event_id}/registrations"


def _warm_up(stack: Stack) -> None:
    """Every path once in every server thread before the measured runs (confirmed,
    waitlisted, full, already registered), as on a server that has been up for a while:
    the first requests of a fresh process pay for imports, templates and connections."""
    for number, event_id in enumerate(stack.events["warm_up"]):
        emails = [f"warm-{number}-{i % 30}@race.test" for i in range(40)]
        answers, elapsed = _race(_url(stack, event_id), emails, 20)
        _no_server_error(stack, answers, elapsed)


def _report(stack: Stack, label: str, answers: list[Answer], elapsed: float,
            counts: dict[str, Any]) -> None:
    codes = collections.Counter(a.status for a in answers)
    print(f"\n[{stack.backend}] {label}: {len(answers)} requests in {elapsed:.2f} s, "
          f"{len(answers) / elapsed:.0f} req/s; answers {dict(sorted(codes.items()))}; "
          f"rows {counts['statuses']}, seats_taken {counts['seats_taken']}")


def _no_server_error(stack: Stack, answers: list[Answer], elapsed: float) -> None:
    """No 5xx, no request left without an answer, no "database is locked" logged (on SQLite
    that error would be a 500)."""
    failed = [a for a in answers if a.status == 0 or a.status >= 500]
    log = stack.log_text()
    locked = log.count("database is locked")
    assert not failed and not locked, (
        f"[{stack.backend}] {len(answers)} requests in {elapsed:.1f} s: "
        f"{dict(collections.Counter(a.status for a in answers))}; first failure "
        f"{failed[:1]}; 'database is locked' {locked} times in the server log\n{log[-3000:]}")


@pytest.mark.parametrize("run", range(RUNS))
def test_waiting_list_takes_everyone_past_capacity(stack: Stack, run: int) -> None:
    event_id = stack.events["waitlist"][run]
    emails = [f"wait-{run}-{i}@race.test" for i in range(ATTEMPTS)]
    answers, elapsed = _race(_url(stack, event_id), emails, CLIENTS)
    _no_server_error(stack, answers, elapsed)
    counts = stack.counts(event_id)
    _report(stack, f"waiting list, run {run + 1}", answers, elapsed, counts)

    assert [a.status for a in answers] == [202] * ATTEMPTS, answers
    assert {json.loads(a.body)["detail"] for a in answers} == {ACCEPTED}
    assert counts["statuses"] == {"confirmed": CAPACITY, "waitlisted": ATTEMPTS - CAPACITY}
    assert counts["seats_taken"] == CAPACITY


@pytest.mark.parametrize("run", range(RUNS))
def test_full_event_without_waiting_list_is_never_oversold(stack: Stack, run: int) -> None:
    event_id = stack.events["full"][run]
    emails = [f"full-{run}-{i}@race.test" for i in range(ATTEMPTS)]
    answers, elapsed = _race(_url(stack, event_id), emails, CLIENTS)
    _no_server_error(stack, answers, elapsed)
    counts = stack.counts(event_id)
    _report(stack, f"no waiting list, run {run + 1}", answers, elapsed, counts)

    codes = collections.Counter(a.status for a in answers)
    assert codes == {202: CAPACITY, 409: ATTEMPTS - CAPACITY}, codes
    refusals = [json.loads(a.body) for a in answers if a.status == 409]
    assert all(r == {"errors": {"detail": [FULL]}} for r in refusals), refusals[:3]
    assert counts["statuses"] == {"confirmed": CAPACITY}
    assert counts["seats_taken"] == CAPACITY


def test_same_address_at_once_registers_once(stack: Stack) -> None:
    event_id = stack.events["duplicate"]
    # One address, written 50 ways: case and surrounding spaces do not make another person.
    base = "same.person@race.test"
    emails = [" " * (i % 3) + "".join(c.upper() if (i >> k) & 1 else c
                                      for k, c in enumerate(base)) + " " * (i % 2)
              for i in range(DUPLICATES)]
    assert len(set(emails)) == DUPLICATES
    answers, elapsed = _race(_url(stack, event_id), emails, DUPLICATES)
    _no_server_error(stack, answers, elapsed)
    counts = stack.counts(event_id)
    _report(stack, "same address", answers, elapsed, counts)

    # Every answer is the same 202: the API does not tell who is already registered.
    assert {(a.status, a.body) for a in answers} == {(answers[0].status, answers[0].body)}
    assert answers[0].status == 202
    assert counts["statuses"] == {"confirmed": 1}
    assert counts["seats_taken"] == 1
