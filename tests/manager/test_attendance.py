"""Manager attendance (issue 4 §4, §9): per-session figures, no-shows, timeline,
concurrent use, CSV and XLSX export guarded and audited; replays; link actions (§1)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client as Browser
from django.urls import reverse
from openpyxl import load_workbook

from livesession.access import services as access
from livesession.audit.models import AuditEntry
from livesession.core.clock import freeze
from livesession.events.models import Event
from livesession.messaging.models import OutboxMessage
from livesession.registrations.services import register
from livesession.registrations.sessions import add_session


def _url(name: str, event: Event, **kwargs: Any) -> str:
    return reverse(f"manager:{name}", kwargs={"client_slug": event.client.slug,
                                              "event_id": event.pk, **kwargs})


@pytest.fixture
def owner(owner_a: Any) -> Browser:
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(owner_a)
    return browser


@pytest.fixture
def viewer(client_a: Any, make_member: Any) -> Browser:
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(make_member(client_a, "viewer", "viewer@alpha.test"))
    return browser


@pytest.fixture
def came(event_a: Event) -> dict[str, Any]:
    """Three confirmed people: Ana joins at the start, Ben 12 minutes late from two
    devices at once, Cy never comes. One name is a formula."""
    tokens = {key: register(event_a, email=f"{key}@example.org", first_name=first,
                            last_name="Test").token
              for key, first in (("ana", "Ana"), ("ben", "=HYPERLINK(\"x\")"), ("cy", "Cy"))}
    with freeze(event_a.starts_at):
        Browser().get(f"/j/{tokens['ana']}/")
    with freeze(event_a.starts_at + dt.timedelta(minutes=12)):
        Browser().get(f"/j/{tokens['ben']}/")
    with freeze(event_a.starts_at + dt.timedelta(minutes=13)):
        Browser().get(f"/j/{tokens['ben']}/")
    return tokens


def test_issue4_4_overview_and_session_page(owner: Browser, event_a: Event,
                                            came: dict[str, Any]) -> None:
    page = owner.get(_url("attendance", event_a))
    html = page.content.decode()
    assert page.status_code == 200
    assert f"<title>Attendance · {event_a.title} · livesession</title>" in html
    assert "Access to the room" in html
    cells = [c.strip() for c in html.split("<td>")]
    assert any(c.startswith("3</td>") for c in cells)  # expected
    assert any(c.startswith("2</td>") for c in cells)  # present
    assert f'href="/manager/alpha/events/{event_a.pk}/attendance/0/"' in html
    detail = owner.get(_url("attendance-session", event_a, key=0)).content.decode()
    assert "ana@example.org" in detail and "ben@example.org" in detail
    assert "1 no-show" in detail and "cy@example.org" in detail.split("no-show")[1]
    assert "Minutes present are not measured" in detail
    # Timeline: the table gives the 5-minute buckets with their arrivals.
    opens = event_a.opens_at.astimezone(dt.timezone(dt.timedelta(hours=1)))
    assert f"<td>{opens:%H:%M}</td><td>0</td>" in detail
    start = event_a.starts_at.astimezone(dt.timezone(dt.timedelta(hours=1)))
    assert f"<td>{start:%H:%M}</td><td>1</td>" in detail
    # Ben's link was used from two devices within two minutes: flagged.
    assert detail.count('class="badge notice"') == 1


def test_issue4_4_sessions_listed_separately(owner: Browser, event_a: Event) -> None:
    modules = [add_session(event_a, actor="t", title=f"Module {i}",
                           starts_at=event_a.starts_at + dt.timedelta(days=i),
                           ends_at=event_a.starts_at + dt.timedelta(days=i, hours=1),
                           capacity=None, room_url="https://room.example/m")
               for i in range(2)]
    token = register(event_a, email="dee@example.org", first_name="Dee", last_name="X").token
    with freeze(modules[1].starts_at):
        Browser().get(f"/j/{token}/")
    html = owner.get(_url("attendance", event_a)).content.decode()
    assert "Module 0" in html and "Module 1" in html
    first = owner.get(_url("attendance-session", event_a, key=modules[0].pk)).content.decode()
    second = owner.get(_url("attendance-session", event_a, key=modules[1].pk)).content.decode()
    assert "1 no-show" in first and "1 present" in second
    assert owner.get(_url("attendance-session", event_a, key=0)).status_code == 404


def test_issue4_4_measured_minutes_from_the_embedded_room(owner: Browser,
                                                          event_a: Event) -> None:
    event_a.room_kind = "embed"
    event_a.save()
    token = register(event_a, email="em@example.org", first_name="Em", last_name="B").token
    browser = Browser()
    with freeze(event_a.starts_at):
        browser.get(f"/j/{token}/")
    for second in range(30, 301, 30):
        with freeze(event_a.starts_at + dt.timedelta(seconds=second)):
            browser.post(f"/j/{token}/heartbeat/",
                         HTTP_X_CSRFTOKEN=browser.cookies["csrftoken"].value)
    detail = owner.get(_url("attendance-session", event_a, key=0)).content.decode()
    assert "<td>5</td>" in detail and "not measured" not in detail


def test_issue4_9_export_csv_and_xlsx(owner: Browser, event_a: Event,
                                      came: dict[str, Any]) -> None:
    response = owner.get(_url("attendance-export-csv", event_a))
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(response.content.decode().lstrip("\ufeff"))))
    assert rows[0][:5] == ["Email", "First name", "Last name", "Session", "Attended"]
    by_email = {r[0]: r for r in rows[1:]}
    assert by_email["ana@example.org"][4] == "Yes" and by_email["cy@example.org"][4] == "No"
    assert by_email["ben@example.org"][1].startswith("'=")  # formula made plain text
    assert by_email["ben@example.org"][9] == "2" and by_email["ben@example.org"][10] == "Yes"
    assert by_email["ana@example.org"][7] == ""  # minutes not measured for a redirect
    book = load_workbook(io.BytesIO(owner.get(_url("attendance-export-xlsx", event_a)).content))
    sheet = book.active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert len(values) == 4 and all(not str(v).startswith("=") for r in values for v in r if v)
    exported = AuditEntry.objects.filter(action="attendance.exported").order_by("id")
    assert [e.details for e in exported] == [{"format": "csv", "rows": 3},
                                             {"format": "xlsx", "rows": 3}]


def test_issue4_viewer_sees_but_cannot_export_or_act(viewer: Browser, event_a: Event,
                                                     came: dict[str, Any]) -> None:
    assert viewer.get(_url("attendance", event_a)).status_code == 200
    assert viewer.get(_url("attendance-session", event_a, key=0)).status_code == 200
    assert viewer.get(_url("attendance-export-csv", event_a)).status_code == 403
    assert viewer.post(_url("attendance-replay", event_a, key=0),
                       {"replay_url": "https://video.example/r"}).status_code == 403
    registration = access.resolve(came["ana"])
    assert viewer.post(_url("registrant-link-regenerate", event_a,
                            registration_id=registration.pk)).status_code == 403
    assert access.resolve(came["ana"]) is not None


def test_issue4_6_replay_set_from_the_attendance_page(owner: Browser, event_a: Event) -> None:
    response = owner.post(_url("attendance-replay", event_a, key=0), {
        "replay_url": "https://video.example/r1", "replay_expires_at": "2031-01-10T18:00"})
    assert response.status_code == 302
    event_a.refresh_from_db()
    assert event_a.replay_url == "https://video.example/r1"
    assert event_a.replay_expires_at == dt.datetime(2031, 1, 10, 17, 0, tzinfo=dt.UTC)
    bad = owner.post(_url("attendance-replay", event_a, key=0), {"replay_url": "not a url"})
    assert bad.status_code == 400 and 'role="alert"' in bad.content.decode()
    owner.post(_url("attendance-replay", event_a, key=0), {"replay_url": ""})
    event_a.refresh_from_db()
    assert event_a.replay_url == "" and event_a.replay_expires_at is None


def test_issue4_1_regenerate_and_revoke_from_the_registrant_page(
        owner: Browser, event_a: Event, came: dict[str, Any]) -> None:
    registration = access.resolve(came["cy"])
    page = owner.get(_url("registrant", event_a, registration_id=registration.pk))
    assert "Send a new link" in page.content.decode()
    assert came["cy"] not in page.content.decode()  # the link is never shown
    before = OutboxMessage.objects.count()
    response = owner.post(_url("registrant-link-regenerate", event_a,
                               registration_id=registration.pk))
    assert response.status_code == 302
    assert access.resolve(came["cy"]) is None
    new = access.current_token(registration)
    assert new and OutboxMessage.objects.count() == before + 1
    assert new in OutboxMessage.objects.order_by("-id").first().body
    owner.post(_url("registrant-link-revoke", event_a, registration_id=registration.pk))
    assert access.resolve(new) is None
    assert AuditEntry.objects.filter(action="access_link.revoked",
                                     actor__startswith="account:").exists()


def test_issue4_other_client_gets_404(owner_b: Any, event_a: Event,
                                      came: dict[str, Any]) -> None:
    other = Browser()
    other.force_login(owner_b)
    assert other.get(_url("attendance", event_a)).status_code == 404
    assert other.get(_url("attendance-export-csv", event_a)).status_code == 404


def test_issue4_2_4_access_settings_from_the_attendance_page(owner: Browser, viewer: Browser,
                                                             event_a: Event) -> None:
    url = _url("attendance-access", event_a)
    assert viewer.post(url, {"opens_minutes_before": "5"}).status_code == 403
    assert owner.post(url, {"opens_minutes_before": "30", "one_device_only": "on"}
                      ).status_code == 302
    event_a.refresh_from_db()
    assert event_a.opens_minutes_before == 30 and event_a.one_device_only
    bad = owner.post(url, {"opens_minutes_before": "-3"})
    assert bad.status_code == 400 and 'role="alert"' in bad.content.decode()
    assert AuditEntry.objects.filter(action="event.access_set").count() == 1


def test_r10_no_new_link_for_a_restricted_person(
        owner: Browser, event_a: Event, came: dict[str, Any]) -> None:
    """R-10 (art. 18): while processing is restricted the organizer cannot send a new link;
    the old link is kept (revoking it and holding back the mail would leave the person
    with none once the restriction is lifted)."""
    from livesession.protection import restriction

    registration = access.resolve(came["cy"])
    restriction.restrict([registration.subject_id], actor="test", source="manager")
    before = OutboxMessage.objects.count()
    response = owner.post(_url("registrant-link-regenerate", event_a,
                               registration_id=registration.pk), follow=True,
                          HTTP_ACCEPT_LANGUAGE="en")
    assert "restricted at their request" in response.content.decode()
    assert access.current_token(registration) is not None
    assert access.resolve(came["cy"]) is not None
    assert OutboxMessage.objects.count() == before
