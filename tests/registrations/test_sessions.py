"""Events with several sessions: one page, the whole series or chosen sessions, places and
waiting list per session, the personal link leading to the right room (issue 3 §10)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client as Browser

from livesession.access.models import Attendance
from livesession.core.clock import freeze, now
from livesession.registrations import services as reg
from livesession.registrations import sessions
from livesession.registrations.models import SeatStatus, SessionSeat


def _person(n: int, **extra: Any) -> dict[str, Any]:
    return {"email": f"s{n}@example.org", "first_name": "S", "last_name": str(n), **extra}


@pytest.fixture
def series(event_a: Any) -> tuple[Any, list[Any]]:
    start = now() + dt.timedelta(days=3)
    made = [sessions.add_session(event_a, actor="t", title=f"Module {i}",
                                 starts_at=start + dt.timedelta(days=7 * i),
                                 ends_at=start + dt.timedelta(days=7 * i, hours=2),
                                 capacity=2, room_url=f"https://room.example/m{i}")
            for i in range(1, 4)]
    return event_a, made


def _seats(registration: Any) -> list[str]:
    return [s.status for s in sessions.seats_by_session(registration)]


def test_series_registration_takes_a_place_in_every_session(series: Any) -> None:
    event, modules = series
    made = reg.register(event, _person(1))
    assert _seats(made.registration) == [SeatStatus.CONFIRMED] * 3
    assert all(m.__class__.objects.get(pk=m.pk).seats_taken == 1 for m in modules)


def test_choose_mode_needs_a_valid_choice_and_fills_each_session(series: Any) -> None:
    event, modules = series
    event.session_mode = "choose"
    event.save()
    with pytest.raises(ValidationError) as exc:
        reg.register(event, _person(1))
    assert "sessions" in exc.value.message_dict
    with pytest.raises(ValidationError):
        reg.register(event, _person(1, sessions=[999999]))
    for i in range(3):
        reg.register(event, _person(i, sessions=[modules[0].pk]))
    third = reg.register(event, _person(9, sessions=[modules[0].pk, modules[1].pk]))
    assert _seats(third.registration) == [SeatStatus.WAITLISTED, SeatStatus.CONFIRMED]
    # A cancellation frees a place of module 1: the first waiting person gets it.
    first = SessionSeat.objects.filter(session=modules[0], status=SeatStatus.CONFIRMED).first()
    reg.cancel(first.registration, actor="t", by_participant=True)
    waiting = SessionSeat.objects.filter(session=modules[0]).order_by("created_at")
    assert [s.status for s in waiting][2] == SeatStatus.CONFIRMED


def test_personal_link_leads_to_the_open_session(series: Any) -> None:
    event, modules = series
    made = reg.register(event, _person(1))
    browser = Browser()
    waiting = browser.get(f"/j/{made.token}/")
    assert waiting.status_code == 200 and "Module 1" in waiting.content.decode()
    with freeze(modules[1].starts_at + dt.timedelta(minutes=10)):
        joined = browser.get(f"/j/{made.token}/")
    assert joined.status_code == 302 and joined["Location"] == "https://room.example/m2"
    assert Attendance.objects.get().session_id == modules[1].pk
    with freeze(modules[2].ends_at + dt.timedelta(hours=1)):
        over = browser.get(f"/j/{made.token}/")
    assert over.status_code == 200 and 'id="countdown"' not in over.content.decode()


def test_public_page_lists_sessions_and_accepts_a_choice(series: Any) -> None:
    event, modules = series
    event.session_mode = "choose"
    event.save()
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
    page = browser.get(f"/e/{event.pk}/").content.decode()
    assert all(m.title in page for m in modules) and 'class="local-time"' in page
    response = browser.post(f"/e/{event.pk}/", {**_person(5), "sessions": [str(modules[2].pk)]})
    assert response.status_code == 302, response.content.decode()[:3000]
    seats = SessionSeat.objects.filter(registration__email_index__isnull=False)
    assert [s.session_id for s in seats] == [modules[2].pk]


def test_new_session_of_a_series_is_given_to_confirmed_registrants(series: Any) -> None:
    event, _modules = series
    made = reg.register(event, _person(1))
    start = now() + dt.timedelta(days=60)
    sessions.add_session(event, actor="t", title="Bonus", starts_at=start,
                         ends_at=start + dt.timedelta(hours=1), capacity=None, room_url="")
    assert _seats(made.registration) == [SeatStatus.CONFIRMED] * 4


def test_session_capacity_cannot_drop_below_places_taken(series: Any) -> None:
    event, modules = series
    reg.register(event, _person(1))
    reg.register(event, _person(2))
    with pytest.raises(ValidationError):
        sessions.update_session(modules[0], actor="t", capacity=1)
    with pytest.raises(ValidationError):
        sessions.add_session(event, actor="t", title="", starts_at=None, ends_at=None)


def test_manager_sessions_page(series: Any, owner_a: Any) -> None:
    event, _modules = series
    browser = Browser()
    browser.force_login(owner_a)
    url = f"/manager/alpha/events/{event.pk}/sessions/"
    page = browser.get(url)
    assert page.status_code == 200 and "Module 2" in page.content.decode()
    added = browser.post(url, {"title": "Module 4", "starts_at": "2031-05-01T10:00",
                               "ends_at": "2031-05-01T12:00"})
    assert added.status_code == 302
    bad = browser.post(url, {"title": "Module 5", "starts_at": "2031-05-01T10:00",
                             "ends_at": "2031-05-01T09:00"})
    assert bad.status_code == 400 and "Module 5" in bad.content.decode()
    browser.post(url, {"session_mode": "choose"})
    event.refresh_from_db()
    assert event.session_mode == "choose"


def test_p4_3_erasure_frees_every_session_place_and_promotes_first_come(series: Any) -> None:
    """Erasing a person gives back their place in each session in a few statements
    (sessions.release_many, issue 9 S6) with the effect of cancelling: counters move back,
    the oldest waiting confirmed registration gets each place, the next one still waits."""
    from livesession.protection import erasure

    event, modules = series
    people = [reg.register(event, _person(n)).registration for n in range(4)]
    assert [_seats(p)[0] for p in people] == [SeatStatus.CONFIRMED] * 2 + [
        SeatStatus.WAITLISTED] * 2
    erasure.erase_person(people[0].subject, actor="operator")
    assert _seats(people[1]) == [SeatStatus.CONFIRMED] * 3
    assert _seats(people[2]) == [SeatStatus.CONFIRMED] * 3
    assert _seats(people[3]) == [SeatStatus.WAITLISTED] * 3
    assert [m.__class__.objects.get(pk=m.pk).seats_taken for m in modules] == [2, 2, 2]


def test_issue9_release_many_equals_releasing_one_by_one(series: Any) -> None:
    """The batched release and release_all leave the same places, counters and waiting
    lists, for the same starting state in two identical events."""
    from livesession.events.models import Session

    event, _modules = series
    people = [reg.register(event, _person(n)).registration for n in range(5)]
    # Same state, then each way on one of two people, compared after each.
    before = {s.pk: s.status for s in SessionSeat.objects.all()}
    sessions.release_many([people[0].pk, people[3].pk])
    batched = ({s.pk: s.status for s in SessionSeat.objects.all()},
               dict(Session.objects.values_list("pk", "seats_taken")))
    # Undo by hand to the starting state, then release one by one.
    for pk, status in before.items():
        SessionSeat.objects.filter(pk=pk).update(status=status)
    Session.objects.filter(event=event).update(seats_taken=2)
    for person in (people[0], people[3]):
        sessions.release_all(person)
    single = ({s.pk: s.status for s in SessionSeat.objects.all()},
              dict(Session.objects.values_list("pk", "seats_taken")))
    assert batched == single
    assert set(batched[0].values()) == {SeatStatus.CONFIRMED, SeatStatus.CANCELLED,
                                        SeatStatus.WAITLISTED}
