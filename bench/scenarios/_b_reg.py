"""Shared by S2 and S3: how a load generator registers, and the gates.

Path measured: the public JSON API, ``POST /api/v1/events/<id>/registrations`` (no token,
no session, no CSRF: programs register there), which calls the same
``registrations.services.register`` as the registration page. The page's bot checks
(honeypot, signed form stamp with a minimum fill time of 3 s) apply to the HTML form only;
the API is bounded by the rate limits (counted on every request, limits raised for the
run: all the load comes from one address) and the optional proof of work (off by default,
off here). Every request carries a unique address (``rush<n>-<i>@bench.example``).
"""

from __future__ import annotations

import json
from typing import Any

from bench.harness import Context, Result
from bench.harness.wrk import lua_string

SEED = "bench.scenarios._b_seed"
HEADERS = {"Content-Type": "application/json", "Accept-Language": "en"}


def body(n: int, tag: str) -> bytes:
    return json.dumps({"email": f"{tag}{n}@bench.example", "first_name": "Rush",
                       "last_name": f"P{n}", "language": "en"}).encode()


def lua_post(paths: list[str], tag: str, limit: int = 0) -> str:
    """wrk Lua: POST a unique registration to one of ``paths`` (random when several);
    with ``limit``, the thread stops after that many answers."""
    items = ", ".join(lua_string(p) for p in paths)
    stop = (f"  if bench_answers >= {limit} then wrk.thread:stop() end\n" if limit else "")
    return f"""
local paths = {{{items}}}
local n = 0
local _prev_init = init
function init(args)
  if _prev_init then _prev_init(args) end
  math.randomseed(11)
  bench_answers = 0
end
local headers = {{["Content-Type"]="application/json", ["Accept-Language"]="en"}}
request = function()
  n = n + 1
  local body = '{{"email":"{tag}' .. n .. '@bench.example","first_name":"Rush",' ..
    '"last_name":"P' .. n .. '","language":"en"}}'
  return wrk.format("POST", paths[math.random(#paths)], headers, body)
end
local _prev_response = response
function response(status, headers, body)
  bench_answers = bench_answers + 1
{stop}  if _prev_response then _prev_response(status, headers, body) end
end
"""


def path_of(event: str) -> str:
    return f"/api/v1/events/{event}/registrations"


def check(result: Result, ctx: Context, label: str, events: list[str], *,
          capacity: int | None, answered_202: int, in_flight: int) -> dict[str, Any]:
    """The S2/S3 gates on the database: exact capacity, one outbox row per registration,
    no duplicate, every 202 stored (within the requests in flight at the end)."""
    facts = ctx.django(f"{SEED}:registrations", events=events)["events"]
    total = sum(f["total"] for f in facts.values())
    confirmed = sum(f["confirmed"] for f in facts.values())
    outbox = sum(f["outbox"] for f in facts.values())
    dupes = sum(f["duplicates"] for f in facts.values())
    doubled = sum(f["registrations_with_2_outbox_rows"] for f in facts.values())
    if capacity is not None:
        result.gate(f"{label}: exactly capacity confirmed",
                    all(f["confirmed"] == capacity == f["seats_taken"] for f in facts.values()),
                    f"{confirmed} confirmed, seats_taken "
                    f"{[f['seats_taken'] for f in facts.values()]}, capacity {capacity}")
    else:
        result.gate(f"{label}: seats_taken == confirmed, per event",
                    all(f["confirmed"] == f["seats_taken"] for f in facts.values()),
                    f"{confirmed} confirmed over {len(facts)} events")
    result.gate(f"{label}: one outbox row per registration",
                outbox == total and doubled == 0,
                f"{outbox} outbox rows, {total} registrations, {doubled} with two")
    result.gate(f"{label}: no duplicate (event, address)", dupes == 0, f"{dupes} duplicates")
    result.gate(f"{label}: every 202 is a stored registration",
                answered_202 <= total <= answered_202 + in_flight,
                f"{total} stored, {answered_202} answered 202, {in_flight} in flight at the end")
    return facts
