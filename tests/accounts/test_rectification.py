"""Rectification (issue 5 §2; P1.5, P4.1; GDPR art. 16): the participant edits their own
registration until the event's modification deadline, with the registration's checks;
profile changes follow to the registrations that use them; every change is audited by
field name only."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client as Browser
from django.urls import reverse

from livesession.accounts.models import User
from livesession.accounts.services import claim_registrations, set_sharing, update_profile
from livesession.audit.models import AuditEntry
from livesession.core.clock import freeze, now
from livesession.core.models import Role
from livesession.events.models import Event
from livesession.protection import restriction
from livesession.registrations.models import Registration
from livesession.registrations.services import register

EMAIL = "noa@example.org"


def _edit_url(registration: Registration) -> str:
    return reverse("accounts:registration-edit", kwargs={"registration_id": registration.pk})


@pytest.fixture
def noa(make_participant: Any) -> User:
    user: User = make_participant(EMAIL, "Noa", "Lemaire")
    return user


@pytest.fixture
def browser(noa: User) -> Browser:
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(noa)
    return browser


def _mine(event: Event, user: User) -> Registration:
    made = register(event, email=EMAIL, first_name="Noa", last_name="Lemaire").registration
    claim_registrations(user)
    return Registration.objects.get(pk=made.pk)


def test_p4_1_edit_own_registration_before_the_deadline(browser: Browser, noa: User,
                                                       event_a: Event) -> None:
    """P1.5: edited with the same checks; an error keeps what was typed; audited."""
    mine = _mine(event_a, noa)
    page = browser.get(_edit_url(mine))
    assert page.status_code == 200 and 'value="Lemaire"' in page.content.decode()
    bad = browser.post(_edit_url(mine), {"first_name": "Noémie", "last_name": ""})
    assert bad.status_code == 400
    html = bad.content.decode()
    assert 'role="alert"' in html and 'value="Noémie"' in html
    assert Registration.objects.get(pk=mine.pk).first_name == "Noa"
    done = browser.post(_edit_url(mine), {"first_name": "Noémie", "last_name": "Martin"})
    assert done.status_code == 302
    row = Registration.objects.get(pk=mine.pk)
    assert (row.first_name, row.last_name) == ("Noémie", "Martin")
    entry = AuditEntry.objects.filter(action="registration.updated").latest("id")
    assert entry.actor == f"account:{noa.pk}" and entry.target == f"registration:{mine.pk}"
    assert "Martin" not in str(entry.details)


def test_p4_1_edit_refused_after_the_modification_deadline(browser: Browser, noa: User,
                                                          event_a: Event) -> None:
    mine = _mine(event_a, noa)
    Event.objects.filter(pk=event_a.pk).update(
        modification_deadline=now() + dt.timedelta(hours=1))
    with freeze(now() + dt.timedelta(hours=2)):
        page = browser.get(_edit_url(mine))
        assert "The deadline for changes has passed" in page.content.decode()
        refused = browser.post(_edit_url(mine), {"first_name": "X", "last_name": "Y"})
    assert refused.status_code == 403
    assert Registration.objects.get(pk=mine.pk).last_name == "Lemaire"


def test_p4_1_without_a_deadline_changes_close_at_the_start(browser: Browser, noa: User,
                                                           event_a: Event) -> None:
    mine = _mine(event_a, noa)
    assert event_a.modification_deadline is None
    with freeze(event_a.starts_at + dt.timedelta(seconds=1)):
        refused = browser.post(_edit_url(mine), {"first_name": "X", "last_name": "Y"})
    assert refused.status_code == 403
    with freeze(event_a.starts_at - dt.timedelta(minutes=1)):
        assert browser.post(_edit_url(mine), {"first_name": "X",
                                              "last_name": "Y"}).status_code == 302


def test_p4_1_another_persons_registration_is_404(browser: Browser, event_a: Event) -> None:
    other = register(event_a, email="someone@example.org", first_name="S",
                     last_name="O").registration
    assert browser.get(_edit_url(other)).status_code == 404
    assert browser.post(_edit_url(other), {"first_name": "X",
                                           "last_name": "Y"}).status_code == 404
    assert Registration.objects.get(pk=other.pk).last_name == "O"


def test_p1_5_profile_change_follows_to_open_registrations(
        noa: User, event_a: Event, event_b: Event, make_event: Any) -> None:
    """A profile change reaches each linked registration that uses the field (shared with
    that organizer, collected by its form) and is still open for changes; one audit entry
    per registration, field names only."""
    open_a = _mine(event_a, noa)
    closed = make_event(event_a.client, title="Closed")
    Event.objects.filter(pk=closed.pk).update(
        modification_deadline=now() - dt.timedelta(minutes=1))
    closed_reg = _mine(closed, noa)
    not_shared = _mine(event_b, noa)
    set_sharing(noa, event_b.client, [])  # Noa shares nothing with organizer B
    changed = update_profile(noa, first_name="Noa", last_name="Martin")
    assert changed == ["last_name"]
    assert Registration.objects.get(pk=open_a.pk).last_name == "Martin"
    assert Registration.objects.get(pk=closed_reg.pk).last_name == "Lemaire"
    assert Registration.objects.get(pk=not_shared.pk).last_name == "Lemaire"
    entries = AuditEntry.objects.filter(action="registration.followed_profile")
    assert [(e.target, e.details) for e in entries] == [
        (f"registration:{open_a.pk}", {"fields": ["last_name"]})]


def test_p1_5_profile_change_does_not_reach_a_restricted_organizer(
        noa: User, event_a: Event) -> None:
    """Restriction (art. 18): the organizer's copy is only stored, not updated."""
    mine = _mine(event_a, noa)
    restriction.restrict([mine.subject_id], actor="test", source="space")
    update_profile(noa, first_name="Noa", last_name="Martin")
    assert Registration.objects.get(pk=mine.pk).last_name == "Lemaire"


def test_p4_1_manager_sets_the_modification_deadline(client_a: Any,
                                                    make_member: Any) -> None:
    """The Manager's event form has the field, read in the event's time zone."""
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(make_member(client_a, Role.ORGANIZER, "orga@alpha.test"))
    base = {"title": "Atelier", "description": "", "time_zone": "America/Montreal",
            "starts_at": "2030-06-01T09:00", "ends_at": "2030-06-01T10:00",
            "room_url": "https://room.example/atelier"}
    create = reverse("manager:event-create", kwargs={"client_slug": client_a.slug})
    late = browser.post(create, {**base, "modification_deadline": "2030-06-01T11:00"})
    assert late.status_code == 400 and "must come before the end" in late.content.decode()
    done = browser.post(create, {**base, "modification_deadline": "2030-05-31T18:00"})
    assert done.status_code == 302
    event = Event.objects.get(client=client_a)
    assert event.modification_deadline is not None
    assert event.modification_deadline.isoformat() == "2030-05-31T22:00:00+00:00"  # EDT
    edit = reverse("manager:event-edit", kwargs={"client_slug": client_a.slug,
                                                 "event_id": event.pk})
    assert 'value="2030-05-31T18:00"' in browser.get(edit).content.decode()
    browser.post(edit, {**base, "modification_deadline": ""})
    event.refresh_from_db()
    assert event.modification_deadline is None and event.modifiable_until == event.starts_at
