"""A client with something in every table the return package and the destruction reach."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from livesession.access.models import Attendance
from livesession.api.services import create_token
from livesession.contracts import services
from livesession.contracts.models import Contract
from livesession.core.clock import freeze, now
from livesession.core.models import Client
from livesession.events.models import Event
from livesession.messaging.models import Unsubscribe
from livesession.privacy.models import ConsentPurpose
from livesession.privacy.services import ensure_builtin_purposes, record_consent
from livesession.registrations.fields_services import add_custom_field
from livesession.registrations.models import Registration
from livesession.registrations.services import register

DAY = dt.timedelta(days=1)


@dataclass
class Filled:
    client: Client
    event: Event
    registrations: list[Registration]
    links: list[str]
    token: str
    emails: list[str]


def fill(client: Client, event: Event, word: str, n: int = 3) -> Filled:
    add_custom_field(event, {"key": "company", "kind": "short_text", "label_fr": "Entreprise",
                             "label_en": "Company", "purpose": "know the audience"},
                     actor="test")
    ensure_builtin_purposes(client)
    purpose = ConsentPurpose.objects.filter(client=client).order_by("pk").first()
    assert purpose is not None
    registrations, links, emails = [], [], []
    for i in range(n):
        email = f"{word}{i}@{word}-people.test"
        made = register(event, email=email, first_name=f"{word}first{i}",
                        last_name=f"{word}last{i}",
                        answers={"company": f"{word} company {i}"})
        row = made.registration
        record_consent(client_id=client.pk, subject=row.subject, purpose=purpose, given=True,
                       language="en", channel="web", registration_id=row.pk)
        Attendance.objects.create(registration=row, client_id=client.pk, event_id=event.pk,
                                  session_key=0, first_access_at=now(), last_seen_at=now())
        registrations.append(row)
        links.append(made.token)
        emails.append(email)
    Unsubscribe.objects.create(client=client, subject=registrations[0].subject)
    token = create_token(client, f"{word} sync", actor="test").secret
    return Filled(client=client, event=event, registrations=registrations, links=links,
                  token=token, emails=emails)


@pytest.fixture
def filled_a(client_a: Client, make_event: Any) -> Filled:
    return fill(client_a, make_event(client_a, starts_in=dt.timedelta(days=10)), "alphaco")


@pytest.fixture
def filled_b(client_b: Client, make_event: Any) -> Filled:
    return fill(client_b, make_event(client_b, starts_in=dt.timedelta(days=10)), "betaco")


def terminate(client: Client, at: dt.datetime | None = None) -> Contract:
    with freeze(at or now()):
        return services.terminate(client, actor="account:999", reason="Notice of 2026-10-01")
