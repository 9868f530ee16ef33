"""S4 organizer analytics (issue 9; performance-anchors.md §(b) S4): the analytics API of
one event and of a client's dashboard, through HTTP on the real server, over millions of
attendance rows.

Dataset (``_e_data``, SQL): clients of 50 events each, ~1,067 registrations and ~960
attendance rows per event, and one event with 222 k registrations and 200 k attendance
rows; 1 M attendance rows by default (``BENCH_S4_ATTENDANCE=5000000`` for the anchors' 5 M
over 5,000 events and 100 clients; --quick: 100 k rows and a 20 k event). The size used is
in the result's notes.

Measured, warm (2 requests on each of 2 connections first), 20 requests per endpoint with
a client API token (``Authorization: Bearer``):

* ``GET /api/v1/events/<big>/analytics`` (every figure of the 200 k event: registrations
  per day, conversion, presence-duration curve, per session): p95 <= 100 ms;
* ``GET /api/v1/analytics?start=&end=`` over a typical client's 50 events (~48 k
  attendance rows, ~55 k registrations): p95 <= 250 ms;
* the raw SQL (``_e_ref``: the same GROUP BYs, written by hand) 20 times in the same run:
  endpoint p95 <= 1.5 x raw SQL p95 + 20 ms.

Gates (hard): each endpoint's figures equal the reference SQL's (which excludes the
restricted and objecting people directly, where the code subtracts them); another client's
event answers 404 to the token; PostgreSQL: no sequential scan of the registrations or
attendance table in the plans of the code's own statements (EXPLAIN), and an index scan.

Interference: S1's join (``/j/<token>/``, unknown tokens 1 in 20) open loop at 40 % of
the join's own wrk saturation measured just before, 20 s without analytics, then 20 s
while wrk hammers the two analytics endpoints with 2 connections: join p99 with <= 1.2 x
without.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import threading
import time
from collections import Counter
from typing import Any

from bench.harness import Context, Result
from bench.harness.openloop import get
from bench.harness.wrk import WrkResult, lua_lines_loader, lua_string
from bench.scenarios._d_data import percentile

TITLE = "Organizer analytics"
EVENT_P95_MS = 100.0
CLIENT_P95_MS = 250.0
REPEAT = 20
FULL_ATTENDANCE = 1_000_000


def _size(ctx: Context) -> dict[str, int]:
    from bench.scenarios._e_data import size

    if ctx.quick:
        return size(100_000, big=22_223)
    return size(int(os.environ.get("BENCH_S4_ATTENDANCE", FULL_ATTENDANCE)))


def _timed(ctx: Context, path: str, token: str, repeat: int) -> tuple[list[float], Any, int]:
    """Warm-up (2 requests on each of 2 connections: granian's 2 workers), then ``repeat``
    requests on one kept-alive connection: times (ms), the last JSON body, its status."""
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}

    def request(conn: http.client.HTTPConnection) -> tuple[int, bytes]:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()

    warm = [http.client.HTTPConnection(ctx.server.host, ctx.server.port, timeout=120)
            for _ in range(2)]
    for conn in warm * 2:
        request(conn)
    for conn in warm[1:]:
        conn.close()
    conn = warm[0]
    times, status, body = [], 0, b""
    for _ in range(repeat):
        began = time.perf_counter()
        status, body = request(conn)
        times.append((time.perf_counter() - began) * 1000)
    conn.close()
    return times, (json.loads(body) if status == 200 else None), status


def _status(ctx: Context, path: str, token: str) -> int:
    conn = http.client.HTTPConnection(ctx.server.host, ctx.server.port, timeout=60)
    conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
    status = conn.getresponse().status
    conn.close()
    return status


def _days(points: list[dict[str, Any]], granularity: str) -> dict[str, int]:
    return {p["start"][:10]: p["count"] for p in points if p["count"]} \
        if granularity in ("day", "week") else {}


def _weeks(days: dict[str, int]) -> dict[str, int]:
    import datetime as dt

    out: Counter[str] = Counter()
    for day, n in days.items():
        d = dt.date.fromisoformat(day)
        out[(d - dt.timedelta(days=d.weekday())).isoformat()] += n
    return dict(out)


def _compare(got: dict[str, Any], ref: dict[str, Any], per: str) -> list[str]:
    """Differences between the endpoint's JSON and the reference figures (empty: equal)."""
    diffs = []
    conv = {k: got["conversion"][k] for k in ("received", "confirmed", "registered", "present")}
    if conv != ref["conversion"]:
        diffs.append(f"conversion {conv} != {ref['conversion']}")
    dur = {k: got["durations"][k] for k in ("buckets", "measured", "unmeasured",
                                             "median_minutes")}
    if dur != ref["durations"]:
        diffs.append(f"durations {dur} != {ref['durations']}")
    timeline = got["registrations"]
    days = ref["days"] if timeline["granularity"] == "day" else _weeks(ref["days"])
    if timeline["granularity"] == "hour" or _days(timeline["points"],
                                                  timeline["granularity"]) != {
            k: v for k, v in days.items() if v}:
        diffs.append(f"registrations per {timeline['granularity']} differ")
    if timeline["total"] != ref["conversion"]["received"]:
        diffs.append(f"registrations total {timeline['total']} != "
                     f"{ref['conversion']['received']}")
    rows = [{k: r[k] for k in ("registered", "present", "median_minutes")}
            for r in got[per]]
    if per == "sessions":
        if rows != ref["rows"]:
            diffs.append(f"per session {rows} != {ref['rows']}")
    else:
        mine = {r["id"]: {k: r[k] for k in ("registered", "present", "median_minutes")}
                for r in got[per] if r["registered"] or r["present"]}
        if mine != ref["events"]:
            wrong = [e for e in set(mine) | set(ref["events"])
                     if mine.get(e) != ref["events"].get(e)]
            diffs.append(f"per event: {len(wrong)} of {len(ref['events'])} events differ")
    return diffs


def run(ctx: Context) -> list[Result]:
    result = ctx.result("S4", TITLE)
    try:
        _run(ctx, result)
    except Exception as exc:  # reported as FAILED, never hidden
        import traceback

        result.gate("scenario ran to the end", False, traceback.format_exc()[-2000:])
        _ = exc
    return [result]


def _run(ctx: Context, result: Result) -> None:
    size = _size(ctx)
    info = ctx.django("bench.scenarios._e_data:generate", **size)
    result.note(
        f"dataset: {info['attendance']:,} attendance rows, {info['registrations']:,} "
        f"registrations, {info['subjects']:,} people, {info['events']:,} events of "
        f"{info['clients']} clients (one event of {size['big']:,} registrations); written in "
        f"{info['seconds']['total']:.0f} s ({info['seconds']}). Anchors' size: 5 M rows "
        f"(BENCH_S4_ATTENDANCE=5000000).")
    result.extra["dataset"] = {k: v for k, v in info.items() if k != "tokens"}
    big_token = info["tokens"][info["big_client"]]
    typical_token = info["tokens"][info["typical_client"]]
    start, end = info["range"]
    event_path = f"/api/v1/events/{info['big_event']}/analytics"
    client_path = f"/api/v1/analytics?start={start}&end={end}"
    repeat = 5 if ctx.quick else REPEAT

    # Endpoints, then the raw SQL, in the same run.
    ev_times, ev_json, ev_status = _timed(ctx, event_path, big_token, repeat)
    cl_times, cl_json, cl_status = _timed(ctx, client_path, typical_token, repeat)
    ev_ref = ctx.django("bench.scenarios._e_ref:event_reference", event_id=info["big_event"],
                        repeat=repeat)
    cl_ref = ctx.django("bench.scenarios._e_ref:client_reference",
                        client_slug=info["typical_client"], start=start, end=end,
                        repeat=repeat)
    for label, status, got, ref, per in (
            ("event", ev_status, ev_json, ev_ref, "sessions"),
            ("client dashboard", cl_status, cl_json, cl_ref, "events")):
        if status != 200 or got is None:
            result.gate(f"{label}: HTTP 200", False, str(status))
            continue
        diffs = _compare(got, ref["figures"], per)
        result.gate(f"{label}: figures equal the reference SQL's", not diffs,
                    "; ".join(diffs)[:1500] or
                    f"conversion {ref['figures']['conversion']}")
    ev_p95, cl_p95 = percentile(ev_times, 95), percentile(cl_times, 95)
    ev_raw, cl_raw = percentile(ev_ref["ms"], 95), percentile(cl_ref["ms"], 95)
    result.at_most(f"event analytics ({info['big_attendance']:,} attendance rows) p95, HTTP, "
                   f"{repeat} warm requests",
                   ev_p95, EVENT_P95_MS)
    result.at_most(f"client dashboard ({info['typical_events']} events) p95, HTTP",
                   cl_p95, CLIENT_P95_MS)
    result.figure("event: raw SQL p95 (same GROUP BYs, in-process)", ev_raw, "ms")
    result.figure("client dashboard: raw SQL p95", cl_raw, "ms")
    result.at_most("event: endpoint p95 over the bound 1.5 x raw SQL + 20 ms",
                   ev_p95 / (1.5 * ev_raw + 20), 1.0, "x")
    result.at_most("client dashboard: endpoint p95 over 1.5 x raw SQL + 20 ms",
                   cl_p95 / (1.5 * cl_raw + 20), 1.0, "x")
    result.extra["times_ms"] = {"event": ev_times, "client": cl_times,
                                "event_raw_sql": ev_ref["ms"], "client_raw_sql": cl_ref["ms"]}

    # Tenant isolation: the typical client's token on the big client's event.
    other = _status(ctx, event_path, typical_token)
    result.gate("tenant isolation: another client's event answers 404", other == 404,
                f"HTTP {other}")

    # Plans of the code's own statements.
    plans = ctx.django("bench.scenarios._e_ref:plans", event_id=info["big_event"],
                       client_slug=info["typical_client"], start=start, end=end)
    from bench.scenarios._e_ref import seq_scans

    result.extra["plans"] = plans
    for label in ("event", "client"):
        whole = seq_scans(plans[label])
        indexed = sum(1 for item in plans[label] for line in item["scans"]
                      if "Index" in line or "USING" in line)
        if ctx.is_pg:
            result.gate(f"EXPLAIN ({label}): index scans, no sequential scan of "
                        "registrations or attendance", not whole and indexed > 0,
                        f"{len(plans[label])} statements, {indexed} index scan lines; "
                        f"sequential: {whole}")
        else:
            result.note(f"SQLite EXPLAIN QUERY PLAN ({label}): {indexed} index lines, "
                        f"full scans: {whole or 'none'} (gate on PostgreSQL only).")

    _interference(ctx, result, event_path, client_path, big_token, typical_token)


def _interference(ctx: Context, result: Result, event_path: str, client_path: str,
                  big_token: str, typical_token: str) -> None:
    tokens_file = ctx.workdir / "s4-join-tokens.txt"
    ctx.django("bench.scenarios._b_seed:join_people", tokens_path=str(tokens_file),
               people=2000, via_service=10, client_slug="bench-join-s4")
    tokens = tokens_file.read_text().split()
    lua = lua_lines_loader(tokens_file, "tokens") + """
request = function()
  return wrk.format("GET", "/j/" .. tokens[math.random(#tokens)] .. "/")
end
"""
    sat = ctx.wrk("/", lua=lua, connections=32, seconds=ctx.seconds(5, 2))
    rate = max(20.0, min(1000.0, round(sat.rate * 0.4)))
    rng = random.Random(4)

    def make(i: int) -> Any:
        if i % 20 == 19:
            return get(f"/j/{'x' * 37}{i % 999999:06d}/")
        return get(f"/j/{tokens[rng.randrange(len(tokens))]}/")

    seconds = ctx.seconds(20, 4)
    alone = ctx.open_loop(rate=rate, seconds=seconds, make=make, warmup=ctx.seconds(3, 1))
    hammer_lua = f"""
local n = 0
request = function()
  n = n + 1
  if n % 2 == 0 then
    return wrk.format("GET", {lua_string(event_path)},
                      {{["Authorization"] = {lua_string("Bearer " + big_token)}}})
  end
  return wrk.format("GET", {lua_string(client_path)},
                    {{["Authorization"] = {lua_string("Bearer " + typical_token)}}})
end
"""
    hammered: list[WrkResult] = []
    thread = threading.Thread(target=lambda: hammered.append(ctx.wrk(
        "/", lua=hammer_lua, connections=2, seconds=seconds + ctx.seconds(3, 1) + 2)))
    thread.start()
    time.sleep(1.0)
    mixed = ctx.open_loop(rate=rate, seconds=seconds, make=make, warmup=ctx.seconds(3, 1))
    thread.join()
    hammer = hammered[0] if hammered else None
    result.figure("join saturation just before (wrk -c32)", sat.rate, "req/s")
    result.figure("join open-loop rate (40 % of that)", rate, "req/s")
    result.figure("join p99 without analytics", alone.p99, "ms")
    result.figure("join p99 with analytics hammering (wrk -c2 on both endpoints)", mixed.p99,
                  "ms")
    complete = all(r.unanswered == 0 and r.overloaded_at is None for r in (alone, mixed))
    rise = (mixed.p99 / alone.p99) if (alone.p99 and mixed.p99) else None
    figure = result.at_most("join p99 with analytics / without", rise, 1.2, "x")
    if not complete:
        figure.met = False
        result.note("interference: an open-loop run fell behind (sending stopped) or left "
                    "requests unanswered: the latency comparison is not complete.")
    result.gate("interference: joins answered 302/404 only, no 5xx",
                set(alone.statuses) <= {302, 404} and set(mixed.statuses) <= {302, 404},
                f"without {alone.statuses}, with {mixed.statuses}")
    if hammer is not None:
        result.gate("interference: analytics answered 200 only", set(hammer.statuses) <= {200},
                    f"{hammer.statuses}, errors {hammer.errors}")
        result.figure("analytics requests/s while hammering", hammer.rate, "req/s")
    result.extra["interference"] = {
        "alone": alone.to_dict(), "mixed": mixed.to_dict(),
        "hammer": hammer.to_dict() if hammer is not None else None,
        "saturation": sat.to_dict()}
    result.note(f"interference: CPU without {alone.cpu.get('by_process_pct')}, with "
                f"{mixed.cpu.get('by_process_pct')}; load {mixed.cpu.get('loadavg')}.")
