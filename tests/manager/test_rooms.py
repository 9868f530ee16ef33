"""Manager room pages (issue 4 §3 and "Bad input"): the client's provider accounts with
write-only secrets, an event's room, a session's own room; a misconfiguration is shown to
the organizer by field when saved."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client as Browser

from livesession.access import providers, rooms
from livesession.access.models import RoomSettings
from livesession.access.providers import RoomUnavailable
from livesession.core.models import Client
from livesession.events.models import Event, Session
from livesession.registrations.services import register
from livesession.registrations.sessions import add_session
from tests.access.fakebbb import SECRET, FakeBBB, bbb_server_fixture  # noqa: F401 - the fixture

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def organizer(client_a: Client, make_member: Any) -> Browser:
    browser = Browser()
    browser.force_login(make_member(client_a, "organizer", "orga@alpha.test"))
    return browser


@pytest.fixture
def viewer(client_a: Client, make_member: Any) -> Browser:
    browser = Browser()
    browser.force_login(make_member(client_a, "viewer", "viewer@alpha.test"))
    return browser


SETTINGS = {"bbb_url": "https://bbb.alpha.test/bigbluebutton/", "bbb_secret": "bbb-s3cret-value",
            "jitsi_domain": "meet.jit.si", "jitsi_app_id": "", "jitsi_secret": ""}


def test_issue4_3_room_settings_secret_is_write_only(organizer: Browser, client_a: Client) -> None:
    response = organizer.post("/manager/alpha/rooms/settings/", SETTINGS, **EN)
    assert response.status_code == 302
    row = RoomSettings.objects.get(client=client_a)
    assert row.bbb_secret == "bbb-s3cret-value"
    page = organizer.get("/manager/alpha/rooms/settings/", **EN).content.decode()
    assert "bbb-s3cret-value" not in page and row.bbb_secret_enc not in page
    assert "Set. Leave empty to keep it" in page
    assert "https://bbb.alpha.test/bigbluebutton/" in page
    # Saving again with the secret field empty keeps it.
    response = organizer.post("/manager/alpha/rooms/settings/",
                              dict(SETTINGS, bbb_secret="", jitsi_domain="visio.alpha.test"),
                              **EN)
    assert response.status_code == 302
    row = RoomSettings.objects.get(client=client_a)
    assert row.bbb_secret == "bbb-s3cret-value" and row.jitsi_domain == "visio.alpha.test"


def test_issue4_bad_input_room_settings_errors_by_field(organizer: Browser) -> None:
    response = organizer.post("/manager/alpha/rooms/settings/",
                              dict(SETTINGS, bbb_url="bbb.alpha.test", bbb_secret=""), **EN)
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_bbb_url_error"' in html and "https://" in html
    response = organizer.post("/manager/alpha/rooms/settings/",
                              dict(SETTINGS, bbb_secret=""), **EN)
    assert response.status_code == 400
    assert 'id="id_bbb_secret_error"' in response.content.decode()


def test_issue4_bad_input_bbb_room_without_settings_says_where(organizer: Browser,
                                                              event_a: Event) -> None:
    response = organizer.post(f"/manager/alpha/events/{event_a.pk}/room/",
                              {"room_kind": "bbb"}, **EN)
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_room_kind_error"' in html and "Room settings" in html
    assert Event.objects.get(pk=event_a.pk).room_kind == "external"


def test_issue4_3_event_room_page_sets_jitsi_and_embed(organizer: Browser,
                                                       event_a: Event) -> None:
    page = organizer.get(f"/manager/alpha/events/{event_a.pk}/room/", **EN)
    assert page.status_code == 200 and 'name="room_kind"' in page.content.decode()
    response = organizer.post(f"/manager/alpha/events/{event_a.pk}/room/",
                              {"room_kind": "jitsi", "jitsi_room": "bad name"}, **EN)
    assert response.status_code == 400
    assert 'id="id_jitsi_room_error"' in response.content.decode()
    response = organizer.post(f"/manager/alpha/events/{event_a.pk}/room/",
                              {"room_kind": "jitsi", "jitsi_room": "alpha-weekly"}, **EN)
    assert response.status_code == 302
    event = Event.objects.get(pk=event_a.pk)
    assert (event.room_kind, event.room_config, event.room_url) == \
        ("jitsi", {"room": "alpha-weekly"}, "")
    response = organizer.post(f"/manager/alpha/events/{event_a.pk}/room/",
                              {"room_kind": "embed", "room_url": "http://stream.alpha.test/x"},
                              **EN)
    assert response.status_code == 400 and "https://" in response.content.decode()
    response = organizer.post(f"/manager/alpha/events/{event_a.pk}/room/",
                              {"room_kind": "embed", "room_url": "https://stream.alpha.test/x"})
    assert response.status_code == 302
    assert Event.objects.get(pk=event_a.pk).room_kind == "embed"


def test_issue4_3_bbb_room_on_own_server_secret_write_only(organizer: Browser,
                                                          event_a: Event) -> None:
    url = f"/manager/alpha/events/{event_a.pk}/room/"
    data = {"room_kind": "bbb", "bbb_api_url": "https://own.alpha.test/bigbluebutton/"}
    response = organizer.post(url, data, **EN)
    assert response.status_code == 400
    assert 'id="id_room_secret_error"' in response.content.decode()
    assert organizer.post(url, dict(data, room_secret="room-secret-42"), **EN).status_code == 302
    page = organizer.get(url, **EN).content.decode()
    assert "room-secret-42" not in page and "Set. Leave empty to keep it" in page
    # Saved again without typing the secret: it is kept.
    assert organizer.post(url, data, **EN).status_code == 302
    assert Event.objects.get(pk=event_a.pk).room_secret == "room-secret-42"


def test_issue4_3_session_room_override_and_back(organizer: Browser, event_a: Event) -> None:
    session = add_session(event_a, actor="test", title="Day two", starts_at=event_a.starts_at,
                          ends_at=event_a.starts_at + dt.timedelta(hours=1), capacity=None,
                          room_url="")
    page = organizer.get(f"/manager/alpha/events/{event_a.pk}/room/", **EN).content.decode()
    assert f"/manager/alpha/events/{event_a.pk}/sessions/{session.pk}/room/" in page
    url = f"/manager/alpha/events/{event_a.pk}/sessions/{session.pk}/room/"
    assert organizer.get(url, **EN).status_code == 200
    assert organizer.post(url, {"room_kind": "jitsi", "jitsi_room": "day-two"}).status_code == 302
    assert Session.objects.get(pk=session.pk).room_kind == "jitsi"
    assert organizer.post(url, {"room_kind": ""}).status_code == 302
    assert Session.objects.get(pk=session.pk).room_kind == ""


def test_issue4_3_event_page_links_the_room_page(organizer: Browser, event_a: Event) -> None:
    page = organizer.get(f"/manager/alpha/events/{event_a.pk}/", **EN).content.decode()
    assert f"/manager/alpha/events/{event_a.pk}/room/" in page


def test_event_created_with_a_jitsi_room_needs_no_url(organizer: Browser) -> None:
    """The room URL is optional when the provider makes it (issue 4 §3)."""
    response = organizer.post("/manager/alpha/events/new/", {
        "title": "Jitsi class", "description": "", "time_zone": "Europe/Paris",
        "starts_at": "2030-06-01T09:00", "ends_at": "2030-06-01T10:00",
        "room_kind": "jitsi", "room_url": ""}, **EN)
    assert response.status_code == 302
    event = Event.objects.get(title="Jitsi class")
    assert event.room_kind == "jitsi" and event.room_config["room"].startswith("ls-")
    response = organizer.post("/manager/alpha/events/new/", {
        "title": "Link class", "description": "", "time_zone": "Europe/Paris",
        "starts_at": "2030-06-01T09:00", "ends_at": "2030-06-01T10:00",
        "room_kind": "external", "room_url": ""}, **EN)
    assert response.status_code == 400
    assert not Event.objects.filter(title="Link class").exists()


def test_viewer_may_not_change_rooms(viewer: Browser, event_a: Event) -> None:
    for url in ("/manager/alpha/rooms/settings/", f"/manager/alpha/events/{event_a.pk}/room/"):
        assert viewer.get(url).status_code == 403
        assert viewer.post(url, {"room_kind": "jitsi"}).status_code == 403


def test_other_clients_rooms_do_not_exist(organizer: Browser, event_b: Event) -> None:
    assert organizer.get(f"/manager/alpha/events/{event_b.pk}/room/").status_code == 404
    assert organizer.get(f"/manager/beta/events/{event_b.pk}/room/").status_code == 404
    assert organizer.get("/manager/beta/rooms/settings/").status_code == 404


def test_issue4_3_organizer_tests_the_bbb_server_on_request(organizer: Browser,
                                                           client_a: Client,
                                                           bbb_server: FakeBBB) -> None:
    """A signed read-only call, only when asked: a wrong secret is named, a right one works."""
    rooms.save_room_settings(client_a, actor="t", bbb_url=bbb_server.url, bbb_secret="wrong")
    response = organizer.post("/manager/alpha/rooms/settings/", {"check_bbb": "1"}, follow=True,
                              **EN)
    assert "did not accept the test" in response.content.decode()
    assert "checksumError" in response.content.decode()
    rooms.save_room_settings(client_a, actor="t", bbb_url=bbb_server.url, bbb_secret=SECRET)
    response = organizer.post("/manager/alpha/rooms/settings/", {"check_bbb": "1"}, follow=True,
                              **EN)
    assert "the address and the shared secret work" in response.content.decode()
    assert [c for c, _ in bbb_server.calls] == ["getMeetings", "getMeetings"]
    assert not bbb_server.meetings  # a test creates nothing


def test_issue4_bad_input_participant_failure_shown_to_the_organizer(
        organizer: Browser, client_a: Client, event_a: Event, bbb_server: FakeBBB) -> None:
    """The participant gets RoomUnavailable (a plain page, A2's join view); the organizer
    sees the cause on the room page, until the room is saved again."""
    rooms.save_room_settings(client_a, actor="t", bbb_url=bbb_server.url, bbb_secret="wrong")
    event = rooms.set_event_room(event_a, actor="t", kind="bbb")
    person = register(event, email="p@example.org", first_name="P", last_name="Q").registration
    with pytest.raises(RoomUnavailable):
        providers.enter(event, person)
    page = organizer.get(f"/manager/alpha/events/{event.pk}/room/", **EN).content.decode()
    assert "A participant could not enter" in page and "checksumError" in page
    assert "p@example.org" not in page
    organizer.post(f"/manager/alpha/events/{event.pk}/room/", {"room_kind": "bbb"})
    page = organizer.get(f"/manager/alpha/events/{event.pk}/room/", **EN).content.decode()
    assert "A participant could not enter" not in page


def test_issue4_3_organizer_enters_the_bbb_meeting_as_moderator(
        organizer: Browser, client_a: Client, event_a: Event, bbb_server: FakeBBB) -> None:
    """Participants join as viewers; the organizer presents: a signed join as moderator,
    the meeting created if needed, the entry audited."""
    from urllib.parse import parse_qsl, urlsplit

    from livesession.audit.models import AuditEntry

    rooms.save_room_settings(client_a, actor="t", bbb_url=bbb_server.url, bbb_secret=SECRET)
    event = rooms.set_event_room(event_a, actor="t", kind="bbb")
    page = organizer.get(f"/manager/alpha/events/{event.pk}/room/", **EN).content.decode()
    assert "Enter the meeting as moderator" in page
    response = organizer.post(f"/manager/alpha/events/{event.pk}/room/moderate/", **EN)
    assert response.status_code == 302 and response["Referrer-Policy"] == "same-origin"
    params = dict(parse_qsl(urlsplit(response["Location"]).query))
    meeting = bbb_server.meetings[params["meetingID"]]
    assert params["role"] == "MODERATOR" and params["password"] == meeting["moderatorPW"]
    assert params["fullName"] == "Organizer"  # the member has no name on their profile
    assert AuditEntry.objects.filter(action="room.moderator_joined",
                                     target=f"event:{event.pk}").exists()


def test_moderator_entry_refused_for_other_rooms_and_roles(
        organizer: Browser, viewer: Browser, event_a: Event, event_b: Event) -> None:
    response = organizer.post(f"/manager/alpha/events/{event_a.pk}/room/moderate/",
                              follow=True, **EN)
    assert "not a BigBlueButton room" in response.content.decode()
    assert viewer.post(f"/manager/alpha/events/{event_a.pk}/room/moderate/").status_code == 403
    assert organizer.post(f"/manager/alpha/events/{event_b.pk}/room/moderate/").status_code \
        == 404
    assert organizer.post(f"/manager/alpha/events/{event_a.pk}/room/moderate/",
                          {"session": "999999"}).status_code == 404


def test_issue4_bad_input_missing_address_failure_shown(organizer: Browser,
                                                       event_a: Event) -> None:
    """Any provider: a participant who could not enter leaves the cause for the organizer."""
    Event.objects.filter(pk=event_a.pk).update(room_url="")
    event = Event.objects.get(pk=event_a.pk)
    person = register(event, email="p@example.org", first_name="P", last_name="Q").registration
    with pytest.raises(RoomUnavailable):
        providers.enter(event, person)
    page = organizer.get(f"/manager/alpha/events/{event.pk}/room/", **EN).content.decode()
    assert "A participant could not enter" in page and "no room URL" in page
    assert "Participants cannot enter this room yet" in page


def test_event_edit_form_changes_the_provider(organizer: Browser, event_a: Event) -> None:
    """The edit form takes the provider; a Jitsi room gets its name, an external link
    without address is refused by field."""
    base = {"title": event_a.title, "description": "", "time_zone": "Europe/Paris",
            "starts_at": "2030-06-01T09:00", "ends_at": "2030-06-01T10:00"}
    url = f"/manager/alpha/events/{event_a.pk}/edit/"
    response = organizer.post(url, dict(base, room_kind="jitsi", room_url=""), **EN)
    assert response.status_code == 302
    event = Event.objects.get(pk=event_a.pk)
    assert event.room_kind == "jitsi" and event.room_config["room"].startswith("ls-")
    response = organizer.post(url, dict(base, room_kind="external", room_url=""), **EN)
    assert response.status_code == 400 and 'id="id_room_url_error"' in response.content.decode()
    response = organizer.post(url, dict(base, room_kind="bbb", room_url=""), **EN)
    assert response.status_code == 400 and "Room settings" in response.content.decode()
    assert Event.objects.get(pk=event_a.pk).room_kind == "jitsi"
