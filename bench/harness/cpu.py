"""CPU split of a run from /proc deltas (cheap: two reads of /proc per run).

Machine-wide busy, iowait and steal from /proc/stat; per-process CPU from
/proc/<pid>/stat (utime + stime), grouped as the server (granian and its workers),
PostgreSQL, wrk, this bench process (the open-loop generator) and everything else (other
engineers' test suites share this machine: "other" shows how much they took). Percent of
one core: 200 = both cores. Processes that start and end inside the window are counted
only in the machine total (so in "other").
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

TICK = os.sysconf("SC_CLK_TCK")


def _machine() -> list[int]:
    line = Path("/proc/stat").read_text().splitlines()[0]
    return [int(x) for x in line.split()[1:]]


def _processes() -> dict[int, tuple[str, int]]:
    found: dict[int, tuple[str, int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:
            continue
        comm = raw[raw.index("(") + 1:raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2:].split()
        found[int(entry.name)] = (comm, int(fields[11]) + int(fields[12]))
    return found


class CpuSampler:
    def __init__(self, server_pids: list[int] | None = None) -> None:
        self.server_pids = set(server_pids or [])

    def start(self) -> CpuSampler:
        self._m0 = _machine()
        self._p0 = _processes()
        self._t0 = os.times().elapsed
        return self

    def stop(self) -> dict[str, Any]:
        m1, p1 = _machine(), _processes()
        wall = max(1e-6, os.times().elapsed - self._t0)
        d = [b - a for a, b in zip(self._m0, m1, strict=False)]
        total = sum(d) or 1
        # user nice system idle iowait irq softirq steal
        idle, iowait, steal = d[3], d[4], d[7] if len(d) > 7 else 0
        cores = os.cpu_count() or 1
        groups: dict[str, float] = {"server": 0.0, "postgres": 0.0, "wrk": 0.0, "bench": 0.0}
        me = os.getpid()
        for pid, (comm, ticks) in p1.items():
            before = self._p0.get(pid)
            used = ticks - (before[1] if before and before[0] == comm else 0)
            if used <= 0:
                continue
            pct = used / TICK / wall * 100
            if pid in self.server_pids:
                groups["server"] += pct
            elif comm.startswith("postgres"):
                groups["postgres"] += pct
            elif comm == "wrk":
                groups["wrk"] += pct
            elif pid == me:
                groups["bench"] += pct
        busy = (total - idle - iowait) / total * 100 * cores
        groups["other"] = max(0.0, busy - sum(groups.values()))
        return {"busy_pct": round(busy, 1), "iowait_pct": round(iowait / total * 100 * cores, 1),
                "steal_pct": round(steal / total * 100 * cores, 1),
                "by_process_pct": {k: round(v, 1) for k, v in groups.items()},
                "loadavg": Path("/proc/loadavg").read_text().split()[:3]}
