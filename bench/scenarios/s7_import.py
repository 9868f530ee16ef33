"""S7 CSV import of registrants (issue 9; performance-anchors.md §(b) S7).

A file of ``lines`` registrants (``email;prénom;nom``) with 2 % invalid addresses and 2 %
repeated lines, into an event whose capacity is below the valid lines (no waiting list),
run the way the worker runs it: ``imports.create_import`` (sealed upload), ``analyse`` (the
check and its report), ``confirm``, ``run`` (batches of ``imports.BATCH`` lines, each batch
written set-based by ``registrations.bulk``; before issue 9's bulk path, one
``registrations.services.register`` per line). Figures: lines/s of the check and of the
import, the process's peak RSS growth (``/proc/self/status`` VmHWM after ``clear_refs``).
Gates: every bad and repeated line reported with its own line number; each valid address
registered exactly once; the capacity never passed (the rest reported "full").

The importer refuses files over ``imports.MAX_RECORDS`` (100 k) lines or 20 MB: 1 M rows are
not a supported input, so the 1 M-row memory bound is extrapolated from the 100 k run (said
in the result). ``lines`` defaults to what fits the bench's time budget; the rows/s figure
does not depend on the size once past a few thousand lines (stated in the notes).

Standalone: ``.venv/bin/python bench/scenarios/s7_import.py [--lines N] [--db URL]``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE.parents[1]) not in sys.path:
    sys.path.insert(0, str(HERE.parents[1]))

TITLE = "CSV import"
ROWS_PER_S = 20_000
MB_PER_MILLION = 300.0
# 5,000 lines by default: at the rates measured on this machine (one register() per line) 20 k
# lines took about half an hour; BENCH_S7_LINES asks for more (the importer takes up to 100 k).
FULL = {"lines": int(os.environ.get("BENCH_S7_LINES", "5000"))}
QUICK = {"lines": 2_000}


def make_csv(lines: int) -> tuple[bytes, dict[str, Any]]:
    """The file and what it holds: line numbers (the header is line 1) of bad and repeated
    lines, the valid distinct addresses."""
    rows = ["email;prénom;nom"]
    bad: list[int] = []
    repeated: list[int] = []
    valid: list[str] = []
    for n in range(lines):
        line = n + 2
        if n % 50 == 7:
            rows.append(f"broken-{n}.example.org;Bad;Line")
            bad.append(line)
        elif n % 50 == 9:
            rows.append(rows[-1])  # the line before (valid: n % 50 == 8)
            repeated.append(line)
        else:
            email = f"imp.{n}@example{n % 7}.org"
            rows.append(f"{email};Imp{n};Orted")
            valid.append(email)
    return ("\n".join(rows) + "\n").encode(), {"bad": bad, "repeated": repeated,
                                              "valid": valid}


def measure(lines: int) -> dict[str, Any]:
    """Django side: seed, import, check; figures and gate inputs (JSON)."""
    from bench.scenarios import _d_data as d
    from bench.scenarios import _d_http as web
    from livesession.events.models import Event
    from livesession.registrations import imports
    from livesession.registrations.models import Import, Registration

    raw, expect = make_csv(lines)
    capacity = len(expect["valid"]) - max(1, len(expect["valid"]) // 20)
    tenant = d.new_client("s7")
    event = d.new_event(tenant.client, capacity=capacity)
    Event.objects.filter(pk=event.pk).update(waitlist_enabled=False)
    event.refresh_from_db()
    before = web.reset_peak([int(Path("/proc/self").resolve().name)])
    began = time.perf_counter()
    imp = imports.create_import(event, raw, actor="bench")
    if imp.status == "analysing":
        imports.analyse(imp.pk)
    checked = time.perf_counter() - began
    imports.confirm(Import.objects.get(pk=imp.pk), "contract", actor="bench")
    began = time.perf_counter()
    imports.run(imp.pk)
    ran = time.perf_counter() - began
    growth = web.peak_growth_mb(before)
    imp = Import.objects.get(pk=imp.pk)
    reported = {int(line): reason for line, reason in imp.reasons.items()}
    analysis_bad = {int(line) for line, _reason in imp.analysis.get("bad", [])}
    from livesession.protection import keystore

    with keystore.unit_of_work():
        registered = [r.email for r in Registration.objects.filter(event=event)]
    event.refresh_from_db()
    summary = imports.summary(imp)
    return {
        "lines": lines, "check_s": checked, "run_s": ran, "growth_mb": growth,
        "status": imp.status, "summary": summary, "capacity": capacity,
        "seats_taken": event.seats_taken, "batch": imports.BATCH,
        "bad_reported": sorted(set(expect["bad"]) & set(reported)) == expect["bad"],
        "bad_in_check": sorted(set(expect["bad"]) & analysis_bad) == expect["bad"],
        "repeated_reported": sorted(set(expect["repeated"]) & set(reported))
        == expect["repeated"],
        "registered": len(registered), "distinct": len(set(registered)),
        "strangers": len(set(registered) - set(expect["valid"])),
        "valid": len(expect["valid"]),
    }


def judge(result: Any, got: dict[str, Any]) -> None:
    lines = got["lines"]
    result.gate("bad lines reported by their line numbers (check and import)",
                got["bad_reported"] and got["bad_in_check"], json.dumps(got["summary"]))
    result.gate("repeated lines reported by their line numbers", got["repeated_reported"])
    once = got["registered"] == got["distinct"] and got["strangers"] == 0
    result.gate("valid rows imported exactly once", once,
                f"{got['registered']} registrations, {got['distinct']} distinct addresses")
    capacity_ok = (got["registered"] == got["capacity"] == got["seats_taken"]
                   and got["summary"].get("full", 0) == got["valid"] - got["capacity"])
    result.gate("capacity respected (the rest reported full)", capacity_ok,
                f"capacity {got['capacity']}, {got['registered']} registered, "
                f"{got['summary'].get('full', 0)} full")
    rate = lines / got["run_s"] if got["run_s"] else 0
    result.at_least(f"import lines/s (batches of {got['batch']}, bulk writes)",
                    rate, ROWS_PER_S, "rows/s")
    result.figure("check lines/s (analyse)", lines / got["check_s"], "rows/s")
    per_million = got["growth_mb"] / lines * 1_000_000
    result.at_most("peak RSS growth, extrapolated to 1 M lines", per_million, MB_PER_MILLION,
                   "MB")
    result.note(f"{lines} lines (not 100 k: at the measured rate 100 k lines take "
                f"{100_000 / max(rate, 1) / 60:.0f} min); 1 M lines is above the importer's "
                "limit (100 k lines, 20 MB per file): the memory figure is extrapolated "
                "linearly from this run.")
    result.extra["import"] = got


def run(ctx: Any) -> list[Any]:
    size = QUICK if ctx.quick else FULL
    result = ctx.result("S7", TITLE)
    try:
        judge(result, ctx.django("bench.scenarios.s7_import:measure", **size))
    except Exception as exc:  # reported as FAILED, never hidden
        result.gate("scenario ran to the end", False, repr(exc)[-2000:])
    return [result]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=FULL["lines"])
    parser.add_argument("--db", default=None)
    args = parser.parse_args()
    from bench.scenarios import _d_data as d

    with tempfile.TemporaryDirectory(prefix="bench-s7-") as var:
        d.setup(var, args.db)
        got = measure(args.lines)
        print(json.dumps(got, indent=1))
        print(f"import {got['lines'] / got['run_s']:.0f} lines/s, "
              f"check {got['lines'] / got['check_s']:.0f} lines/s")


if __name__ == "__main__":
    main()
