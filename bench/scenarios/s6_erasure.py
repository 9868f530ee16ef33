"""S6 erasure (issue 9; performance-anchors.md §(b) S6): one person at a time, and a whole
client.

* One person x ``persons``: ``protection.erasure.erase_person`` (the Manager's and the
  desk's path), timed one by one (p50, p99), on an event of ``background`` registrants with
  personal links, search tokens, a place in each session and attendance rows, plus an
  outbox message each for the erased people (made by the real code: a new personal
  link sent). Gate, zero residue, the marker-sweep approach of tests/protection: no row of any
  declared model reachable from an erased subject (``subject_rows``), every data key
  destroyed, no mail file, and the erased addresses and their unique marker names found
  nowhere in any table of either database as text (a sample of ``sweep`` people: the scan
  reads every row).
* A whole client: ``contracts.destruction.destroy_client`` (the end-of-contract path: keys
  destroyed, then every row of the client deleted in batches of ``contracts.destruction.
  BATCH``) on a client of ``client_people`` registrants x ``sessions`` sessions (places and
  attendance: 1.2 M rows at full size). Figures: rows/s, the longest batch transaction
  (the time between two saves of the certificate, which ends each batch's transaction: an
  upper bound of the lock held). Gate:
  ``remaining(client)`` empty and no data key of the client left.

The join p99 during the client's destruction needs the harness's open-loop S1 (``run``).

Standalone: ``.venv/bin/python bench/scenarios/s6_erasure.py [--quick] [--db URL]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import random
import string
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE.parents[1]) not in sys.path:
    sys.path.insert(0, str(HERE.parents[1]))

TITLE = "Erasure"
PERSON_P99_MS = 20.0
CLIENT_ROWS_PER_S = 50_000
LOCK_S = 1.0
FULL = {"persons": 200, "background": 5_000, "client_people": 100_000, "sessions": 10,
        "sweep": 20}
QUICK = {"persons": 200, "background": 2_000, "client_people": 10_000, "sessions": 10,
         "sweep": 10}


def _marker() -> str:
    return "Mk" + "".join(random.choices(string.ascii_uppercase, k=10))


# --- Django side ---------------------------------------------------------------------------

def seed_persons(persons: int, background: int, sessions: int) -> dict[str, Any]:
    from bench.scenarios import _d_data as d
    from livesession.access import services as access
    from livesession.registrations.models import Registration

    began = time.perf_counter()
    tenant = d.new_client("s6")
    event = d.new_event(tenant.client, sessions=min(sessions, 3))
    names = [(_marker(), _marker()) for _ in range(persons)]
    made = d.bulk_people(tenant.client, event, background, prefix="s6", links=True,
                         tokens=True, names=names)
    d.bulk_seats(event)
    d.bulk_attendance(event)
    # A message each, written by the real code (a resend of the personal link).
    for registration in Registration.objects.filter(pk__in=made.registration_ids[:persons]):
        access.regenerate(registration, actor="bench")
    d.analyze()
    return {"subjects": [str(s) for s in made.subject_ids[:persons]],
            "emails": made.emails[:persons], "markers": [m for pair in names for m in pair],
            "seconds": time.perf_counter() - began}


def _warm() -> None:
    """Import what the timed code imports lazily (the task queue: huey, its storage), as a
    running server or worker has: the first timed call would otherwise pay it (about 1 s
    on a loaded machine: the first person's time, or 10 % of a quick client's)."""
    import importlib

    for name in ("livesession.core.tasks", "livesession.protection.jobs"):
        importlib.import_module(name)


def erase_each(subjects: list[str]) -> list[float]:
    from livesession.protection import erasure
    from livesession.protection.models import Subject

    _warm()
    times = []
    for sid in subjects:
        subject = Subject.objects.get(pk=sid)
        began = time.perf_counter()
        erasure.erase_person(subject, actor="bench", scope=erasure.CLIENT)
        times.append((time.perf_counter() - began) * 1000)
    return times


def residue(subjects: list[str], needles: list[str]) -> dict[str, Any]:
    """What is left of the erased people (all must be zero/empty)."""
    import uuid

    from django.apps import apps
    from django.conf import settings

    from livesession.protection import subject_rows
    from livesession.protection.models import DataKey
    from livesession.protection.registry import all_declarations

    ids = [uuid.UUID(s) for s in subjects]
    rows: dict[str, int] = {}
    for label, decl in sorted(all_declarations().items()):
        model = apps.get_model(label)
        path = subject_rows.subject_lookup(model, decl)
        # The subject row and its data key row stay by design (a shredded husk, a key row
        # with its wrapped key overwritten as evidence): the key is checked below.
        if path is None or label in ("protection.Subject", "protection.DataKey"):
            continue
        left = model._default_manager.filter(**{f"{path}__in": ids}).count()
        if left:
            rows[label] = left
    keys = DataKey.objects.filter(subject_id__in=ids, wrapped__isnull=False).count()
    files = [p.name for p in Path(settings.EMAIL_FILE_PATH).glob("*.eml")
             if any(n.lower().encode() in p.read_bytes().lower() for n in needles)] \
        if Path(settings.EMAIL_FILE_PATH).is_dir() else []
    return {"rows": rows, "keys": keys, "files": files, "tables": sorted(_table_hits(needles))}


def _table_hits(needles: list[str]) -> set[tuple[str, str, str]]:
    """Every row of every table of both databases, all columns as text (as
    tests/protection/test_marker_sweep.py reads them)."""
    from django.db import connections

    hits = set()
    lowered = [(n, n.lower()) for n in needles]
    for alias in ("default", "keystore"):
        connection = connections[alias]
        with connection.cursor() as cursor:
            for table in connection.introspection.table_names(cursor):
                quoted = connection.ops.quote_name(table)
                if connection.vendor == "postgresql":
                    cursor.execute(f"SELECT t::text FROM {quoted} AS t")  # noqa: S608 - introspected names
                else:
                    cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 - introspected names
                while True:
                    batch = cursor.fetchmany(5000)
                    if not batch:
                        break
                    for row in batch:
                        line = " ".join(_text(v) for v in row).lower()
                        hits |= {(alias, table, n) for n, low in lowered if low in line}
    return hits


def _text(value: Any) -> str:
    if isinstance(value, memoryview):
        value = bytes(value)
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return str(value)


def seed_client(client_people: int, sessions: int) -> dict[str, Any]:
    from bench.scenarios import _d_data as d
    from livesession.contracts.models import Contract, State
    from livesession.core.clock import now

    began = time.perf_counter()
    tenant = d.new_client("s6-whole")
    event = d.new_event(tenant.client, sessions=sessions)
    d.bulk_people(tenant.client, event, client_people, prefix="whole", links=True)
    seats = d.bulk_seats(event)
    attendance = d.bulk_attendance(event)
    Contract.objects.update_or_create(client=tenant.client, defaults={
        "state": State.TERMINATED, "terminated_at": now() - dt.timedelta(days=400),
        "terminated_by": "bench"})
    d.analyze()
    return {"client_id": tenant.client.pk, "seats": seats, "attendance": attendance,
            "seconds": time.perf_counter() - began}


def destroy(client_id: int) -> dict[str, Any]:
    from django.db.models.signals import post_save

    from livesession.contracts import destruction
    from livesession.contracts.models import Contract, DestructionCertificate
    from livesession.protection.models import DataKey, controller_key_for

    saves: list[tuple[float, str]] = []

    def seen(instance: Any, **_kw: Any) -> None:
        saves.append((time.perf_counter(), (instance.steps or ["start"])[-1]))

    _warm()
    post_save.connect(seen, sender=DestructionCertificate, dispatch_uid="bench-s6")
    contract = Contract.objects.get(client_id=client_id)
    began = time.perf_counter()
    try:
        cert = destruction.destroy_client(contract, actor="bench")
    finally:
        post_save.disconnect(dispatch_uid="bench-s6", sender=DestructionCertificate)
    took = time.perf_counter() - began
    saves.insert(0, (began, "start"))
    # Each interval ends with a save: the certificate's creation ("start"), a step
    # ("journal", "files", "keys": the key destruction) or a batch of rows (still "keys" as
    # the last step named, until "rows" is marked).
    steps = [(b - a, step) for (a, _s), (b, step) in itertools.pairwise(saves)]
    batches = [t for t, step in steps[4:] if step == "keys"]
    return {"seconds": took, "rows": sum(cert.counts.values()), "counts": cert.counts,
            "keys": len(cert.key_ids),
            "longest_batch_s": max(batches) if batches else None,
            "steps_s": {step: round(t, 2) for t, step in steps[:4]},
            "remaining": destruction.remaining(client_id),
            "live_keys": DataKey.objects.filter(controller=controller_key_for(client_id),
                                                wrapped__isnull=False).count(),
            "batch": destruction.BATCH}


# --- Figures and gates ---------------------------------------------------------------------

def judge(result: Any, times: list[float], left: dict[str, Any], whole: dict[str, Any],
          persons: dict[str, Any], client: dict[str, Any]) -> None:
    from bench.scenarios._d_data import percentile

    result.gate("one person: zero residue (rows, keys, files, table text)",
                not left["rows"] and not left["keys"] and not left["files"]
                and not left["tables"],
                json.dumps({k: v for k, v in left.items() if v})[:500] or "none")
    result.at_most("one person erased, p99", percentile(times, 99), PERSON_P99_MS, "ms")
    result.figure("one person erased, p50", percentile(times, 50), "ms")
    result.gate("whole client: nothing left (remaining(), data keys)",
                not whole["remaining"] and whole["live_keys"] == 0,
                json.dumps(whole["remaining"])[:300] + f"; {whole['live_keys']} live keys")
    rate = whole["rows"] / whole["seconds"] if whole["seconds"] else 0
    result.at_least(f"whole client destroyed, rows/s (batches of {whole['batch']})", rate,
                    CLIENT_ROWS_PER_S, "rows/s")
    result.at_most("longest batch transaction (lock bound)", whole["longest_batch_s"],
                   LOCK_S, "s")
    result.extra.update({"person_ms": times, "whole": whole, "seed": {
        "persons_s": persons["seconds"], "client_s": client["seconds"]}})
    result.note(f"whole client: {whole['rows']} rows, {whole['keys']} keys in "
                f"{whole['seconds']:.1f} s; first steps {whole['steps_s']}")


def run(ctx: Any) -> list[Any]:
    """One backend's run (``bench.harness.context.Context``)."""
    size = QUICK if ctx.quick else FULL
    result = ctx.result("S6", TITLE)
    try:
        persons = ctx.django("bench.scenarios.s6_erasure:seed_persons",
                             persons=size["persons"], background=size["background"],
                             sessions=size["sessions"])
        times = ctx.django("bench.scenarios.s6_erasure:erase_each",
                           subjects=persons["subjects"])
        left = ctx.django("bench.scenarios.s6_erasure:residue", subjects=persons["subjects"],
                          needles=_needles(persons, size["sweep"]))
        client = ctx.django("bench.scenarios.s6_erasure:seed_client",
                            client_people=size["client_people"], sessions=size["sessions"])
        whole = ctx.django("bench.scenarios.s6_erasure:destroy", client_id=client["client_id"])
        judge(result, times, left, whole, persons, client)
        result.note("join p99 during the client's destruction: not measured yet (needs "
                    "S1's open-loop join next to it).")
    except Exception as exc:  # reported as FAILED, never hidden
        result.gate("scenario ran to the end", False, repr(exc)[-2000:])
    return [result]


def _needles(persons: dict[str, Any], sweep: int) -> list[str]:
    return [*persons["emails"][:sweep], *persons["markers"][:2 * sweep]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--db", default=None)
    args = parser.parse_args()
    size = QUICK if args.quick else FULL
    from bench.scenarios import _d_data as d

    with tempfile.TemporaryDirectory(prefix="bench-s6-") as var:
        d.setup(var, args.db)
        persons = seed_persons(size["persons"], size["background"], size["sessions"])
        print(f"seeded {size['background']} people in {persons['seconds']:.1f} s")
        times = erase_each(persons["subjects"])
        print(f"one person: p50 {d.percentile(times, 50):.1f} ms, "
              f"p99 {d.percentile(times, 99):.1f} ms")
        left = residue(persons["subjects"], _needles(persons, size["sweep"]))
        print("residue", json.dumps(left))
        client = seed_client(size["client_people"], size["sessions"])
        print(f"client seeded in {client['seconds']:.1f} s")
        whole = destroy(client["client_id"])
        print("whole client", json.dumps({k: v for k, v in whole.items()
                                          if k != "counts"}),
              f"{whole['rows'] / whole['seconds']:.0f} rows/s")


if __name__ == "__main__":
    main()
