"""Analytics rollups (issue 9, S4): a page reads one row of counts per event instead of every
row, and every figure still equals the SQL written in ``test_figures`` over the raw rows,
after each kind of change the rollup has to follow: registrations created since, status
changes, erasure, attendance while the room is open, restriction and objection (R-10, R-11,
P4.1)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.db.models import F

from livesession.access import attendance as access_attendance
from livesession.analytics import figures, rollup, triggers
from livesession.analytics.models import EventRollup
from livesession.core.clock import freeze
from livesession.protection import erasure, objection, restriction
from livesession.registrations import services as reg
from livesession.registrations.models import Registration
from tests.analytics.conftest import SCOPE, Seed, attend, person
from tests.analytics.test_figures import _check_against_sql

BACK = dt.timedelta(days=3650)  # the seeded people registered ten years earlier


@pytest.fixture
def past(seeded: Seed) -> Seed:
    """The seeded event, its people registered long before any reading (in the rollup,
    not after its cutoff)."""
    Registration.objects.filter(event=seeded.event).update(created_at=F("created_at") - BACK)
    for r in seeded.people:
        r.refresh_from_db()
    return seeded


def _register(event: Any, n: int) -> Registration:
    """A registration as the service makes it (created now: after the rollup's cutoff)."""
    return reg.register(event, email=f"new{n}@example.org", first_name="N",
                        last_name=str(n)).registration


def _read(seed: Seed) -> dict[str, int]:
    got = _check_against_sql(seed)
    return dict(got.extra["read"])


def _dirty(seed: Seed) -> bool:
    return EventRollup.objects.get(event_id=seed.event.pk).dirty


def test_the_second_view_reads_the_rollup_and_equals_the_sql(past: Seed) -> None:
    """Issue 9 S4: the first view reads the rows once, the next ones the rollup; both equal
    the reference SQL."""
    assert _read(past) == {"built": 1}
    assert _read(past) == {"rollup": 1}
    stored = EventRollup.objects.get(event_id=past.event.pk)
    assert sum(stored.counts["s"].values()) == 32 and not stored.dirty


def test_a_registration_made_after_the_reading_is_counted_at_once(past: Seed) -> None:
    """Issue 9 S4: inserts write nothing more (the S2 rush); the page adds the registrations
    created since the rollup's cutoff."""
    before = figures.for_event(past.event)
    _register(past.event, 99)
    assert not _dirty(past)
    got = _check_against_sql(past)
    assert got.extra["read"] == {"rollup": 1}
    assert got.conversion.received == before.conversion.received + 1


def test_a_cancellation_marks_the_rollup_dirty_and_is_counted(past: Seed) -> None:
    """Issue 9 S4 (conversion counts a present person who cancelled): the status change's
    transaction sets the flag through the trigger; the next view reads again."""
    figures.for_event(past.event)
    reg.cancel(past.people[3], actor="test", by_participant=True)
    assert _dirty(past)
    got = _check_against_sql(past)
    assert got.extra["read"] == {"built": 1}
    assert got.conversion.confirmed == 31 and got.conversion.registered == 32
    assert _read(past) == {"rollup": 1}


def test_an_erased_person_leaves_the_figures(past: Seed) -> None:
    """Issue 9 S4 with P4.2 (erasure): deleting registrations and attendance rows marks the
    rollup dirty, whatever code deletes them."""
    before = figures.for_event(past.event)
    gone = past.people[0]  # present, measured
    erasure.erase_person(gone.subject, actor="test")
    assert not Registration.objects.filter(pk=gone.pk).exists()
    assert _dirty(past)
    got = _check_against_sql(past)
    assert got.conversion.received == before.conversion.received - 1
    assert got.conversion.present == before.conversion.present - 1


def test_restricted_and_objecting_people_leave_at_once_without_a_new_reading(
        past: Seed) -> None:
    """R-10, R-11, P4.1: left out at the next view, taken away from the rollup's counts
    (the rollup itself is not read again)."""
    before = figures.for_event(past.event)
    restriction.restrict([past.people[0].subject_id], actor="test", source="manager")
    objection.object_to([past.people[1].subject_id], "statistics", actor="test",
                        source="manager")
    got = _check_against_sql(past)
    assert got.extra["read"] == {"rollup": 1}
    assert got.conversion.received == before.conversion.received - 2
    assert got.durations.measured == before.durations.measured - 2


def test_attendance_while_the_room_is_open_is_read_from_the_rows(past: Seed) -> None:
    """Issue 9 S4: nothing is added to the join; while a window is open (or was, since the
    reading) the attendance figures come from the rows, the registrations from the rollup."""
    event = past.event
    with freeze(event.starts_at + dt.timedelta(minutes=10)):
        figures.for_event(event)
        late = past.people[25]  # not present yet
        access_attendance.record_access(late, None, "device-hash")
        got = _check_against_sql(past)
        assert got.extra["read"] == {"rollup": 1, "live attendance": 1}
        assert got.conversion.present == 21
    # Once the room has closed (and its grace passed), the rollup is read again, then used.
    with freeze(event.ends_at + rollup.GRACE + dt.timedelta(minutes=1)):
        assert _read(past) == {"built": 1}
        assert _read(past) == {"rollup": 1}


def test_a_rescheduled_event_reads_its_attendance_again(past: Seed) -> None:
    """Issue 9 S4: the windows read with the counts must still be the event's."""
    figures.for_event(past.event)
    event = past.event
    event.ends_at += dt.timedelta(hours=1)
    event.save(update_fields=["ends_at"])
    with freeze(event.ends_at + rollup.GRACE + dt.timedelta(minutes=1)):
        assert _read(past) == {"built": 1}


def test_the_dashboard_from_rollups_equals_the_rows(past: Seed, client_a: Any,
                                                   make_event: Any) -> None:
    """Issue 9 S4: the client dashboard over rollups, after a registration and a
    cancellation, equals the same figures read from the rows."""
    other = make_event(client_a, starts_in=dt.timedelta(days=31))
    for n in range(100, 105):
        attend(person(other, n), seconds=300)
    start = past.event.starts_at.date() - dt.timedelta(days=2)
    end = start + dt.timedelta(days=40)
    first = figures.for_client(client_a, start, end)
    assert first.extra["read"] == {"built": 2}
    reg.cancel(past.people[5], actor="test", by_participant=True)
    _register(other, 200)
    got = figures.for_client(client_a, start, end)
    assert got.extra["read"] == {"built": 1, "rollup": 1}
    rollup._TRIGGERS[connection.alias] = False  # as without triggers: read from the rows
    try:
        rows = figures.for_client(client_a, start, end)
    finally:
        rollup._TRIGGERS.pop(connection.alias)  # checked again on the next view
    assert rows.extra["read"] == {"rows": 2}
    assert got.conversion == rows.conversion
    assert got.timeline == rows.timeline and got.durations == rows.durations
    assert got.rows == rows.rows
    assert got.conversion.received == first.conversion.received + 1


def test_the_triggers_are_in_place_and_their_absence_is_seen() -> None:
    """Issue 9 S4: SQLite drops a table's triggers when a migration rebuilds it; the
    rollups are then not used (this test fails until a migration installs them again)."""
    assert triggers.missing(connection) == []
    table = "" if connection.vendor == "sqlite" else " ON access_attendance"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER analytics_rollup_attendance_gone{table}")
    assert triggers.missing(connection) == ["analytics_rollup_attendance_gone"]


def test_registrations_stamped_after_the_reading_are_counted_once(
        client_a: Any, make_event: Any) -> None:
    """Issue 9 S4: rows stamped in the future (written by other means than the services:
    these people are stamped in 2031) are held apart in the rollup; once the clock passes
    them, the live count finds them too and takes the rollup's off: each counted once."""
    event = make_event(client_a, starts_in=dt.timedelta(days=3000))
    event.form_scope = SCOPE
    event.save()
    seed = Seed(event)
    seed.people = [person(seed.event, n, day=n % 4, hour=n % 3) for n in range(12)]
    for r in seed.people[:5]:
        attend(r, seconds=600)
    reg.cancel(seed.people[0], actor="test", by_participant=True)
    first = _check_against_sql(seed)
    assert first.extra["read"] == {"built": 1}
    stored = EventRollup.objects.get(event_id=seed.event.pk).counts
    assert sum(n for _status, _q, n in stored["f"]) == 12 and stored["fo"]
    _register(seed.event, 300)
    with freeze(dt.datetime(2031, 3, 1, tzinfo=dt.UTC)):  # after the stamps, before the room
        got = _check_against_sql(seed)
    assert got.extra["read"] == {"rollup": 1}
    assert got.conversion.received == first.conversion.received + 1
    assert got.conversion.registered == first.conversion.registered + 1


def test_the_periodic_job_reads_dirty_rollups_again(past: Seed) -> None:
    """Issue 9 S4: the worker reads a dirty rollup again, so the next view reads it."""
    from livesession.analytics import jobs

    figures.for_event(past.event)
    reg.cancel(past.people[7], actor="test", by_participant=True)
    assert _dirty(past)
    assert jobs.refresh_rollups.call_local() == 1
    assert not _dirty(past)
    assert _read(past) == {"rollup": 1}
