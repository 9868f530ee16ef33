"""Bench: the Manager's registrants list and search with 10,000 registrants (issue 3
point 11). Not a test: it prints figures for the README.

    .venv/bin/python bench/registrants_list.py [--people 10000] [--repeat 20]

It builds a throwaway instance (SQLite main database and keystore in a temporary var/
directory), registers the people through ``registrations.services.register`` (the real
path: sealed fields, subject keys, personal link, outbox row, audit entry, search tokens),
then times whole requests through Django's test client (middleware, session, template),
``--repeat`` times each, and prints the median, 90th percentile and the SQL queries per
request.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

FIRST = ["Élodie", "Jean-Pierre", "Chloé", "Léa", "Zoé", "Hugo", "Noé", "Inès", "Maël",
         "Camille", "Louis", "Jade", "Gabriel", "Anaïs", "Raphaël", "Sébastien", "Manon",
         "Théo", "Lucie", "Océane", "Baptiste", "Hélène", "François", "Agnès", "Jérôme"]
LAST = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
        "Leroy", "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David",
        "Bertrand", "Roux", "Vincent", "Fournier", "Morel", "Girard", "André", "Mercier",
        "Dupont", "Lambert", "Bonnet", "François", "Martinez", "Légaré"]


def setup(var: str) -> None:
    os.environ["LIVESESSION_VAR_DIR"] = var
    os.environ["DJANGO_SETTINGS_MODULE"] = "livesession.config.settings"
    os.environ["LIVESESSION_TASKS_IMMEDIATE"] = "0"  # the doorbell rings a queue nobody reads
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("KEYSTORE_DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    for alias in ("default", "keystore"):
        call_command("migrate", database=alias, interactive=False, verbosity=0)


def build(people: int, seed: int, via_service: int) -> tuple[Any, Any, list[dict[str, str]]]:
    """``via_service`` people through ``register`` (timed), the rest written in bulk the
    way the service writes them: a subject and its wrapped key, sealed fields, the
    same search tokens (``search.tokens_for``)."""
    import datetime as dt

    from django.db import transaction

    from livesession.core.clock import now
    from livesession.core.services import create_client
    from livesession.events.services import create_event, publish_event
    from livesession.protection import crypto, keystore
    from livesession.protection.models import DataKey, Subject, controller_key_for
    from livesession.registrations.models import Registration, SearchToken
    from livesession.registrations.search import normalize, tokens_for
    from livesession.registrations.services import register

    made = create_client("Bench", "owner@bench.test", slug="bench", actor="bench",
                         owner_password=secrets.token_urlsafe(16))
    client = made.client
    starts = now() + dt.timedelta(days=7)
    event = publish_event(create_event(
        client, actor="bench", title="Webinaire", description="", starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1), time_zone="Europe/Paris",
        room_url="https://room.example/bench"), actor="bench")
    rng = random.Random(seed)
    rows = []
    for n in range(people):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        rows.append({"email": f"{normalize(first)[:3]}.{n}@example{n % 7}.org",
                     "first": first, "last": last,
                     "status": rng.choices(["confirmed", "cancelled", "waitlisted",
                                            "pending_approval"], [80, 10, 5, 5])[0]})
    began = time.perf_counter()
    for row in rows[:via_service]:
        register(event, email=row["email"], first_name=row["first"], last_name=row["last"],
                 channel="manager", actor="bench")
    if via_service:
        took = time.perf_counter() - began
        print(f"  {via_service} registrations through registrations.services.register: "
              f"{took:.1f} s ({via_service / took:.0f}/s, wall clock)")
    controller = controller_key_for(client.pk)
    began = time.perf_counter()
    for start in range(via_service, people, 1000):
        chunk = rows[start:start + 1000]
        with transaction.atomic(), keystore.unit_of_work():
            subjects = Subject.objects.bulk_create([
                Subject(controller=controller, client=client,
                        email_index=crypto.email_index(r["email"])) for r in chunk])
            DataKey.objects.bulk_create([
                DataKey(subject_id=s.id, controller=controller,
                        wrapped=crypto.wrap_key(crypto.new_data_key(), str(s.id)))
                for s in subjects])
            keystore.preload(s.id for s in subjects)
            registrations = []
            for r, subject in zip(chunk, subjects, strict=True):
                registration = Registration(
                    client=client, event=event, subject=subject,
                    email_index=subject.email_index, status=r["status"], channel="import",
                    confirmed_at=now() if r["status"] == "confirmed" else None)
                registration.email = r["email"]
                registration.first_name = r["first"]
                registration.last_name = r["last"]
                registrations.append(registration)
            Registration.objects.bulk_create(registrations)
            SearchToken.objects.bulk_create([
                SearchToken(registration=reg, client=client, event=event, token=token)
                for reg, r in zip(registrations, chunk, strict=True)
                for token in tokens_for(client.pk, r["email"], r["first"], r["last"])])
        print(f"  {start + len(chunk):>6} registrants", end="\r", flush=True)
    took = time.perf_counter() - began
    print(f"  {people - via_service} more written in bulk in {took:.1f} s")
    owner = made.client.memberships.get().user
    return event, owner, rows


def measure(browser: Any, url: str, params: dict[str, str], repeat: int) -> dict[str, Any]:
    from django.db import connections
    from django.test.utils import CaptureQueriesContext

    times = []
    cpu = []
    queries = 0
    for i in range(repeat + 2):
        with CaptureQueriesContext(connections["default"]) as main, \
                CaptureQueriesContext(connections["keystore"]) as keys:
            began, began_cpu = time.perf_counter(), time.process_time()
            response = browser.get(url, params)
            elapsed, used = time.perf_counter() - began, time.process_time() - began_cpu
        assert response.status_code == 200, (url, params, response.status_code)
        if i >= 2:  # two warm-up requests
            times.append(elapsed * 1000)
            cpu.append(used * 1000)
        queries = len(main.captured_queries) + len(keys.captured_queries)
    times.sort()
    return {"median": statistics.median(times), "p90": times[int(len(times) * 0.9) - 1],
            "max": times[-1], "cpu": statistics.median(cpu), "queries": queries,
            "rows": response.content.decode().count('<th scope="row"><a href=')}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--import-lines", type=int, default=500,
                        help="size of a CSV imported into a second event at the end")
    parser.add_argument("--via-service", type=int, default=200,
                        help="how many of them go through the registration service")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="livesession-bench-") as var:
        setup(var)
        from django.test import Client as Browser
        from django.urls import reverse

        from livesession.registrations import search
        from livesession.registrations.models import Registration, SearchToken

        event, owner, rows = build(args.people, args.seed, min(args.via_service, args.people))
        browser = Browser()
        browser.force_login(owner)
        url = reverse("manager:registrants", kwargs={"client_slug": "bench",
                                                     "event_id": event.pk})
        middle = Registration.objects.filter(event=event).order_by("created_at", "id")[
            args.people // 2]
        someone = rows[args.people // 3]
        cases = [
            ("list, first page", {}),
            ("list, a page in the middle (keyset)", {"after": search.encode_cursor(middle)}),
            ("list, status filter", {"status": "confirmed"}),
            ("search, exact email", {"q": someone["email"]}),
            ("search, name prefix (4 letters)", {"q": someone["last"][:4]}),
            ("search, first and last name", {"q": f"{someone['first']} {someone['last']}"}),
            ("search, accents dropped", {"q": "lefevre"}),
            ("search + status filter", {"q": someone["last"], "status": "confirmed"}),
            ("search, no match", {"q": "nobody-at-all"}),
        ]
        print(f"\nSQLite, {args.people} registrants, "
              f"{SearchToken.objects.count()} search tokens; "
              f"{args.repeat} requests each (after 2 warm-up), whole request through Django:")
        print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        print(f"{'case':<40}{'median ms':>10}{'p90 ms':>9}{'max ms':>9}{'CPU ms':>8}"
              f"{'queries':>9}{'rows':>6}")
        events = reverse("manager:events", kwargs={"client_slug": "bench"})
        for label, page, params in [("baseline: the Manager's events page", events, {}),
                                    *((label, url, params) for label, params in cases)]:
            result = measure(browser, page, params, args.repeat)
            print(f"{label:<40}{result['median']:>10.1f}{result['p90']:>9.1f}"
                  f"{result['max']:>9.1f}{result['cpu']:>8.1f}{result['queries']:>9}"
                  f"{result['rows']:>6}")
        export = reverse("manager:registrants-export-csv",
                         kwargs={"client_slug": "bench", "event_id": event.pk})
        began = time.perf_counter()
        response = browser.get(export)
        size = (sum(len(chunk) for chunk in response.streaming_content)
                if response.streaming else len(response.content))
        took = time.perf_counter() - began
        print(f"\nCSV export of {args.people} rows (decrypted): {took:.2f} s "
              f"({args.people / took:.0f} rows/s, {size / 1e6:.1f} MB)")
        if args.import_lines:
            bench_import(event, args.import_lines)


def bench_import(event: Any, lines: int) -> None:
    """A CSV into a second event of the same client, checked then run the way the worker
    runs it (imports.analyse, imports.run), 2 % bad addresses and 2 % duplicates."""
    import datetime as dt

    from livesession.events.services import create_event, publish_event
    from livesession.registrations import imports
    from livesession.registrations.models import Import

    other = publish_event(create_event(
        event.client, actor="bench", title="Import", description="",
        starts_at=event.starts_at, ends_at=event.starts_at + dt.timedelta(hours=1),
        time_zone="Europe/Paris", room_url="https://room.example/import"), actor="bench")
    rows = ["email;prénom;nom"]
    for n in range(lines):
        if n % 50 == 7:
            rows.append(f"broken-{n};Bad;Line")
        elif n % 50 == 9:
            rows.append(rows[-1])
        else:
            rows.append(f"imp.{n}@example.org;Imp{n};Orted")
    raw = ("\n".join(rows) + "\n").encode()
    began = time.perf_counter()
    imp = imports.create_import(other, raw, actor="bench")
    if imp.status == "analysing":
        imports.analyse(imp.pk)
    checked = time.perf_counter() - began
    imports.confirm(Import.objects.get(pk=imp.pk), "contract", actor="bench")
    began = time.perf_counter()
    imports.run(imp.pk)
    ran = time.perf_counter() - began
    done = imports.summary(Import.objects.get(pk=imp.pk))
    print(f"Import of {lines} lines: check {checked:.1f} s ({lines / checked:.0f} lines/s), "
          f"run {ran:.1f} s ({lines / ran:.0f} lines/s, batches of {imports.BATCH}); "
          f"{done['imported']} imported, {done['invalid']} invalid, "
          f"{done['duplicates']} duplicates")


if __name__ == "__main__":
    main()
