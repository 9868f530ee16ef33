"""What a restriction of processing does (issue 5 §3, GDPR art. 18, R-10, P4.1): the
restricted person is left out of exports, attendee lists, statistics, segments, reminders
and follow-ups; the Manager still shows them, with a banner and no edit/message action; the
personal link says the registration is under restriction."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client as Browser
from django.urls import reverse

from livesession.access import reports
from livesession.core.clock import freeze
from livesession.messaging import reminders, segments
from livesession.messaging.jobs import send_scheduled_messages
from livesession.messaging.models import Campaign, OutboxMessage
from livesession.protection import restriction
from livesession.registrations.models import Registration
from livesession.registrations.services import register

SEGMENT_TEXTS = {"subject_fr": "Merci", "body_fr": "Bonjour {{ unsubscribe_link }}",
                 "subject_en": "Thanks", "body_en": "Hello {{ unsubscribe_link }}"}


def _url(name: str, event: Any, **kwargs: Any) -> str:
    return reverse(f"manager:{name}", kwargs={"client_slug": event.client.slug,
                                              "event_id": event.pk, **kwargs})


@pytest.fixture
def owner(owner_a: Any) -> Browser:
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(owner_a)
    return browser


@pytest.fixture
def pair(event_a: Any) -> dict[str, Any]:
    """Two confirmed people; both open the room at the start; "kept" is then restricted."""
    made = {key: register(event_a, email=f"{key}@example.org", first_name=key.title(),
                          last_name="Test", language="en")
            for key in ("free", "kept")}
    with freeze(event_a.starts_at):
        for done in made.values():
            assert Browser().get(f"/j/{done.token}/").status_code < 400
    restriction.restrict([made["kept"].registration.subject_id], actor="test",
                         source="desk")
    return made


def test_p4_1_restricted_person_is_not_in_the_registrants_export(
        owner: Browser, event_a: Any, pair: dict[str, Any]) -> None:
    """R-10: organizer exports (CSV and XLSX) leave the restricted person out."""
    response = owner.get(_url("registrants-export-csv", event_a))
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode() if response.streaming else \
        response.content.decode()
    emails = [row[0] for row in csv.reader(io.StringIO(text.lstrip("\ufeff")))][1:]
    assert emails == ["free@example.org"]
    xlsx = owner.get(_url("registrants-export-xlsx", event_a)).content
    assert b"kept@example.org" not in xlsx  # shared strings are plain XML inside the ZIP
    import zipfile

    with zipfile.ZipFile(io.BytesIO(xlsx)) as book:
        strings = book.read("xl/sharedStrings.xml") if "xl/sharedStrings.xml" in \
            book.namelist() else b"".join(book.read(n) for n in book.namelist()
                                         if n.startswith("xl/worksheets/"))
    assert b"free@example.org" in strings and b"kept@example.org" not in strings


def test_p4_1_restricted_person_is_not_in_attendance_lists_export_or_figures(
        owner: Browser, event_a: Any, pair: dict[str, Any]) -> None:
    """R-10: attendee list, no-shows, the attendance export and the statistics inputs."""
    kept = pair["kept"].registration
    assert kept.pk not in {a.registration_id for a in reports.attendances(event_a)}
    summary = reports.summaries(event_a)[0]
    assert (summary.expected, summary.attended, summary.no_shows) == (1, 1, 0)
    assert sum(b.joins for b in reports.timeline(event_a, summary.target)) == 1
    response = owner.get(_url("attendance-export-csv", event_a))
    rows = list(csv.reader(io.StringIO(response.content.decode().lstrip("\ufeff"))))
    assert [r[0] for r in rows[1:]] == ["free@example.org"]
    page = owner.get(_url("attendance", event_a)).content.decode()
    assert "kept@example.org" not in page
    # Lifted: back in every figure at once.
    restriction.lift([kept.subject_id], actor="test", source="desk")
    summary = reports.summaries(event_a)[0]
    assert (summary.expected, summary.attended) == (2, 2)


def test_p4_1_restricted_person_is_in_no_segment_and_gets_no_campaign(
        event_a: Any, pair: dict[str, Any], django_capture_on_commit_callbacks: Any) -> None:
    """R-10: campaign queries leave the restricted person out; nothing is queued to them."""
    kept = pair["kept"].registration
    assert kept.pk not in set(segments.recipients(event_a, "registered")
                              .values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        campaign = segments.create_campaign(event_a, segment="attended", actor="t",
                                            **SEGMENT_TEXTS)
    campaign = Campaign.objects.get(pk=campaign.pk)
    assert (campaign.total, campaign.queued) == (1, 1)
    assert not OutboxMessage.objects.filter(registration=kept, kind="segment").exists()


def test_p4_1_restricted_person_gets_no_reminder_until_lifted(
        client_a: Any, make_event: Any) -> None:
    """R-10: no reminder while restricted; lifted within the reminder's window, it goes."""
    event = make_event(client_a, starts_in=dt.timedelta(days=3))
    free = register(event, email="free@example.org", first_name="F", last_name="X")
    kept = register(event, email="kept@example.org", first_name="K", last_name="X")
    restriction.restrict([kept.registration.subject_id], actor="test", source="manager")
    moment = event.starts_at - dt.timedelta(minutes=1440) + dt.timedelta(seconds=30)
    with freeze(moment):
        assert int(send_scheduled_messages.call_local()) == 1
        due = next(iter(reminders.due_reminders()))
        assert set(reminders.reminder_recipients(due).values_list("pk", flat=True)) == {
            free.registration.pk}
    assert not OutboxMessage.objects.filter(registration=kept.registration,
                                            kind="reminder").exists()
    restriction.lift([kept.registration.subject_id], actor="test", source="manager")
    with freeze(moment + dt.timedelta(minutes=10)):
        assert int(send_scheduled_messages.call_local()) == 1
    assert OutboxMessage.objects.filter(registration=kept.registration,
                                        kind="reminder").count() == 1


def test_p4_1_restricted_person_gets_no_followup(event_a: Any, pair: dict[str, Any]) -> None:
    with freeze(event_a.ends_at + reminders.FOLLOWUP_DELAY):
        reminders.send_followups()
    followed = set(OutboxMessage.objects.filter(kind__startswith="followup")
                   .values_list("registration_id", flat=True))
    assert followed == {pair["free"].registration.pk}


def test_p4_1_manager_keeps_showing_the_person_with_a_banner_and_no_actions(
        owner: Browser, event_a: Any, pair: dict[str, Any]) -> None:
    """R-10 "Staff UIs show a banner": the list marks the person, the page has the banner,
    edit and message actions are disabled, and the server refuses them too."""
    kept = pair["kept"].registration
    listing = owner.get(_url("registrants", event_a)).content.decode()
    assert "kept@example.org" in listing and "Processing restricted" in listing
    page = owner.get(_url("registrant", event_a, registration_id=kept.pk)).content.decode()
    assert "Processing restricted at the person's request — only storage is allowed" in page
    assert _url("registrant-edit", event_a, registration_id=kept.pk) not in page
    assert _url("registrant-cancel", event_a, registration_id=kept.pk) not in page
    free_page = owner.get(_url("registrant", event_a,
                               registration_id=pair["free"].registration.pk)).content.decode()
    assert "only storage is allowed" not in free_page
    before = Registration.objects.get(pk=kept.pk)
    edit = owner.post(_url("registrant-edit", event_a, registration_id=kept.pk),
                      {"first_name": "Changed", "last_name": "Test"})
    assert edit.status_code == 302
    cancel = owner.post(_url("registrant-cancel", event_a, registration_id=kept.pk),
                        follow=True)
    assert "restricted at their request" in cancel.content.decode()
    after = Registration.objects.get(pk=kept.pk)
    assert (after.status, after.first_name) == (before.status, before.first_name)


def test_p4_1_personal_link_says_the_registration_is_restricted(
        event_a: Any, pair: dict[str, Any]) -> None:
    """The join page explains the restriction and how to lift it; no room, no attendance
    is recorded, and the heartbeat says closed."""
    kept = pair["kept"]
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
    with freeze(event_a.starts_at + dt.timedelta(minutes=5)):
        response = browser.get(f"/j/{kept.token}/")
        free = browser.get(f"/j/{pair['free'].token}/")
    assert response.status_code == 403
    text = response.content.decode()
    assert "under restriction" in text and reverse("accounts:choices") in text
    assert free.status_code == 302  # the other person still enters
