"""A full event refuses a registration before the person's subject and data key are created
(issue 9, S2 registration rush; P0.1, P1.1 "a field not enabled is never stored": a refused
attempt keeps nothing of the person). Capacity stays exact: the conditional UPDATE still
decides every place, the early refusal only answers sooner what it would answer."""

from __future__ import annotations

from typing import Any

import pytest

from livesession.audit.models import AuditEntry
from livesession.events.models import Event
from livesession.events.services import update_event
from livesession.messaging.models import OutboxMessage
from livesession.protection.crypto import email_index
from livesession.protection.models import DataKey, Subject
from livesession.registrations import services as reg
from livesession.registrations.models import Registration
from livesession.registrations.models import RegistrationStatus as S

pytestmark = pytest.mark.django_db(databases="__all__")


def _person(n: int) -> dict[str, Any]:
    return {"email": f"full{n}@example.org", "first_name": f"P{n}", "last_name": "Full"}


@pytest.fixture
def one_place(event_a: Event) -> Event:
    return update_event(event_a, actor="t", capacity=1, waitlist_enabled=False)


def test_p0_1_full_event_refuses_without_creating_subject_or_key(one_place: Event) -> None:
    reg.register(one_place, _person(1))
    subjects, keys = Subject.objects.count(), DataKey.objects.count()
    outbox, audit = OutboxMessage.objects.count(), AuditEntry.objects.count()
    fresh = Event.objects.get(pk=one_place.pk)  # as a request loads it: full
    with pytest.raises(reg.EventFull):
        reg.register(fresh, _person(2))
    assert not Subject.objects.filter(email_index=email_index("full2@example.org")).exists()
    assert (Subject.objects.count(), DataKey.objects.count()) == (subjects, keys)
    assert (OutboxMessage.objects.count(), AuditEntry.objects.count()) == (outbox, audit)
    assert Registration.objects.filter(event=one_place).count() == 1


def test_p0_1_stale_event_still_refused_by_the_conditional_update(one_place: Event) -> None:
    """The event read before it filled up: the early check lets it through, the seat UPDATE
    refuses; the place count stays exact."""
    stale = Event.objects.get(pk=one_place.pk)  # seats_taken 0
    reg.register(one_place, _person(1))
    with pytest.raises(reg.EventFull):
        reg.register(stale, _person(2))
    one_place.refresh_from_db()
    assert one_place.seats_taken == 1
    assert Registration.objects.filter(event=one_place, status=S.CONFIRMED).count() == 1


def test_p0_1_a_place_freed_since_the_event_was_read_is_taken(one_place: Event) -> None:
    """The loaded event says full, a cancellation freed the place meanwhile: the fresh
    read decides, the person gets the place."""
    first = reg.register(one_place, _person(1)).registration
    looked_full = Event.objects.get(pk=one_place.pk)
    assert reg.cancel(first, actor="t", by_participant=True)
    made = reg.register(looked_full, _person(2))
    assert made.registration.status == S.CONFIRMED
    one_place.refresh_from_db()
    assert one_place.seats_taken == 1


def test_p0_1_double_opt_in_is_not_refused_early(one_place: Event) -> None:
    """With double opt-in, the place is taken at the confirmation: no early refusal."""
    reg.register(one_place, _person(1))
    event = update_event(one_place, actor="t", double_opt_in=True)
    made = reg.register(Event.objects.get(pk=event.pk), _person(2))
    assert made.registration.status == S.PENDING_CONFIRMATION
