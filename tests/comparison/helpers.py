"""Builders of comparison populations: clients, people, attendance rows, accounts.

People are written as rows (registration, subject with its key, attendance), as the
registration and join flows would leave them, so a property test can build dozens of
populations in seconds. The computation, the exclusions and the reads under test are the
real ones."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from typing import Any

from django.test import Client as Browser

from livesession.access.models import Attendance
from livesession.accounts.models import AccountLink, User
from livesession.core.clock import now
from livesession.core.models import Client
from livesession.events.models import Event
from livesession.protection import objection
from livesession.protection.crypto import email_index
from livesession.protection.models import Subject
from livesession.protection.services import subject_for_email
from livesession.registrations.models import Registration, RegistrationStatus

_serial = itertools.count(1)


def new_client(name: str = "") -> tuple[Client, Event]:
    """An active client with one past event (30 days ago)."""
    n = next(_serial)
    client = Client.objects.create(name=name or f"Org {n} {uuid.uuid4().hex[:6]}",
                                   slug=f"cmp-{n}-{uuid.uuid4().hex[:8]}")
    starts = now() - dt.timedelta(days=30)
    event = Event.objects.create(client=client, title="Webinar", starts_at=starts,
                                 ends_at=starts + dt.timedelta(hours=1),
                                 time_zone="Europe/Paris")
    return client, event


def add_person(client: Client, event: Event, *, job: str = "", sessions: int = 0,
               minutes: int | None = None, answers: dict[str, Any] | None = None,
               email: str | None = None, restricted: bool = False, objecting: bool = False,
               days_ago: int = 20) -> Registration:
    """One participant of ``client``: a confirmed registration to ``event``, ``sessions``
    attendance rows within the period, and ``minutes`` present (measured) in total, or
    presence not measured (None)."""
    email = email or f"p{next(_serial)}-{uuid.uuid4().hex[:8]}@people.test"
    subject = subject_for_email(email, client.pk)
    registration = Registration(client=client, event=event, subject=subject,
                                email_index=email_index(email),
                                status=RegistrationStatus.CONFIRMED, language="en")
    registration.email = email
    registration.job_function = job
    if answers:
        registration.answers = answers
    registration.save()
    at = now() - dt.timedelta(days=days_ago)
    for i in range(sessions):
        seconds = (minutes or 0) * 60 if i == 0 else 0
        Attendance.objects.create(registration=registration, client=client, event=event,
                                  session_key=i + 1, first_access_at=at, last_seen_at=at,
                                  seconds_present=seconds,
                                  presence_measured=minutes is not None)
    if restricted:
        Subject.objects.filter(pk=subject.pk).update(restricted_at=now(),
                                                     restricted_source="manager")
    if objecting:
        objection.object_to([subject.pk], "statistics", actor="test", source="manager")
    return registration


def account_for(*registrations: Registration) -> User:
    """A verified account holding these registrations (all made with its address)."""
    first = registrations[0]
    email = first.email
    user = User(email_index=email_index(email), subject=subject_for_email(email, None),
                email_verified_at=now())
    user.email = email
    user.set_unusable_password()
    user.save()
    for registration in registrations:
        AccountLink.objects.create(account=user, registration=registration, linked_at=now())
    return user


def api_comparison(user: User) -> dict[str, Any]:
    browser = Browser()
    browser.force_login(user)
    response = browser.get("/api/v1/me/comparison", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200, response.content
    return response.json()


def numbers_in(value: Any) -> list[Any]:
    """Every number inside a JSON value (booleans aside)."""
    if isinstance(value, bool):
        return []
    if isinstance(value, int | float):
        return [value]
    if isinstance(value, dict):
        return [n for v in value.values() for n in numbers_in(v)]
    if isinstance(value, list):
        return [n for v in value for n in numbers_in(v)]
    return []
