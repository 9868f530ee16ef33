"""Unusual exports open incidents (issue 8 §1 sources; references S-04, B-06): more rows
than UNUSUAL_EXPORT_ROWS within an hour, for one client or by one member, through the
Manager's exports, opens one incident "unusual export" with pseudonymous references."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client as Browser
from django.urls import reverse

from livesession.audit.models import AuditEntry
from livesession.core.clock import freeze, now
from livesession.incidents.detect import export_made
from livesession.incidents.models import ExportMark, Incident, Source
from livesession.registrations.services import register


@pytest.fixture
def threshold(settings: Any) -> int:
    settings.UNUSUAL_EXPORT_ROWS = 10
    return 10


def test_b_06_under_the_threshold_nothing_opens(threshold: int, client_a: Any) -> None:
    assert export_made(client_a.pk, "account:5", 6) is None
    assert export_made(client_a.pk, "account:5", 4) is None  # 10: not over
    assert not Incident.objects.exists()


def test_b_06_over_the_threshold_within_an_hour_opens_one_incident(threshold: int,
                                                                   client_a: Any) -> None:
    start = now().replace(microsecond=0)
    with freeze(start):
        assert export_made(client_a.pk, "account:5", 6) is None
    with freeze(start + dt.timedelta(minutes=30)):
        incident = export_made(client_a.pk, "account:6", 6)  # client total 12
    assert incident is not None and incident.source == Source.UNUSUAL_EXPORT
    assert incident.client_id == client_a.pk
    assert incident.refs == ["account:6", f"client:{client_a.pk}"]
    assert "12 rows for the client" in incident.summary
    with freeze(start + dt.timedelta(minutes=40)):
        assert export_made(client_a.pk, "account:6", 50) is None  # already open this hour
    assert Incident.objects.count() == 1
    assert AuditEntry.objects.get(action="incident.opened").actor == "system:detect"


def test_b_06_the_window_is_one_hour_and_old_marks_are_pruned(threshold: int,
                                                              client_a: Any) -> None:
    start = now().replace(microsecond=0)
    with freeze(start):
        export_made(client_a.pk, "account:5", 8)
    with freeze(start + dt.timedelta(minutes=61)):
        assert export_made(client_a.pk, "account:5", 8) is None
    assert ExportMark.objects.count() == 1  # the first one is gone


def test_b_06_a_member_across_clients_counts_too(threshold: int, client_a: Any,
                                                 client_b: Any) -> None:
    export_made(client_a.pk, "account:5", 6)
    incident = export_made(client_b.pk, "account:5", 6)
    assert incident is not None and "12 rows by the member" in incident.summary


def test_b_06_the_managers_registrants_export_feeds_the_detector(
        settings: Any, owner_a: Any, event_a: Any) -> None:
    settings.UNUSUAL_EXPORT_ROWS = 2
    for n in range(3):
        register(event_a, email=f"p{n}@example.org", first_name=f"P{n}", last_name="Test")
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(owner_a)
    url = reverse("manager:registrants-export-csv",
                  kwargs={"client_slug": event_a.client.slug, "event_id": event_a.pk})
    assert browser.get(url).status_code == 200
    incident = Incident.objects.get(source=Source.UNUSUAL_EXPORT)
    assert incident.refs == [f"account:{owner_a.pk}", f"client:{event_a.client_id}"]
    assert "example.org" not in incident.summary


def test_b_06_the_attendance_export_feeds_the_detector(settings: Any, owner_a: Any,
                                                       event_a: Any) -> None:
    settings.UNUSUAL_EXPORT_ROWS = 0
    for n in range(2):
        register(event_a, email=f"a{n}@example.org", first_name=f"A{n}", last_name="Test")
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(owner_a)
    url = reverse("manager:attendance-export-csv",
                  kwargs={"client_slug": event_a.client.slug, "event_id": event_a.pk})
    assert browser.get(url).status_code == 200
    assert ExportMark.objects.filter(actor=f"account:{owner_a.pk}").exists()
    assert Incident.objects.filter(source=Source.UNUSUAL_EXPORT).count() == 1
