"""The join path's written-out query (access/join_query.py, issue 9 S1) builds the same
instances the ORM builds: every concrete field of the registration, its event and its
subject, converted the same way (UUIDs, datetimes, JSON, booleans), on this backend; a
revoked or unknown link finds nothing (issue 4, Bad input)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Model

from livesession.access import join_query
from livesession.access import services as access
from livesession.access.models import AccessLink
from livesession.events.models import Event
from livesession.protection import restriction
from livesession.protection.crypto import token_digest
from livesession.registrations import services as reg
from livesession.registrations.models import Registration
from livesession.registrations.sessions import add_session


def _fields(instance: Model) -> dict[str, Any]:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def _orm(token: str) -> Registration:
    link = (AccessLink.objects.select_related("registration__event", "registration__subject")
            .get(token_digest=token_digest(token), revoked_at__isnull=True))
    return link.registration


def _same(token: str) -> Registration:
    lean = access.resolve_for_join(token)
    assert lean is not None
    orm = _orm(token)
    for mine, theirs in ((lean, orm), (lean.event, orm.event), (lean.subject, orm.subject)):
        assert type(mine) is type(theirs)
        assert _fields(mine) == _fields(theirs)
        # Loaded from the database, as the ORM's: saving updates, never inserts.
        assert mine._state.adding is False and mine._state.db == theirs._state.db
    return lean


def test_issue9_s1_join_query_equals_the_orm_for_every_field(event_a: Event) -> None:
    event_a.form_scope = {"job_function": "optional"}  # a JSON column among the fields
    event_a.save()
    made = reg.register(event_a, email="lean@example.org", first_name="Léa",
                        last_name="Lean")
    lean = _same(made.token)
    assert lean.pk == made.registration.pk
    assert lean.event_has_sessions is False  # type: ignore[attr-defined]
    assert isinstance(lean.event.starts_at, dt.datetime)
    assert lean.event.starts_at.tzinfo is not None
    # The sealed fields open with the person's key, as from the ORM's instance.
    assert lean.first_name == "Léa"


def test_issue9_s1_join_query_sees_sessions_and_restriction(event_a: Event) -> None:
    made = reg.register(event_a, email="series@example.org", first_name="S",
                        last_name="Series")
    assert access.resolve_for_join(made.token).event_has_sessions is False  # type: ignore
    add_session(event_a, actor="test", title="Module 1", starts_at=event_a.starts_at,
                ends_at=event_a.starts_at + dt.timedelta(hours=1), capacity=None,
                room_url="https://room.example/m1")
    assert access.resolve_for_join(made.token).event_has_sessions is True  # type: ignore
    restriction.restrict([made.registration.subject_id], actor="test", source="manager")
    lean = _same(made.token)
    assert lean.subject.restricted_at is not None


def test_issue9_s1_join_query_finds_no_revoked_or_unknown_link(event_a: Event) -> None:
    made = reg.register(event_a, email="gone@example.org", first_name="G", last_name="One")
    assert join_query.registration_for_digest(token_digest("x" * 43)) is None
    access.revoke(made.registration)
    assert access.resolve_for_join(made.token) is None
