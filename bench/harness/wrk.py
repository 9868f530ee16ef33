"""Saturation runs with wrk (closed loop; Debian's wrk 4.1.0).

A scenario gives the Lua that builds requests (``request = function() ... end`` and,
if it needs one, ``init``); the harness appends its own part: per-thread status counts
and a ``done`` that prints one JSON line (requests, rate, statuses, latency percentiles,
socket errors). wrk's latencies are closed-loop (coordinated omission): they are kept
only as context; latency targets come from ``openloop``.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MARK = "BENCH-WRK "

HARNESS_LUA = r"""
-- harness part (bench/harness/wrk.py): status counts per thread, one JSON line at the end
local _bench_threads = {}
local _bench_user_init = init
local _bench_user_request = request
function setup(thread) table.insert(_bench_threads, thread) end
function init(args)
  bench_counts = {}
  bench_sent = 0
  if _bench_user_init then _bench_user_init(args) end
end
if _bench_user_request then
  -- counts the requests sent: those still in flight when wrk stops are sent - answered
  function request()
    bench_sent = bench_sent + 1
    return _bench_user_request()
  end
end
function response(status, headers, body)
  bench_counts[status] = (bench_counts[status] or 0) + 1
end
function done(summary, latency, requests)
  local counts = {}
  local sent = 0
  for _, t in ipairs(_bench_threads) do
    sent = sent + (t:get("bench_sent") or 0)
    local c = t:get("bench_counts")
    if c then for k, v in pairs(c) do counts[tostring(k)] = (counts[tostring(k)] or 0) + v end end
  end
  local parts = {}
  for k, v in pairs(counts) do table.insert(parts, string.format('"%s":%d', k, v)) end
  local e = summary.errors
  io.write(string.format(
    '%s{"requests":%d,"sent":%d,"duration_us":%d,"bytes":%d,"statuses":{%s},' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_ms":{"p50":%.3f,"p90":%.3f,"p99":%.3f,"max":%.3f,"mean":%.3f}}\n',
    "BENCH-WRK ", summary.requests, sent, summary.duration, summary.bytes, table.concat(parts, ","),
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, latency.mean / 1000))
end
"""


@dataclass
class WrkResult:
    requests: int
    seconds: float
    statuses: dict[int, int]
    errors: dict[str, int]
    latency_ms: dict[str, float]  # closed loop: context only
    sent: int = 0  # requests built by the Lua ``request`` (0 without one)
    cpu: dict[str, Any] = field(default_factory=dict)

    @property
    def in_flight(self) -> int:
        """Requests sent but not answered when wrk stopped (the server may still have
        handled them): a row count may exceed the answers by at most this."""
        return max(0, self.sent - self.requests) if self.sent else 0

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def count(self, *statuses: int) -> int:
        return sum(self.statuses.get(s, 0) for s in statuses)

    @property
    def server_errors(self) -> int:
        return sum(n for s, n in self.statuses.items() if s >= 500)

    @property
    def socket_errors(self) -> int:
        return sum(v for k, v in self.errors.items() if k != "status")

    @property
    def connection_errors(self) -> int:
        """Connect, read and write errors: not the timeouts (an answer slower than the
        timeout is a latency failure, reported as a figure, not a broken answer)."""
        return sum(v for k, v in self.errors.items() if k in {"connect", "read", "write"})

    def to_dict(self) -> dict[str, Any]:
        return {"requests": self.requests, "sent": self.sent, "seconds": round(self.seconds, 3),
                "rate": round(self.rate, 1),
                "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
                "errors": self.errors, "latency_ms_closed_loop": self.latency_ms,
                "cpu": self.cpu}


def wrk_binary() -> str:
    found = shutil.which("wrk")
    if not found:
        raise RuntimeError("wrk is not installed (make bench installs it: apt-get install wrk)")
    return found


def run_wrk(url: str, *, lua: str = "", connections: int = 32, seconds: float = 10,
            threads: int = 1, timeout: float = 10) -> WrkResult:
    """One wrk run against ``url`` (the base URL plus the default path), with ``lua``
    defining ``request`` (optional: without it wrk GETs ``url``)."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(lua + "\n" + HARNESS_LUA)
        script = handle.name
    try:
        completed = subprocess.run(
            [wrk_binary(), f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s",
             f"--timeout={timeout:g}s", "-s", script, url],
            capture_output=True, text=True, check=False, timeout=seconds + 60)
    finally:
        Path(script).unlink(missing_ok=True)
    line = next((ln for ln in completed.stdout.splitlines() if ln.startswith(MARK)), None)
    if line is None:
        raise RuntimeError(f"wrk gave no result: {completed.stdout[-800:]} "
                           f"{completed.stderr[-800:]}")
    data = json.loads(line[len(MARK):])
    return WrkResult(requests=data["requests"], seconds=data["duration_us"] / 1e6,
                     statuses={int(k): v for k, v in data["statuses"].items()},
                     errors=data["errors"], latency_ms=data["latency_ms"],
                     sent=data.get("sent", 0))


def run_wrk_plain(url: str, *, connections: int = 32, seconds: float = 10,
                  threads: int = 1) -> WrkResult:
    """wrk with no script at all (its fastest mode: one pre-built request), for R_noop as
    the anchors measured it. Statuses: 200 and "non-2xx/3xx" only."""
    completed = subprocess.run(
        [wrk_binary(), f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s",
         "--latency", url], capture_output=True, text=True, check=False, timeout=seconds + 60)
    out = completed.stdout
    total = re.search(r"(\d+) requests in ([0-9.]+)(m?s)", out)
    if total is None:
        raise RuntimeError(f"wrk gave no result: {out[-800:]} {completed.stderr[-800:]}")
    requests = int(total.group(1))
    secs = float(total.group(2)) * (0.001 if total.group(3) == "ms" else 1)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    non_ok = int(bad.group(1)) if bad else 0
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                     out)
    errors = dict(zip(["connect", "read", "write", "timeout"],
                      [int(x) for x in sock.groups()] if sock else [0, 0, 0, 0], strict=True))
    statuses = {200: requests - non_ok}
    if non_ok:
        statuses[0] = non_ok  # "some other status": wrk does not say which
    return WrkResult(requests=requests, seconds=secs, statuses=statuses, errors=errors,
                     latency_ms={})


def lua_string(value: str) -> str:
    """A Lua string literal."""
    return '"' + re.sub(r'(["\\])', r"\\\1", value).replace("\n", "\\n") + '"'


def lua_lines_loader(path: Path, name: str = "lines") -> str:
    """Lua that reads ``path`` (one item a line) into the global table ``name`` in init."""
    return (f"local _bench_prev_init_{name} = init\n"
            f"function init(args)\n"
            f"  {name} = {{}}\n"
            f"  for l in io.lines({lua_string(str(path))}) do table.insert({name}, l) end\n"
            f"  if _bench_prev_init_{name} then _bench_prev_init_{name}(args) end\n"
            f"end\n")
