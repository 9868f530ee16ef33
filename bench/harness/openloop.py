"""An open-loop (constant arrival rate) HTTP/1.1 load generator that corrects for
coordinated omission.

Request ``i`` is due at ``start + i / rate`` whatever happened before; its latency is
measured from that *intended* time, not from when a connection was free to send it. A
server that stalls for 200 ms therefore shows 200 ms on every request that should have
been sent meanwhile, as wrk2 and oha ``--latency-correction`` do. Connections are kept
alive and reused; a new one opens when all are busy, up to ``max_connections`` (then the
request waits, and the wait counts in its latency).

It is plain asyncio on the same 2 cores as the server, so it has a ceiling of its own:
``bench/run.py`` measures it against ``/bench/noop`` in every run (achieved rate when asked
far too much, and the no-op's p99 at the scenarios' rates = the floor under every latency
figure); bench/README.md gives the figures.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# (method, path, headers, body): what request i is.
Req = tuple[str, str, dict[str, str], bytes]
Maker = Callable[[int], Req]


def percentile(sorted_values: list[float], q: float) -> float | None:
    if not sorted_values:
        return None
    index = min(len(sorted_values) - 1, max(0, round(q / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[index]


def summarize(values: list[float]) -> dict[str, float | None]:
    ordered = sorted(values)
    return {"count": len(ordered), "p50": percentile(ordered, 50), "p90": percentile(ordered, 90),
            "p99": percentile(ordered, 99), "p99.9": percentile(ordered, 99.9),
            "max": ordered[-1] if ordered else None}


@dataclass
class OpenLoopResult:
    rate: float  # asked
    seconds: float  # measured window (after warm-up)
    sent: int
    completed: int
    statuses: dict[int, int]
    errors: dict[str, int]
    latency_ms: dict[str, float | None]  # all completed requests, from intended time
    by_status_ms: dict[int, dict[str, float | None]]
    lag_ms: dict[str, float | None]  # how late the generator itself sent (its own limit)
    elapsed: float
    warm_statuses: dict[int, int] = field(default_factory=dict)  # the warm-up's answers
    first_measured: int = 0  # index i of the first measured request (after warm-up)
    unanswered: int = 0  # launched, never answered (timeout, error, or cut at the end)
    overloaded_at: float | None = None  # seconds into the run when sending stopped
    cpu: dict[str, Any] = field(default_factory=dict)

    @property
    def achieved(self) -> float:
        return self.completed / self.elapsed if self.elapsed else 0.0

    @property
    def p99(self) -> float | None:
        return self.latency_ms.get("p99")

    @property
    def server_errors(self) -> int:
        return sum(n for s, n in self.statuses.items() if s >= 500)

    def count(self, *statuses: int) -> int:
        return sum(self.statuses.get(s, 0) for s in statuses)

    def to_dict(self) -> dict[str, Any]:
        return {"rate_asked": self.rate, "seconds": self.seconds, "sent": self.sent,
                "completed": self.completed, "achieved_rate": round(self.achieved, 1),
                "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
                "errors": self.errors, "latency_ms": _round(self.latency_ms),
                "by_status_ms": {str(k): _round(v) for k, v in self.by_status_ms.items()},
                "generator_lag_ms": _round(self.lag_ms),
                "warm_up_statuses": {str(k): v for k, v in sorted(self.warm_statuses.items())},
                "unanswered": self.unanswered, "overloaded_at_s": self.overloaded_at,
                "cpu": self.cpu}


def _round(d: dict[str, float | None]) -> dict[str, float | None]:
    return {k: (round(v, 3) if isinstance(v, float) else v) for k, v in d.items()}


class _Conn:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    def close(self) -> None:
        self.writer.close()


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one response; its status and whether the connection may be reused."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length, chunked, keep = 0, False, True
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        value = value.strip()
        if name == "content-length":
            length = int(value)
        elif name == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
        elif name == "connection" and value.lower() == "close":
            keep = False
    if chunked:
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif length:
        await reader.readexactly(length)
    return status, keep


async def _run(host: str, port: int, rate: float, seconds: float, make: Maker,
               max_connections: int, warmup: float, timeout: float,
               max_backlog: float = 3.0) -> OpenLoopResult:
    loop = asyncio.get_running_loop()
    idle: asyncio.Queue[_Conn] = asyncio.Queue()
    state = {"open": 0}
    warm_n = int(rate * warmup)
    total = warm_n + int(rate * seconds)
    latencies: list[float] = []
    lags: list[float] = []
    by_status: dict[int, list[float]] = {}
    statuses: Counter[int] = Counter()
    warm_statuses: Counter[int] = Counter()
    errors: Counter[str] = Counter()
    host_header = f"{host}:{port}"

    async def acquire() -> _Conn:
        if not idle.empty():
            return idle.get_nowait()
        if state["open"] < max_connections:
            state["open"] += 1
            try:
                reader, writer = await asyncio.open_connection(host, port)
            except OSError:
                state["open"] -= 1
                raise
            return _Conn(reader, writer)
        return await idle.get()  # all busy: wait (the wait counts in the latency)

    def release(conn: _Conn) -> None:
        idle.put_nowait(conn)  # wakes a request waiting in acquire(), if any

    async def one(i: int, intended: float) -> None:
        method, path, headers, body = make(i)
        conn: _Conn | None = None
        try:
            conn = await acquire()
            sent_at = loop.time()
            head = [f"{method} {path} HTTP/1.1", f"Host: {host_header}"]
            head += [f"{k}: {v}" for k, v in headers.items()]
            if body or method in {"POST", "PUT", "PATCH"}:
                head.append(f"Content-Length: {len(body)}")
            conn.writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
            status, keep = await asyncio.wait_for(_read_response(conn.reader), timeout)
            done = loop.time()
            if i >= warm_n:
                ms = (done - intended) * 1000
                latencies.append(ms)
                lags.append((sent_at - intended) * 1000)
                by_status.setdefault(status, []).append(ms)
                statuses[status] += 1
            else:
                warm_statuses[status] += 1
            if keep:
                release(conn)
            else:
                conn.close()
                state["open"] -= 1
        except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError,
                IndexError) as exc:
            if i >= warm_n:
                errors[type(exc).__name__] += 1
            if conn is not None:
                conn.close()
                state["open"] -= 1

    tasks: set[asyncio.Task[None]] = set()
    start = loop.time() + 0.05
    measured_from = start + warmup
    # A server that cannot keep up makes the backlog grow without end (and the run last
    # far beyond its duration): past ``max_backlog`` seconds of requests waiting, sending
    # stops and the run says when (``overloaded_at``); its latencies are those measured.
    backlog_limit = max(50, int(rate * max_backlog))
    overloaded_at = None
    launched = 0
    for i in range(total):
        intended = start + i / rate
        delay = intended - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        if len(tasks) > backlog_limit:
            overloaded_at = round(loop.time() - start, 2)
            break
        task = asyncio.ensure_future(one(i, intended))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        launched += 1
    if tasks:
        await asyncio.wait(set(tasks), timeout=timeout + 2)
        for task in list(tasks):
            task.cancel()
    end = loop.time()
    answered = len(latencies) + sum(warm_statuses.values())
    while not idle.empty():
        idle.get_nowait().close()
    return OpenLoopResult(
        rate=rate, seconds=seconds, sent=max(0, launched - warm_n), completed=len(latencies),
        statuses=dict(statuses), errors=dict(errors), latency_ms=summarize(latencies),
        by_status_ms={s: summarize(v) for s, v in by_status.items()},
        lag_ms=summarize(lags), elapsed=max(1e-9, end - measured_from),
        warm_statuses=dict(warm_statuses), first_measured=warm_n,
        unanswered=launched - answered, overloaded_at=overloaded_at)


def run_open_loop(host: str, port: int, *, rate: float, seconds: float, make: Maker,
                  max_connections: int = 128, warmup: float = 2.0,
                  timeout: float = 10.0) -> OpenLoopResult:
    """``rate`` requests per second for ``seconds`` (after ``warmup`` seconds at the same
    rate, not counted), request ``i`` given by ``make(i)``."""
    started = time.perf_counter()
    result = asyncio.run(_run(host, port, rate, seconds, make, max_connections, warmup,
                              timeout))
    result.cpu.setdefault("wall_s", round(time.perf_counter() - started, 2))
    return result


def get(path: str, headers: dict[str, str] | None = None) -> Req:
    return ("GET", path, headers or {}, b"")
