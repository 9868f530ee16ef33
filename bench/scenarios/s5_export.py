"""S5 bulk export (issue 9; performance-anchors.md §(b) S5): the Manager's CSV exports of
one event as streams through HTTP, and one person's access export.

Dataset (``seed``): client ``s5`` with one event of ``sessions`` sessions (a series) and
``people`` registrants (sealed, written in bulk: bench/scenarios/_d_data.py), a confirmed
place for each in each session and an attendance row for each place: 100 k registrants
and 1 M attendance rows by default. ``restricted`` of them have their processing restricted
(GDPR art. 18: the exports must leave them out), and a second client ``s5-other`` has its
own event and people (the export must not show them).

Measured through the real server (granian, the harness's) when there is one, else
in-process through Django's test client (``--inprocess``, reported as such):

* registrants CSV and attendance CSV: rows/s streamed (rows / total time), time to first
  byte, peak RSS growth of the server worker per million rows (``/proc/<pid>/status``
  VmHWM after ``clear_refs``), gates: row count and a SHA-256 of the sorted exported
  addresses (and session titles) equal to the database's (``reference``, computed with
  plain queries, not with the export code), no row of the other client, no restricted
  person;
* one person's access export (``manager:person-export``, a ZIP) p95 over ``repeat``
  requests, for people with ``sessions`` attendance rows each.

Standalone: ``.venv/bin/python bench/scenarios/s5_export.py [--quick] [--db URL]``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE.parents[1]) not in sys.path:
    sys.path.insert(0, str(HERE.parents[1]))

from bench.scenarios import _d_http as web  # noqa: E402 - after the path

TITLE = "Bulk export"
ROWS_PER_S = 100_000
MB_PER_MILLION = 50.0
TTFB_MS = 500.0
PERSON_P95_MS = 200.0
FULL = {"people": 100_000, "sessions": 10, "other": 2_000, "restricted": 20}
QUICK = {"people": 10_000, "sessions": 10, "other": 500, "restricted": 10}


# --- Django side (run through ctx.django, or in this process standalone) ------------------

def seed(people: int, sessions: int, other: int, restricted: int, seed: int = 5
         ) -> dict[str, Any]:
    from bench.scenarios import _d_data as d
    from livesession.protection import restriction

    began = time.perf_counter()
    tenant = d.new_client("s5")
    event = d.new_event(tenant.client, sessions=sessions)
    made = d.bulk_people(tenant.client, event, people, seed=seed, prefix="s5")
    seats = d.bulk_seats(event)
    attendance = d.bulk_attendance(event)
    neighbour = d.new_client("s5-other")
    other_event = d.new_event(neighbour.client, sessions=2)
    d.bulk_people(neighbour.client, other_event, other, seed=seed + 1, prefix="other")
    d.bulk_seats(other_event)
    d.bulk_attendance(other_event)
    step = max(1, people // max(restricted, 1))
    restricted_ids = made.subject_ids[::step][:restricted]
    restriction.restrict(restricted_ids, actor="bench", source="manager")
    d.analyze()
    return {"client_slug": "s5", "event_id": str(event.pk), "people": people,
            "seats": seats, "attendance": attendance,
            "restricted": len(restricted_ids),
            "restricted_emails": [made.emails[made.subject_ids.index(s)]
                                  for s in restricted_ids],
            "persons": [str(s) for s in made.subject_ids[1::max(1, people // 50)][:40]
                        if s not in restricted_ids],
            "seconds": time.perf_counter() - began, "generation": {
                "registrants_per_s": people / made.seconds}}


def session_for(client_slug: str) -> str:
    """A signed-in session of the client's owner (a real session row, as after sign-in)."""
    from django.test import Client as Browser

    from livesession.core.models import Membership

    owner = Membership.objects.filter(client__slug=client_slug).first()
    assert owner is not None
    browser = Browser()
    browser.force_login(owner.user)
    return str(browser.cookies["sessionid"].value)


def reference(event_id: str, kind: str) -> dict[str, Any]:
    """The database's answer, by plain queries (not the export code): rows and digest of
    the sorted addresses (registrants) or address + session title (attendance)."""
    from livesession.access.models import Attendance
    from livesession.events.models import Event, Session
    from livesession.protection import keystore
    from livesession.registrations.models import Registration, SessionSeat

    event = Event.objects.get(pk=event_id)
    allowed = Registration.objects.filter(client_id=event.client_id, event=event,
                                          subject__restricted_at__isnull=True)
    with keystore.unit_of_work():
        emails: dict[Any, str] = {}
        for chunk_start in range(0, 10**9, 5000):
            chunk = list(allowed.order_by("pk")[chunk_start:chunk_start + 5000])
            if not chunk:
                break
            keystore.preload(r.subject_id for r in chunk)
            emails.update({r.pk: r.email for r in chunk})
    if kind == "registrants":
        lines = list(emails.values())
    else:
        titles = dict(Session.objects.filter(event=event).values_list("pk", "title"))
        pairs = set(SessionSeat.objects.filter(
            client_id=event.client_id, session__event=event, status="confirmed",
            registration__status="confirmed").values_list("registration_id", "session_id"))
        pairs |= set(Attendance.objects.filter(client_id=event.client_id, event=event)
                     .values_list("registration_id", "session_id"))
        lines = [f"{emails[r]}\t{titles[s]}" for r, s in pairs if r in emails]
    return {"rows": len(lines), "sha256": web.digest_of(lines)}


def inprocess(client_slug: str, event_id: str, kind: str) -> dict[str, Any]:
    """The same measure without a server: Django's test client in this process (its RSS)."""
    from django.test import Client as Browser
    from django.urls import reverse

    from bench.scenarios import _d_data as d
    from livesession.core.models import Membership

    owner = Membership.objects.filter(client__slug=client_slug).first()
    assert owner is not None
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(owner.user)
    name = "manager:registrants-export-csv" if kind == "registrants" else \
        "manager:attendance-export-csv"
    url = reverse(name, kwargs={"client_slug": client_slug, "event_id": event_id})
    before = web.reset_peak([int(Path("/proc/self").resolve().name)])
    out = Path(tempfile.mkstemp(prefix=f"s5-{kind}-", suffix=".csv")[1])
    began = time.perf_counter()
    response = browser.get(url)
    ttfb = None
    with out.open("w", encoding="utf-8") as sink:
        if response.streaming:
            for chunk in response.streaming_content:  # type: ignore[attr-defined]  # test client response of a streamed view
                if ttfb is None:
                    ttfb = time.perf_counter() - began
                sink.write(chunk.decode() if isinstance(chunk, bytes) else chunk)
        else:
            ttfb = time.perf_counter() - began
            sink.write(response.content.decode())
    total = time.perf_counter() - began
    growth = web.peak_growth_mb(before)
    _ = d  # the data helpers share this process's Django
    return {"status": response.status_code, "ttfb_ms": (ttfb or total) * 1000,
            "total_s": total, "path": str(out), "growth_mb": growth,
            "streamed": bool(response.streaming)}


def person_export_inprocess(client_slug: str, persons: list[str], repeat: int
                            ) -> list[float]:
    from django.test import Client as Browser
    from django.urls import reverse

    from livesession.core.models import Membership

    owner = Membership.objects.filter(client__slug=client_slug).first()
    assert owner is not None
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(owner.user)
    times = []
    for i in range(repeat + 2):
        url = reverse("manager:person-export", kwargs={
            "client_slug": client_slug, "subject_id": persons[i % len(persons)]})
        began = time.perf_counter()
        response = browser.post(url)
        elapsed = (time.perf_counter() - began) * 1000
        assert response.status_code == 200, response.status_code
        if i >= 2:
            times.append(elapsed)
    return times


# --- Figures and gates --------------------------------------------------------------------

def _judge(result: Any, kind: str, got: dict[str, Any], ref: dict[str, Any],
           restricted: list[str], rows_label: str) -> None:
    digest = web.csv_digest(Path(got["path"]), [0] if kind == "registrants" else [0, 3])
    Path(got["path"]).unlink(missing_ok=True)
    rows = digest["rows"]
    result.gate(f"{kind}: HTTP 200", got["status"] == 200, str(got["status"]))
    result.gate(f"{kind}: row count equals the database's", rows == ref["rows"],
                f"{rows} exported, {ref['rows']} in the database")
    result.gate(f"{kind}: checksum equals the database's", digest["sha256"] == ref["sha256"],
                f"{digest['sha256'][:12]} vs {ref['sha256'][:12]}")
    emails = digest["emails"]
    strangers = sum(1 for e in emails if not e.startswith("s5."))
    result.gate(f"{kind}: only this client's people", strangers == 0,
                f"{strangers} addresses of another client")
    leaked = sum(1 for e in restricted if e in emails)
    result.gate(f"{kind}: restricted people left out", leaked == 0,
                f"{leaked} of {len(restricted)} restricted people exported")
    rate = rows / got["total_s"] if got["total_s"] else 0
    result.at_least(f"{kind} CSV rows/s streamed ({rows_label})", rate, ROWS_PER_S, "rows/s")
    result.at_most(f"{kind} CSV time to first byte", got["ttfb_ms"], TTFB_MS, "ms")
    per_million = got["growth_mb"] / max(rows, 1) * 1_000_000
    result.at_most(f"{kind} CSV peak RSS growth per million rows", per_million,
                   MB_PER_MILLION, "MB")
    result.extra[kind] = {"rows": rows, "seconds": got["total_s"], "ttfb_ms": got["ttfb_ms"],
                          "growth_mb": got["growth_mb"], "streamed": got.get("streamed")}


def run(ctx: Any) -> list[Any]:
    """One backend's run (``bench.harness.context.Context``): data, then the exports
    through ``ctx.server``."""
    size = QUICK if ctx.quick else FULL
    result = ctx.result("S5", TITLE)
    try:
        _run_backend(ctx, size, result)
    except Exception as exc:  # reported as FAILED, never hidden
        result.gate("scenario ran to the end", False, repr(exc)[-2000:])
    return [result]


def _run_backend(ctx: Any, size: dict[str, int], result: Any) -> None:
    info = ctx.django("bench.scenarios.s5_export:seed", **size)
    result.note(f"dataset: {size['people']} registrants x {size['sessions']} sessions, "
                f"{info['attendance']} attendance rows, written in {info['seconds']:.0f} s")
    session = ctx.django("bench.scenarios.s5_export:session_for",
                         client_slug=info["client_slug"])
    server = ctx.server
    base = f"/manager/{info['client_slug']}/events/{info['event_id']}/"
    # Warm-up: the first requests of a fresh worker import and cache modules (several MB
    # of RSS that are not the export's): small exports and the attendance page, a few times
    # so that both workers get some, before the measured downloads.
    for _ in range(4):
        web.fetch(server.base_url, base + "registrants/export.csv?status=waitlisted", session,
                  None)
        web.fetch(server.base_url, base + "attendance/", session, None)
    for kind, path in (("registrants", base + "registrants/export.csv"),
                       ("attendance", base + "attendance/export.csv")):
        ref = ctx.django("bench.scenarios.s5_export:reference", event_id=info["event_id"],
                         kind=kind)
        before = web.reset_peak(server.pids())
        out = Path(tempfile.mkstemp(prefix=f"s5-{kind}-", suffix=".csv")[1])
        got = web.fetch(server.base_url, path, session, out)
        _judge(result, kind, {"status": got.status, "ttfb_ms": got.ttfb_ms,
                              "total_s": got.total_s, "path": str(out),
                              "growth_mb": web.peak_growth_mb(before)},
               ref, info["restricted_emails"], "HTTP, granian")
    times = []
    for i in range(22):
        subject = info["persons"][i % len(info["persons"])]
        got = web.fetch(server.base_url, f"/manager/{info['client_slug']}/people/{subject}/"
                        "export/", session, None, method="POST")
        if got.status != 200:
            result.gate("person export: HTTP 200", False, str(got.status))
            return
        if i >= 2:
            times.append(got.total_s * 1000)
    from bench.scenarios._d_data import percentile

    result.at_most("one person's access export p95 (HTTP)", percentile(times, 95),
                   PERSON_P95_MS, "ms")


# --- Standalone (no harness): in-process -------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--db", default=None, help="DATABASE_URL (default: throwaway SQLite)")
    parser.add_argument("--people", type=int)
    args = parser.parse_args()
    size = dict(QUICK if args.quick else FULL)
    if args.people:
        size["people"] = args.people
    from bench.scenarios import _d_data as d

    with tempfile.TemporaryDirectory(prefix="bench-s5-") as var:
        d.setup(var, args.db)
        info = seed(**size)
        print(f"seeded in {info['seconds']:.1f} s ({d.vendor()}): {info['people']} people, "
              f"{info['attendance']} attendance rows")
        out: dict[str, Any] = {"backend": d.vendor(), "seed_s": info["seconds"]}
        for kind in ("registrants", "attendance"):
            ref = reference(info["event_id"], kind)
            got = inprocess(info["client_slug"], info["event_id"], kind)
            digest = web.csv_digest(Path(got["path"]), [0] if kind == "registrants" else [0, 3])
            Path(got["path"]).unlink(missing_ok=True)
            out[kind] = {"rows": digest["rows"], "ref_rows": ref["rows"],
                         "checksum_ok": digest["sha256"] == ref["sha256"],
                         "rows_per_s": round(digest["rows"] / got["total_s"]),
                         "ttfb_ms": round(got["ttfb_ms"], 1),
                         "growth_mb": round(got["growth_mb"], 1),
                         "streamed": got["streamed"],
                         "strangers": sum(1 for e in digest["emails"]
                                          if not e.startswith("s5.")),
                         "restricted_leaked": sum(1 for e in info["restricted_emails"]
                                                  if e in digest["emails"])}
            print(kind, json.dumps(out[kind]))
        times = person_export_inprocess(info["client_slug"], info["persons"], 20)
        out["person_export_p95_ms"] = round(d.percentile(times, 95), 1)
        print("person export p95 ms", out["person_export_p95_ms"])


if __name__ == "__main__":
    main()
