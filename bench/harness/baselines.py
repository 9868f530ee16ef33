"""Baselines measured at the start of every backend's run, before any scenario.

- ``R_noop``: wrk -t1 -c32 on /bench/noop (the project's whole middleware stack, same
  server and flags as the scenarios), median of 3 runs after a warm-up.
- The open-loop generator's own limits against /bench/noop: the rate it reaches when
  asked far more than it can send (its ceiling) and the no-op's p99 at the scenarios'
  rates (the floor under every latency figure).
- ``F_sync`` (PostgreSQL, full runs): fdatasync/s of this disk (pg_test_fsync), which
  bounds write paths.
``T_db(x)`` (pgbench on a hot path's SQL) needs the scenario's data: scenarios add it
(S1 adds ``T_db(join)``).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

from bench.harness.context import Context
from bench.harness.openloop import get

NOOP = "/bench/noop"


def measure(ctx: Context, rates: tuple[int, ...] = (300, 500, 1000)) -> dict[str, Any]:
    base: dict[str, Any] = {"loadavg_start": Path("/proc/loadavg").read_text().split()[:3]}
    ctx.wrk(NOOP, connections=32, seconds=ctx.seconds(3, 1), plain=True)  # warm-up
    median_run, runs = ctx.wrk_median(NOOP, connections=32, seconds=ctx.seconds(10, 3),
                                      plain=True)
    base["R_noop"] = round(median_run.rate, 1)
    base["R_noop_runs"] = [round(r.rate, 1) for r in runs]
    base["R_noop_cpu"] = median_run.cpu
    base["R_noop_non_200"] = sum(n for s, n in median_run.statuses.items() if s != 200)
    ctx.baselines.update(base)  # scenarios may start using R_noop now

    # The open-loop generator against the no-op: its ceiling, then its floor per rate.
    ceiling = ctx.open_loop(rate=8000, seconds=ctx.seconds(4, 2), warmup=0.5,
                            make=lambda i: get(NOOP), max_connections=64)
    base["openloop_ceiling_rps"] = round(ceiling.achieved, 1)
    base["openloop_ceiling_cpu"] = ceiling.cpu
    floors: dict[str, Any] = {}
    for rate in rates:
        floor = ctx.open_loop(rate=rate, seconds=ctx.seconds(10, 2), warmup=1,
                              make=lambda i: get(NOOP))
        floors[str(rate)] = {"p50": floor.latency_ms["p50"], "p99": floor.latency_ms["p99"],
                             "p99.9": floor.latency_ms["p99.9"],
                             "achieved": round(floor.achieved, 1)}
    base["openloop_noop_floor_ms"] = floors
    if ctx.is_pg and not ctx.quick:
        base["F_sync"] = fsync_rate(ctx.workdir)
    ctx.baselines.update(base)
    return base


def fsync_rate(directory: Path) -> float | None:
    """fdatasync/s of the disk under ``directory`` (pg_test_fsync, 1 s per method)."""
    tool = shutil.which("pg_test_fsync") or next(
        (str(p) for p in sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_test_fsync"))), None)
    if tool is None:
        return None
    completed = subprocess.run([tool, "-s", "1", "-f", str(directory / "fsync.test")],
                               capture_output=True, text=True, check=False, timeout=120)
    match = re.search(r"fdatasync\s+([0-9.,]+) ops/sec", completed.stdout)
    return float(match.group(1).replace(",", "")) if match else None
