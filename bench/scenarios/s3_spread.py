"""S3, registrations spread over 100 events of 20 clients (no contention on one row).

Saturation: wrk -c64, each request to a random one of the 100 events, unique addresses
(median of 3 runs, 15 s); open loop at 500 req/s for 60 s. Gates as S2 (per event:
seats_taken == confirmed, one outbox row per registration, no duplicate, every 202
stored; no 5xx). Targets: >= 8 % of R_noop; p99 <= 50 ms at 500 req/s.
"""

from __future__ import annotations

import random

from bench.harness import Context, Result
from bench.scenarios._b_reg import HEADERS, SEED, body, check, lua_post, path_of

TITLE = "Registrations spread over 100 events"


def run(ctx: Context) -> list[Result]:
    result = ctx.result("S3", TITLE)
    events = ctx.django(f"{SEED}:spread_events", clients=20, per_client=5)["events"]
    paths = [path_of(e) for e in events]
    runs = []
    for i in range(1 if ctx.quick else 3):
        run_ = ctx.wrk("/", lua=lua_post(paths, f"s{i}x"), connections=64,
                       seconds=ctx.seconds(10, 3))
        runs.append(run_)
        result.gate(f"saturation run {i + 1}: answers are 202 only, no connection error",
                    set(run_.statuses) <= {202} and run_.connection_errors == 0,
                    f"statuses {run_.statuses}, errors {run_.errors}")
    answered = sum(r.count(202) for r in runs)
    check(result, ctx, "saturation", events, capacity=None, answered_202=answered,
          in_flight=sum(r.in_flight for r in runs))
    median = sorted(runs, key=lambda r: r.rate)[len(runs) // 2]
    result.ratio("saturation (wrk -c64, median of runs)", median.rate, ctx.r_noop, 0.08)
    result.figure("saturation rate", median.rate, "req/s")
    timeouts = sum(r.errors.get("timeout", 0) for r in runs)
    result.figure("saturation: requests unanswered after 10 s (wrk timeout)", timeouts,
                  target="0", met=timeouts == 0)
    result.extra["saturation_runs"] = [r.to_dict() for r in runs]

    rng = random.Random(5)
    rate = 500
    ol = ctx.open_loop(rate=rate, seconds=ctx.seconds(60, 5),
                       make=lambda i: ("POST", paths[rng.randrange(len(paths))], HEADERS,
                                       body(i, "sol")))
    complete = ol.unanswered == 0 and ol.overloaded_at is None
    answered += ol.count(202) + ol.warm_statuses.get(202, 0)
    check(result, ctx, f"after open loop {rate} req/s", events, capacity=None,
          answered_202=answered, in_flight=sum(r.in_flight for r in runs) + ol.unanswered)
    result.gate(f"open loop {rate} req/s: answers are 202 only (no 5xx)",
                set(ol.statuses) <= {202} and set(ol.warm_statuses) <= {202},
                f"statuses {ol.statuses}, errors {ol.errors}")
    result.latency(f"p99 at {rate} req/s open loop", ol.p99, 50,
                   complete=complete)
    result.figure("open loop: requests unanswered (timeout or overload)", ol.unanswered,
                  target="0", met=ol.unanswered == 0 and ol.overloaded_at is None)
    if ol.overloaded_at is not None:
        result.note(f"open loop at {rate} req/s: the server fell more than 3 s behind; "
                    f"sending stopped {ol.overloaded_at} s into the run, after {ol.sent} "
                    "requests.")
    result.extra["open_loop"] = ol.to_dict()
    result.note(f"saturation (median run) CPU: {median.cpu.get('by_process_pct')}, load "
                f"{median.cpu.get('loadavg')}.")
    return [result]
