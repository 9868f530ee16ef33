"""Before/after figures of the join and registration hot paths (issue 9, brief F).

N requests through Django's own WSGI handler (``django.core.handlers.wsgi.WSGIHandler``:
the whole middleware stack and the ``request_started``/``request_finished`` signals, so
connections are opened and closed as the settings say, unlike the test client), on a
migrated instance of its own, one process, one thread. Per request: wall time, CPU time
of this process, SQL statements and commits that wrote something (per database alias).

    .venv/bin/python bench/scenarios/_f_profile.py sqlite join 400
    .venv/bin/python bench/scenarios/_f_profile.py pg register 300 [--profile]
    what: join | register | full (attempts on an event already full)

The PostgreSQL instance uses the databases ``ls_f_bench`` and ``ls_f_bench_keystore``
(dropped and created again). Absolute times depend on the machine's load; CPU time and
the counts do not.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PG = "postgres://postgres@127.0.0.1:5432"
WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def _prepare(backend: str, work: Path) -> dict[str, str]:
    var = work / "var"
    shutil.rmtree(work, ignore_errors=True)
    var.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "KEYSTORE_DATABASE_URL", "REDIS_URL", "DEBUG"}}
    env.update({"DJANGO_SETTINGS_MODULE": "livesession.config.settings",
                "LIVESESSION_VAR_DIR": str(var), "DEBUG": "0", "LOG_LEVEL": "WARNING",
                "LIVESESSION_TASKS_IMMEDIATE": "0",
                "RATE_LIMIT_REGISTER": "1000000000",
                "RATE_LIMIT_REGISTER_EVENT": "1000000000",
                "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "src")])})
    if backend == "pg":
        for name in ("ls_f_bench", "ls_f_bench_keystore"):
            for sql in (f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
                        f'CREATE DATABASE "{name}"'):
                subprocess.run([shutil.which("psql") or "psql", "-X", "-q", f"{PG}/postgres",
                                "-c", sql], check=True, capture_output=True)
        env["DATABASE_URL"] = f"{PG}/ls_f_bench"
    subprocess.run([str(ROOT / ".venv" / "bin" / "livesession"), "migrate"], env=env,
                   cwd=ROOT, check=True, capture_output=True)
    return env


class Counts:
    """Statements and write commits per alias, through execute wrappers and a wrapped
    ``commit`` (outside a transaction every write statement is its own commit)."""

    def __init__(self) -> None:
        self.statements: Counter[str] = Counter()
        self.commits: Counter[str] = Counter()
        self._dirty: set[str] = set()
        self.sql: list[str] = []

    def install(self) -> Any:
        from contextlib import ExitStack

        from django.db import connections

        stack = ExitStack()
        for alias in ("default", "keystore"):
            connection = connections[alias]
            stack.enter_context(connection.execute_wrapper(self._wrapper(alias, connection)))
        return stack

    def _wrapper(self, alias: str, connection: Any) -> Any:
        def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            self.statements[alias] += 1
            self.sql.append(f"{alias}: {sql[:150]}")
            write = sql.lstrip().upper().startswith(WRITES)
            if write and connection.in_atomic_block:
                self._dirty.add(alias)
            elif write:
                self.commits[alias] += 1
            return execute(sql, params, many, context)

        real_commit = connection.commit

        def commit() -> None:
            if alias in self._dirty:
                self.commits[alias] += 1
                self._dirty.discard(alias)
            real_commit()

        connection.commit = commit
        return wrapper


def _call(handler: Any, environ: dict[str, Any]) -> tuple[int, dict[str, str]]:
    out: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], *_: Any) -> None:
        out["status"] = int(status.split()[0])
        out["headers"] = dict(headers)

    body = handler(environ, start_response)
    for _chunk in body:
        pass
    if hasattr(body, "close"):
        body.close()
    return out["status"], out["headers"]


def measure(what: str, n: int, profile: bool = False) -> dict[str, Any]:
    from django.core.handlers.wsgi import WSGIHandler
    from django.test import RequestFactory

    from bench.scenarios._b_seed import join_people, make_event
    from livesession.protection.models import Subject

    handler = WSGIHandler()
    factory = RequestFactory()
    if what == "join":
        path = Path(os.environ["LIVESESSION_VAR_DIR"]) / "tokens.txt"
        join_people(str(path), people=max(n + 50, 500), via_service=20)
        tokens = path.read_text().split()

        def environ(i: int) -> dict[str, Any]:
            return factory.get(f"/j/{tokens[i % len(tokens)]}/").environ

        expected = {302}
    else:
        event = make_event(f"f-{what}", "F profile", capacity=1 if what == "full" else None)
        url = f"/api/v1/events/{event.pk}/registrations"

        def environ(i: int) -> dict[str, Any]:
            body = json.dumps({"email": f"p{i}@profile.example", "first_name": "Pro",
                               "last_name": "File", "language": "en"})
            return factory.post(url, body, content_type="application/json",
                                REMOTE_ADDR="198.51.100.7").environ

        expected = {409} if what == "full" else {202}
    warm = 20
    for i in range(warm):
        status, _headers = _call(handler, environ(100_000 + i))
        assert status in expected | {202}, status
    subjects_before = Subject.objects.count()
    environs = [environ(i) for i in range(n)]
    counts = Counts()
    profiler = None
    if profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
    with counts.install():
        if profiler:
            profiler.start()
        wall0, cpu0 = time.perf_counter(), time.process_time()
        statuses: Counter[int] = Counter()
        for env in environs:
            status, _headers = _call(handler, env)
            statuses[status] += 1
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        if profiler:
            profiler.stop()
    assert set(statuses) <= expected, statuses
    result: dict[str, Any] = {
        "what": what, "n": n, "statuses": dict(statuses),
        "wall_ms": round(wall / n * 1000, 2), "cpu_ms": round(cpu / n * 1000, 2),
        "statements": {a: round(c / n, 2) for a, c in counts.statements.items()},
        "write_commits": {a: round(c / n, 2) for a, c in counts.commits.items()},
        "subjects_created": Subject.objects.count() - subjects_before,
        "one_request_sql": counts.sql[-int(sum(counts.statements.values()) / n):],
    }
    if profiler:
        # PROFILE_ALL=1 shows the library frames too (Django's query compiler, say).
        result["profile"] = profiler.output_text(
            unicode=False, color=False, show_all=os.environ.get("PROFILE_ALL") == "1")
    return result


def main() -> None:
    backend, what, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    profile = "--profile" in sys.argv
    env = _prepare(backend, Path(tempfile.gettempdir()) / f"f_profile_{backend}")
    done = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "-m", "bench.harness.task",
         "bench.scenarios._f_profile:measure",
         json.dumps({"what": what, "n": n, "profile": profile})],
        env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode:
        sys.stderr.write(done.stdout[-3000:] + done.stderr[-5000:])
        raise SystemExit(done.returncode)
    result = json.loads(done.stdout.rsplit("BENCH-RESULT ", 1)[1])
    text = result.pop("profile", None)
    sql = result.pop("one_request_sql")
    print(json.dumps(result))
    if "--sql" in sys.argv:
        print("\n".join(sql))
    if text:
        print(text)


if __name__ == "__main__":
    main()
