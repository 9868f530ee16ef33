"""Seeded data for the analytics tests: an event whose form collects city, postal code and
job function, registrations spread over days, sessions-free attendance with measured and
unmeasured presence, and a second client with its own event."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import connection

from livesession.access.models import Attendance
from livesession.core.models import Client
from livesession.events.models import Event
from livesession.registrations import services as reg
from livesession.registrations.models import Registration

SCOPE = {key: {"enabled": True, "required": False, "purpose": "know our audience"}
         for key in ("first_name", "last_name", "city", "postal_code", "job_function")}
DAY0 = dt.datetime(2031, 1, 5, 11, 0, tzinfo=dt.UTC)  # noon in Paris


def uid(value: uuid.UUID) -> str:
    """A uuid as both databases take it in raw SQL (32 hex digits)."""
    return value.hex


def sql(query: str, params: list[Any] | tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(query, list(params))
        return list(cursor.fetchall())


# The registrations a figure counts, written directly in SQL: not restricted, not objecting.
COUNTED = """
    SELECT r.id FROM registrations_registration r
    JOIN protection_subject s ON s.id = r.subject_id
    WHERE r.event_id = %s AND s.restricted_at IS NULL
      AND r.subject_id NOT IN (SELECT o.subject_id FROM protection_objection o
                               WHERE o.purpose = 'statistics' AND o.withdrawn_at IS NULL)
"""


@dataclass
class Seed:
    event: Event
    people: list[Registration] = field(default_factory=list)


def person(event: Event, n: int, *, city: str = "", postal_code: str = "",
           job_function: str = "", day: int = 0, hour: int = 0) -> Registration:
    made = reg.register(event, email=f"p{n}@example.org", first_name="P", last_name=str(n),
                        city=city, postal_code=postal_code, job_function=job_function)
    registration = made.registration
    at = DAY0 + dt.timedelta(days=day, hours=hour)
    Registration.objects.filter(pk=registration.pk).update(created_at=at)
    registration.refresh_from_db()
    return registration


def attend(registration: Registration, *, seconds: int = 0, measured: bool = True,
           session_id: int | None = None) -> Attendance:
    return Attendance.objects.create(
        registration=registration, client_id=registration.client_id,
        event_id=registration.event_id, session_id=session_id, session_key=session_id or 0,
        first_access_at=DAY0, last_seen_at=DAY0, seconds_present=seconds,
        presence_measured=measured)


@pytest.fixture
def seeded(client_a: Client, make_event: Any) -> Seed:
    """32 people over 4 days; job functions in groups of 12, 10, 9 and 1 (with spelling
    variants that normalize together); cities and departments; 20 present."""
    event = make_event(client_a, starts_in=dt.timedelta(days=30))
    event.form_scope = SCOPE
    event.save()
    seed = Seed(event)
    jobs = (["Chef de projet"] * 6 + ["chef  de PROJET "] * 6 + ["Infirmière"] * 10
            + ["Boulanger"] * 9 + ["Astronaute"])
    places = [("Paris", "75011"), ("Ajaccio", "20000"), ("Bastia", "20200"),
              ("Saint-Denis", "97400")]
    for n, job in enumerate(jobs):
        city, code = places[n % 4] if n < 28 else ("St Denis", "97400")
        seed.people.append(person(event, n, city=city, postal_code=code, job_function=job,
                                  day=n % 4, hour=n % 3))
    for i, r in enumerate(seed.people[:20]):
        # 14 measured (1, 6, 11, ... minutes), 6 unmeasured (redirect rooms).
        attend(r, seconds=(1 + 5 * i) * 60 + 7, measured=i < 14)
    return seed
