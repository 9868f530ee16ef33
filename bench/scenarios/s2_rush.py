"""S2, registration rush on one event (path measured: bench/scenarios/_b_reg.py).

For capacity 1,000 with 64 and with 256 concurrent clients, then 10,000 with 64 clients:
a fresh event, 5 times more attempts than places (wrk stops after that many answers;
the 10,000 variant after 1.5 times, to stay within the run's time), unique addresses.
Figures: decisions per second (202 + 409) as a ratio to R_noop; confirmed registrations
per second while places remained (capacity / span of their creation times, 10,000
variant); max latency under 256 clients (closed loop, <= 1 s: no lock convoy); p99 at 300
req/s open loop on an event without capacity (60 s).
Gates: exactly capacity confirmed (and seats_taken), one outbox row per registration, no
duplicate, the rest answered 409, no 5xx, no socket error.
"""

from __future__ import annotations

from typing import Any

from bench.harness import Context, Result
from bench.scenarios._b_reg import HEADERS, SEED, body, check, lua_post, path_of

TITLE = "Registration rush"


def _rush(ctx: Context, result: Result, capacity: int, clients: int, factor: float,
          tag: str, cap_seconds: float) -> Any:
    """A fresh event; wrk stops after ``factor`` x capacity answers or ``cap_seconds``
    (whichever first). When the places ran out (409s seen) the gate is "exactly capacity";
    when time ran out first it is "never above capacity" and a note says so."""
    event = ctx.django(f"{SEED}:rush_event", slug="bench-rush", title=f"Rush {tag}",
                       capacity=capacity)["event"]
    attempts = int(capacity * factor)
    run = ctx.wrk("/", lua=lua_post([path_of(event)], tag, limit=attempts),
                  connections=clients, seconds=cap_seconds)
    label = f"capacity {capacity:,}, {clients} clients"
    filled = run.count(409) > 0
    facts = check(result, ctx, label, [event], capacity=capacity if filled else None,
                  answered_202=run.count(202), in_flight=run.in_flight)
    if not filled:
        mine = facts[event]
        result.gate(f"{label}: never above capacity (not filled within {cap_seconds:g} s)",
                    mine["confirmed"] == mine["seats_taken"] <= capacity,
                    f"{mine['confirmed']} confirmed of {capacity}")
        result.note(f"{label}: the places did not run out within {cap_seconds:g} s "
                    f"({run.count(202)} registrations): exactness is checked as 'never "
                    "above capacity'.")
    result.gate(f"{label}: answers are 202 or 409 only, no 5xx, no connection error",
                set(run.statuses) <= {202, 409} and run.connection_errors == 0
                and (run.count(202) == capacity or not filled),
                f"statuses {run.statuses}, errors {run.errors}, {run.sent} sent")
    result.figure(f"{label}: requests unanswered after 10 s (wrk timeout)",
                  run.errors.get("timeout", 0), target="0",
                  met=run.errors.get("timeout", 0) == 0)
    result.extra[f"rush_{capacity}_{clients}"] = {"wrk": run.to_dict(), "db": facts}
    return run, facts[event]


def run(ctx: Context) -> list[Result]:
    result = ctx.result("S2", TITLE)
    small = 100 if ctx.quick else 1000
    big = 300 if ctx.quick else 10000
    r64, _ = _rush(ctx, result, small, 64, 5, "a", ctx.seconds(60, 8))
    r256, _ = _rush(ctx, result, small, 256, 5, "b", ctx.seconds(40, 5))
    rbig, fbig = _rush(ctx, result, big, 64, 1.5, "c", ctx.seconds(30, 5))
    result.ratio(f"decisions/s, capacity {small:,}, 64 clients", r64.rate, ctx.r_noop, 0.06,
                 stretch=0.10)
    result.ratio(f"decisions/s, capacity {small:,}, 256 clients", r256.rate, ctx.r_noop, 0.06,
                 stretch=0.10)
    per_s = (fbig["confirmed"] / fbig["confirmed_span_s"] if fbig["confirmed_span_s"]
             else None)
    result.at_least(f"confirmed registrations/s while places remain (capacity {big:,})",
                    per_s, 500, "/s")
    result.at_most("max latency under 256 clients (closed loop)", r256.latency_ms.get("max"),
                   1000)
    result.figure("decisions/s (64 clients)", r64.rate, "req/s")
    result.figure(f"rate while places remain, capacity {big:,} (all answers)", rbig.rate,
                  "req/s")

    # Open loop at 300 req/s on an event without capacity.
    event = ctx.django(f"{SEED}:rush_event", slug="bench-rush", title="Rush open loop",
                       capacity=None)["event"]
    path = path_of(event)
    rate = 300
    ol = ctx.open_loop(rate=rate, seconds=ctx.seconds(60, 5),
                       make=lambda i: ("POST", path, HEADERS, body(i, "ol")))
    complete = ol.unanswered == 0 and ol.overloaded_at is None
    answered = ol.count(202) + ol.warm_statuses.get(202, 0)
    check(result, ctx, f"open loop {rate} req/s", [event], capacity=None,
          answered_202=answered, in_flight=ol.unanswered)
    result.gate(f"open loop {rate} req/s: answers are 202 only (no 5xx)",
                set(ol.statuses) <= {202} and set(ol.warm_statuses) <= {202},
                f"statuses {ol.statuses}, errors {ol.errors}")
    result.latency(f"p99 at {rate} req/s open loop", ol.p99, 100,
                   complete=complete)
    result.figure("open loop: requests unanswered (timeout or overload)", ol.unanswered,
                  target="0", met=ol.unanswered == 0 and ol.overloaded_at is None)
    if ol.overloaded_at is not None:
        result.note(f"open loop at {rate} req/s: the server fell more than 3 s behind; "
                    f"sending stopped {ol.overloaded_at} s into the run, after {ol.sent} "
                    "requests.")
    result.extra["open_loop"] = ol.to_dict()
    result.note(f"rush (capacity {small:,}, 64 clients) CPU: {r64.cpu.get('by_process_pct')}, "
                f"load {r64.cpu.get('loadavg')}; open loop CPU "
                f"{ol.cpu.get('by_process_pct')}.")
    return [result]
