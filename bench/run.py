"""Run the benchmarks (issue 9): ``make bench`` / ``make bench-smoke``.

    .venv/bin/python bench/run.py [--backend pg|sqlite|both] [--only S1,S2] [--quick]
                                  [--port 8765] [--pg-db ls_b_bench] [--keep]

For each backend: a throwaway var/ directory (and, for PostgreSQL, fresh databases
<pg-db> and <pg-db>_keystore), migrations, the real server (``livesession serve``:
granian WSGI, 2 workers, DEBUG off, no access log) on a port checked free first, the
baselines (``harness/baselines.py``), then every scenario found in ``bench/scenarios/``
(``sN_*.py`` exposing ``run(ctx) -> list[Result]``). A scenario that raises is reported
as FAILED. Results: ``bench/results/`` (``--quick`` writes to ``var/bench-smoke/`` instead,
and leaves the README alone).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.harness import RESULTS, baselines, report  # noqa: E402 - after the path fix
from bench.harness.context import Context, tool  # noqa: E402 - same
from bench.harness.result import Result, failed  # noqa: E402 - same
from bench.harness.server import Server  # noqa: E402 - same

SCENARIO_FILE = re.compile(r"^s(\d+)_\w+\.py$")
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")


def discover(only: set[str] | None) -> list[tuple[str, Any]]:
    found = []
    for path in sorted((ROOT / "bench" / "scenarios").glob("s*_*.py"),
                       key=lambda p: int(SCENARIO_FILE.match(p.name).group(1))  # type: ignore[union-attr]
                       if SCENARIO_FILE.match(p.name) else 0):
        match = SCENARIO_FILE.match(path.name)
        if not match:
            continue
        scenario = f"S{match.group(1)}"
        if only and scenario not in only:
            continue
        found.append((scenario, importlib.import_module(f"bench.scenarios.{path.stem}")))
    return found


def _dsn(db: str) -> str:
    rest = PG_SERVER.split("://", 1)[1]
    user, _, hostport = rest.rpartition("@")
    host, _, port = hostport.partition(":")
    return f"host={host} port={port or 5432} user={user or 'postgres'} dbname={db}"


def prepare_backend(backend: str, workdir: Path, pg_db: str) -> tuple[dict[str, str], str]:
    var = workdir / "var"
    var.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "KEYSTORE_DATABASE_URL", "REDIS_URL", "DEBUG"}}
    env.update({
        "DJANGO_SETTINGS_MODULE": "livesession.config.settings",
        "LIVESESSION_VAR_DIR": str(var), "DEBUG": "0", "BENCH_ENDPOINTS": "1",
        "LOG_LEVEL": "WARNING",
        # No worker runs: the outbox rows stay queued (the gates count them).
        "LIVESESSION_TASKS_IMMEDIATE": "0",
        # The load comes from one address: the per-address and per-event limits would
        # answer 429 after 30 and 600 a minute. They are still counted on every request
        # (same statements), only the ceilings are out of reach (bench/README.md).
        "RATE_LIMIT_REGISTER": "1000000000", "RATE_LIMIT_REGISTER_EVENT": "1000000000",
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "src")]),
    })
    dsn = ""
    if backend == "postgresql":
        admin = _dsn("postgres")
        for name in (pg_db, f"{pg_db}_keystore"):
            subprocess.run([tool("psql"), "-X", "-q", admin, "-c",
                            f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'],
                           check=True, capture_output=True)
            subprocess.run([tool("psql"), "-X", "-q", admin, "-c", f'CREATE DATABASE "{name}"'],
                           check=True, capture_output=True)
        env["DATABASE_URL"] = f"{PG_SERVER}/{pg_db}"
        dsn = _dsn(pg_db)
    subprocess.run([str(ROOT / ".venv" / "bin" / "livesession"), "migrate"], env=env, cwd=ROOT,
                   check=True, capture_output=True)
    return env, dsn


def drop_pg(pg_db: str) -> None:
    admin = _dsn("postgres")
    for name in (pg_db, f"{pg_db}_keystore"):
        subprocess.run([tool("psql"), "-X", "-q", admin, "-c",
                        f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'],
                       check=False, capture_output=True)


def commit_id() -> str:
    completed = subprocess.run([tool("git"), "rev-parse", "HEAD"], cwd=ROOT, capture_output=True,
                               text=True, check=False)
    return completed.stdout.strip()


def run_backend(backend: str, scenarios: list[tuple[str, Any]], args: argparse.Namespace,
                ) -> tuple[dict[str, list[Result]], dict[str, Any]]:
    workdir = Path(tempfile.mkdtemp(prefix=f"ls-bench-{backend}-"))
    print(f"== {backend}: {workdir}", flush=True)
    env, dsn = prepare_backend(backend, workdir, args.pg_db)
    server = Server(env, port=args.port)
    out: dict[str, list[Result]] = {}
    run_info: dict[str, Any] = {
        "started": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M"), "commit": commit_id(),
        "quick": args.quick, "cpus": os.cpu_count()}
    try:
        server.start()
        ctx = Context(backend=backend, server=server, env=env, workdir=workdir,
                      quick=args.quick, pg_dsn=dsn)
        print("   baselines ...", flush=True)
        baselines.measure(ctx)
        print(f"   R_noop = {ctx.r_noop:,.0f} req/s", flush=True)
        for scenario, module in scenarios:
            print(f"   {scenario} ...", flush=True)
            try:
                results = list(module.run(ctx))
            except Exception:
                results = [failed(scenario, getattr(module, "TITLE", module.__name__),
                                  backend, traceback.format_exc())]
                print(traceback.format_exc(), flush=True)
            for r in results:
                verdict = "passed" if r.passed else "FAILED"
                missed = [f.name for f in r.figures if f.met is False]
                print(f"   {r.scenario}: gates {verdict}; missed: {missed or 'none'}", flush=True)
            out[scenario] = results
        run_info["baselines"] = ctx.baselines
        run_info["loadavg_end"] = Path("/proc/loadavg").read_text().split()[:3]
    finally:
        server.stop()
        if not args.keep:
            if backend == "postgresql":
                drop_pg(args.pg_db)
            shutil.rmtree(workdir, ignore_errors=True)
    return out, run_info


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=["pg", "sqlite", "both"], default="both")
    parser.add_argument("--only", default="", help="scenarios, e.g. S1,S2")
    parser.add_argument("--quick", action="store_true", help="short durations (smoke run)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "8765")))
    parser.add_argument("--pg-db", default=os.environ.get("BENCH_PG_DB", "ls_b_bench"))
    parser.add_argument("--keep", action="store_true", help="keep databases and var/ dirs")
    parser.add_argument("--results", default="", help="results directory")
    args = parser.parse_args(argv)
    only = {s.strip().upper() for s in args.only.split(",") if s.strip()} or None
    scenarios = discover(only)
    backends = {"pg": ["postgresql"], "sqlite": ["sqlite"],
                "both": ["postgresql", "sqlite"]}[args.backend]
    results_dir = Path(args.results) if args.results else (
        ROOT / "var" / "bench-smoke" if args.quick else RESULTS)
    results_dir.mkdir(parents=True, exist_ok=True)
    collected: dict[str, list[Result]] = {}
    runs: dict[str, dict[str, Any]] = {}
    for backend in backends:
        out, info = run_backend(backend, scenarios, args)
        runs[backend] = info
        for scenario, results in out.items():
            collected.setdefault(scenario, []).extend(results)
    for scenario, results in collected.items():
        report.save_scenario(results_dir, scenario, results, runs)
    readme = None if args.quick or args.results else ROOT / "README.md"
    text = report.write_all(results_dir, readme)
    print(text)
    print(f"results: {results_dir}")
    everything = [r for rs in collected.values() for r in rs]
    return 0 if all(r.passed for r in everything) else 1


if __name__ == "__main__":
    raise SystemExit(main())
