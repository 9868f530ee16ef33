"""Organizer analytics (issue 7 §7): every figure against SQL written here, on seeded data;
restricted people and objectors left out (R-10, R-11, P4.1)."""

# ruff: noqa: S608 - reference SQL built from this file's constants; values are parameters
from __future__ import annotations

import datetime as dt
import itertools
import statistics
import zoneinfo
from collections import Counter
from typing import Any

from django.utils.timezone import localtime

from livesession.analytics import facts, figures
from livesession.analytics.figures import BUCKETS
from livesession.protection import objection, restriction
from livesession.registrations import services as reg
from livesession.registrations.models import Registration
from tests.analytics.conftest import COUNTED, Seed, attend, person, sql, uid

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def _per_day_sql(seed: Seed) -> Counter[dt.date]:
    rows = sql(f"SELECT created_at FROM registrations_registration WHERE id IN ({COUNTED})",
               [uid(seed.event.pk)])
    found: Counter[dt.date] = Counter()
    for (at,) in rows:
        if isinstance(at, str):  # SQLite hands back text
            at = dt.datetime.fromisoformat(at)
        if at.tzinfo is None:
            at = at.replace(tzinfo=dt.UTC)
        found[at.astimezone(PARIS).date()] += 1
    return found


def _minutes_sql(seed: Seed, measured: bool = True) -> list[int]:
    rows = sql(f"SELECT seconds_present FROM access_attendance WHERE event_id = %s "
               f"AND presence_measured = %s AND registration_id IN ({COUNTED})",
               [uid(seed.event.pk), measured, uid(seed.event.pk)])
    return [int(s) // 60 for (s,) in rows]


def _check_against_sql(seed: Seed) -> figures.Figures:
    got = figures.for_event(seed.event)
    event_id = uid(seed.event.pk)
    # Registrations received, per local day.
    assert got.timeline.granularity == "day"
    assert {p.start: p.count for p in got.timeline.points if p.count} == dict(_per_day_sql(seed))
    # Conversion.
    statuses = dict(sql(f"SELECT status, COUNT(*) FROM registrations_registration "
                        f"WHERE id IN ({COUNTED}) GROUP BY status", [event_id]))
    present = sql(f"SELECT COUNT(DISTINCT registration_id) FROM access_attendance "
                  f"WHERE event_id = %s AND registration_id IN ({COUNTED})",
                  [event_id, event_id])[0][0]
    present_unconfirmed = sql(
        f"SELECT COUNT(*) FROM registrations_registration r WHERE r.id IN ({COUNTED}) "
        f"AND r.status <> 'confirmed' AND EXISTS (SELECT 1 FROM access_attendance a "
        f"WHERE a.registration_id = r.id)", [event_id])[0][0]
    assert got.conversion.received == sum(statuses.values())
    assert got.conversion.confirmed == statuses.get("confirmed", 0)
    assert got.conversion.present == present
    assert got.conversion.registered == statuses.get("confirmed", 0) + present_unconfirmed
    # Presence durations and the per-session row (an event without sessions: one row).
    minutes = _minutes_sql(seed)
    expected_buckets = []
    bounds = (*BUCKETS, None)
    for low, high in itertools.pairwise(bounds):
        expected_buckets.append(sum(1 for m in minutes if m >= low and (high is None
                                                                          or m < high)))
    assert [n for _low, _high, n in got.durations.buckets] == expected_buckets
    assert got.durations.measured == len(minutes)
    assert got.durations.unmeasured == len(_minutes_sql(seed, measured=False))
    median = statistics.median(minutes) if minutes else None
    assert got.durations.median_minutes == median
    (row,) = got.rows
    assert row.registered == statuses.get("confirmed", 0)
    assert row.present == present
    assert row.median_minutes == median
    # Breakdowns: grouped in SQL over the facts table.
    for key, column in (("job_function", "job_function"), ("city", "city"),
                        ("postal_code", "department")):
        groups = dict(sql(f"SELECT {column}, COUNT(*) FROM analytics_registrationfacts "
                          f"WHERE event_id = %s AND {column} IS NOT NULL AND registration_id "
                          f"IN ({COUNTED}) GROUP BY {column}", [event_id, event_id]))
        shown = {c.key: c.count for c in got.breakdowns[key].cells
                 if c.count is not None and not c.is_other}
        assert shown == {k: n for k, n in groups.items() if n >= 10 and k in shown}
        assert all(groups[k] >= 10 for k in shown)
        assert got.breakdowns[key].total == sum(groups.values())
    return got


def test_every_figure_of_an_event_matches_sql(seeded: Seed) -> None:
    got = _check_against_sql(seeded)
    assert got.conversion.received == 32 and got.conversion.present == 20
    assert got.durations.measured == 14 and got.durations.unmeasured == 6
    jobs = {c.key: c.count for c in got.breakdowns["job_function"].cells}
    # Spelling variants count together; 12 and 10 shown, the 9 and the 1 gathered in
    # "Other" (10 people: shown).
    assert jobs["chef de projet"] == 12 and jobs["infirmiere"] == 10
    other = next(c for c in got.breakdowns["job_function"].cells if c.is_other)
    assert other.count == 10 and other.merged == 2
    departments = {c.key: c.count for c in got.breakdowns["postal_code"].cells}
    # 20000 is Corse-du-Sud (2A), 20200 Haute-Corse (2B), 97400 La Réunion (974).
    assert departments.get("974") == 11
    assert {"2A", "2B"} & set(departments) or any(c.is_other for c in
                                                 got.breakdowns["postal_code"].cells)


def test_p4_1_restricted_and_objecting_people_are_left_out_of_every_figure(
        seeded: Seed) -> None:
    """R-10 (restriction) and R-11 (objection to statistics): out of all figures at once."""
    before = figures.for_event(seeded.event)
    restricted, objecting = seeded.people[0], seeded.people[1]  # both present, measured
    restriction.restrict([restricted.subject_id], actor="test", source="manager")
    objection.object_to([objecting.subject_id], "statistics", actor="test", source="manager")
    after = _check_against_sql(seeded)
    assert after.conversion.received == before.conversion.received - 2
    assert after.conversion.present == before.conversion.present - 2
    assert after.durations.measured == before.durations.measured - 2
    assert after.timeline.total == before.timeline.total - 2
    # Withdrawn objection: counted again.
    objection.withdraw_objection([objecting.subject_id], "statistics", actor="test",
                                 source="manager")
    assert figures.for_event(seeded.event).conversion.received == \
        before.conversion.received - 1


def test_conversion_counts_a_present_person_who_cancelled_afterwards(seeded: Seed) -> None:
    present = seeded.people[3]
    reg.cancel(present, actor="test", by_participant=True)
    got = _check_against_sql(seeded)
    assert got.conversion.confirmed == 31 and got.conversion.registered == 32


def test_a_short_registration_window_is_shown_per_hour(client_a: Any, make_event: Any) -> None:
    event = make_event(client_a)
    for n in range(3):
        person(event, n, hour=n * 5)
    got = figures.for_event(event)
    assert got.timeline.granularity == "hour"
    assert len(got.timeline.points) == 11  # 0h to 10h, empty hours included
    assert [p.count for p in got.timeline.points if p.count] == [1, 1, 1]


def test_per_session_figures_match_sql(client_a: Any, make_event: Any) -> None:
    from livesession.registrations.sessions import add_session

    event = make_event(client_a, starts_in=dt.timedelta(days=10))
    first = add_session(event, actor="test", title="One", starts_at=event.starts_at,
                        ends_at=event.ends_at, capacity=None, room_url="")
    second = add_session(event, actor="test", title="Two",
                         starts_at=event.starts_at + dt.timedelta(days=1),
                         ends_at=event.ends_at + dt.timedelta(days=1), capacity=None,
                         room_url="")
    people = [person(event, n) for n in range(6)]
    for i, r in enumerate(people[:4]):
        attend(r, seconds=600 * (i + 1), session_id=first.pk)
    attend(people[0], seconds=90, session_id=second.pk)
    got = figures.for_event(event)
    seats = dict(sql("SELECT session_id, COUNT(*) FROM registrations_sessionseat "
                     "WHERE session_id IN (%s, %s) AND status = 'confirmed' "
                     "GROUP BY session_id", [first.pk, second.pk]))
    by_title = {r.title: r for r in got.rows}
    assert by_title["One"].registered == seats[first.pk] == 6
    assert by_title["Two"].registered == seats[second.pk]
    assert by_title["One"].present == 4 and by_title["Two"].present == 1
    assert by_title["One"].median_minutes == statistics.median([10, 20, 30, 40])
    assert by_title["Two"].median_minutes == 1
    # Present counts people once, whatever the number of sessions they attended.
    assert got.conversion.present == 4


def test_the_client_dashboard_adds_up_its_events(seeded: Seed, client_a: Any,
                                                 make_event: Any) -> None:
    other = make_event(client_a, starts_in=dt.timedelta(days=31))
    for n in range(100, 105):
        attend(person(other, n), seconds=300)
    start = localtime(seeded.event.starts_at).date() - dt.timedelta(days=2)
    got = figures.for_client(client_a, start, start + dt.timedelta(days=10))
    assert got.conversion.received == 37
    assert got.conversion.present == 25
    assert {r.key: r.present for r in got.rows} == {str(seeded.event.pk): 20,
                                                    str(other.pk): 5}
    # The breakdown covers the events whose form collects the field only.
    assert got.breakdowns["job_function"].total == 32
    # Out of the range: nothing.
    empty = figures.for_client(client_a, start - dt.timedelta(days=400),
                               start - dt.timedelta(days=300))
    assert empty.conversion.received == 0 and empty.rows == []


def test_facts_hold_the_normalized_answers(seeded: Seed) -> None:
    facts.fill_missing(seeded.event.client_id, [seeded.event.pk])
    rows = dict(sql("SELECT registration_id, city FROM analytics_registrationfacts "
                    "WHERE event_id = %s", [uid(seeded.event.pk)]))
    assert len(rows) == 32
    assert sorted(set(rows.values())) == ["ajaccio", "bastia", "paris", "saint denis"]
    assert Registration.objects.filter(event=seeded.event).count() == 32
