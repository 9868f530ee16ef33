"""What a scenario gets: ``run(ctx) -> list[Result]``.

``ctx`` is one backend's run: the server (already started, data of earlier scenarios
still there), its base URL, helpers to seed and check data inside Django (a subprocess
with this backend's environment), wrk and the open-loop generator (both record the CPU
split), pgbench, and the baselines measured at the start of the run (``R_noop`` ...).

Typical scenario::

    def run(ctx: Context) -> list[Result]:
        seeded = ctx.django("bench.scenarios.s1_join:seed", people=20000)
        sat = ctx.wrk("/", lua=LUA, connections=32, seconds=ctx.seconds(15, 3))
        lat = ctx.open_loop(rate=1000, seconds=ctx.seconds(60, 5), make=...)
        result = ctx.result("S1", "Join spike")
        result.ratio("saturation", sat.rate, ctx.r_noop, 0.15, stretch=0.20)
        result.at_most("p99 at 1,000 req/s", lat.p99, 50)
        result.gate("no 5xx", sat.server_errors == 0, f"{sat.server_errors} 5xx")
        return [result]
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.harness import ROOT
from bench.harness.cpu import CpuSampler
from bench.harness.openloop import Maker, OpenLoopResult, run_open_loop
from bench.harness.result import Result
from bench.harness.server import Server
from bench.harness.task import RESULT_PREFIX
from bench.harness.wrk import WrkResult, run_wrk, run_wrk_plain


@dataclass
class Context:
    backend: str  # "postgresql" | "sqlite"
    server: Server
    env: dict[str, str]  # the server's environment (DATABASE_URL, LIVESESSION_VAR_DIR, ...)
    workdir: Path  # throwaway directory of this backend's run (files for Lua, logs)
    quick: bool = False
    pg_dsn: str = ""  # "host=... user=... dbname=..." for psql/pgbench (PostgreSQL only)
    baselines: dict[str, Any] = field(default_factory=dict)  # "R_noop" (req/s), ...

    # --- where -----------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return self.server.base_url

    @property
    def r_noop(self) -> float | None:
        value = self.baselines.get("R_noop")
        return float(value) if value else None

    @property
    def is_pg(self) -> bool:
        return self.backend == "postgresql"

    def seconds(self, full: float, quick: float) -> float:
        """A duration: ``full`` in a real run, ``quick`` with --quick (smoke)."""
        return quick if self.quick else full

    def result(self, scenario: str, title: str) -> Result:
        """A Result for this backend, with the machine's load noted."""
        result = Result(scenario, title, self.backend)
        result.extra["loadavg_start"] = Path("/proc/loadavg").read_text().split()[:3]
        return result

    # --- Django, inside a subprocess with this backend's environment -----------------------
    def django(self, target: str, **kwargs: Any) -> Any:
        """Call ``module:function(**kwargs)`` inside Django (seeding, counting rows); its
        JSON return value. Raises with the subprocess's output on failure."""
        completed = subprocess.run(
            [sys.executable, "-m", "bench.harness.task", target, json.dumps(kwargs)],
            env=self.env, cwd=ROOT, capture_output=True, text=True, check=False)
        line = next((ln for ln in reversed(completed.stdout.splitlines())
                     if ln.startswith(RESULT_PREFIX)), None)
        if completed.returncode != 0 or line is None:
            raise RuntimeError(f"{target} failed ({completed.returncode}):\n"
                               f"{completed.stdout[-2000:]}\n{completed.stderr[-4000:]}")
        return json.loads(line[len(RESULT_PREFIX):])

    # --- load ------------------------------------------------------------------------------
    def wrk(self, path: str = "/", *, lua: str = "", connections: int = 32,
            seconds: float | None = None, threads: int = 1, plain: bool = False) -> WrkResult:
        """A wrk saturation run (closed loop), with the CPU split in ``.cpu``. ``plain``:
        wrk without any script (fastest; statuses only as 200 / other)."""
        sampler = CpuSampler(self.server.pids()).start()
        if plain:
            result = run_wrk_plain(self.base_url + path, connections=connections,
                                   seconds=seconds or self.seconds(15, 3), threads=threads)
        else:
            result = run_wrk(self.base_url + path, lua=lua, connections=connections,
                             seconds=seconds or self.seconds(15, 3), threads=threads)
        result.cpu = sampler.stop()
        return result

    def wrk_median(self, path: str = "/", *, runs: int = 3, **kwargs: Any,
                   ) -> tuple[WrkResult, list[WrkResult]]:
        """``runs`` wrk runs (1 with --quick); the run of median rate, and all of them."""
        done = [self.wrk(path, **kwargs) for _ in range(1 if self.quick else runs)]
        ordered = sorted(done, key=lambda r: r.rate)
        return ordered[len(ordered) // 2], done

    def open_loop(self, *, rate: float, seconds: float | None = None, make: Maker,
                  max_connections: int = 128, warmup: float | None = None,
                  ) -> OpenLoopResult:
        """Constant arrival rate, latency from the intended send time (openloop.py)."""
        sampler = CpuSampler(self.server.pids()).start()
        result = run_open_loop(self.server.host, self.server.port, rate=rate,
                               seconds=seconds or self.seconds(60, 5), make=make,
                               max_connections=max_connections,
                               warmup=self.seconds(5, 1) if warmup is None else warmup)
        result.cpu.update(sampler.stop())
        return result

    # --- PostgreSQL ------------------------------------------------------------------------
    def psql(self, sql: str) -> str:
        completed = subprocess.run([tool("psql"), "-X", "-At", "-v", "ON_ERROR_STOP=1", self.pg_dsn,
                                    "-c", sql], capture_output=True, text=True, check=True)
        return completed.stdout.strip()

    def pgbench(self, script: str, *, clients: int = 8, seconds: float = 10,
                threads: int = 2) -> float:
        """TPS of ``script`` (pgbench -f, no vacuum), the database-only ceiling."""
        with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False,
                                         dir=self.workdir) as handle:
            handle.write(script)
            path = handle.name
        try:
            completed = subprocess.run(
                [tool("pgbench"), "-n", "-f", path, "-c", str(clients), "-j", str(threads),
                 "-T", str(max(1, round(seconds))), self.pg_dsn],
                capture_output=True, text=True, check=False)
        finally:
            Path(path).unlink(missing_ok=True)
        match = re.search(r"tps = ([0-9.]+)", completed.stdout)
        if completed.returncode != 0 or match is None:
            raise RuntimeError(f"pgbench failed: {completed.stdout[-1000:]} "
                               f"{completed.stderr[-1000:]}")
        return float(match.group(1))

    # --- helpers ---------------------------------------------------------------------------
    def write_lines(self, name: str, lines: list[str]) -> Path:
        """A file of one item per line in the work directory (for Lua scripts)."""
        path = self.workdir / name
        path.write_text("\n".join(lines) + "\n")
        return path


def tool(name: str) -> str:
    """The full path of a command-line tool (psql, pgbench, git), or a clear error."""
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"{name} is not installed")
    return found


def median(values: list[float]) -> float:
    return float(statistics.median(values)) if values else 0.0


def env_for(base: dict[str, str] | None = None, **extra: str) -> dict[str, str]:
    env = dict(os.environ if base is None else base)
    env.update(extra)
    return env


Step = Callable[[Context], list[Result]]
