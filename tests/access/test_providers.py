"""Room providers behind one interface and their validation on save (issue 4 §3 and "Bad
input": a provider misconfiguration is caught when saved, with a message by field)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from livesession.access import providers, rooms
from livesession.access.models import RoomSettings
from livesession.access.providers import Entry, RoomUnavailable
from livesession.audit.models import AuditEntry
from livesession.core.models import Client
from livesession.events.models import Event, Session
from livesession.registrations.services import register
from livesession.registrations.sessions import add_session


def errors_of(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


def test_issue4_3_external_needs_a_web_address(client_a: Client) -> None:
    for bad in ("", "zoom.us/j/1", "ftp://files.example.org/x", "javascript:alert(1)",
                "https://user:pass@zoom.us/j/1"):
        with pytest.raises(ValidationError) as exc:
            providers.validate_room("external", bad, {}, "", client_a)
        assert "room_url" in errors_of(exc), bad
    assert providers.validate_room("external", " https://zoom.us/j/123 ", {}, "", client_a) \
        == ("https://zoom.us/j/123", {})
    assert providers.validate_room("external", "http://intranet.example.org/room", {}, "",
                                   client_a)[0] == "http://intranet.example.org/room"


def test_issue4_3_embed_needs_https(client_a: Client) -> None:
    with pytest.raises(ValidationError) as exc:
        providers.validate_room("embed", "http://stream.example.org/live", {}, "", client_a)
    assert "https://" in errors_of(exc)["room_url"][0]
    with pytest.raises(ValidationError):
        providers.validate_room("embed", "", {}, "", client_a)
    assert providers.validate_room("embed", "https://player.example.org/e/1", {}, "",
                                   client_a)[0] == "https://player.example.org/e/1"


def test_issue4_3_bbb_without_client_settings_says_where_to_fill_them(client_a: Client) -> None:
    with pytest.raises(ValidationError) as exc:
        providers.validate_room("bbb", "", {}, "", client_a)
    message = errors_of(exc)["room_kind"][0]
    assert "Room settings" in message and "shared secret" in message
    rooms.save_room_settings(client_a, actor="test", bbb_url="https://bbb.example.org/bigbluebutton/",
                             bbb_secret="s3cret")
    # A stray URL is dropped: the provider makes the join URL.
    assert providers.validate_room("bbb", "https://old.example.org", {}, "", client_a) == ("", {})


def test_issue4_3_bbb_own_server_needs_its_secret_and_a_proper_url(client_a: Client) -> None:
    with pytest.raises(ValidationError) as exc:
        providers.validate_room("bbb", "", {"api_url": "https://bbb.example.org/bigbluebutton/"},
                                "", client_a)
    assert "room_secret" in errors_of(exc)
    with pytest.raises(ValidationError) as exc:
        providers.validate_room("bbb", "", {"api_url": "bbb.example.org"}, "x", client_a)
    assert "room_config" in errors_of(exc)


def test_issue4_3_jitsi_room_name_and_domain_are_checked(client_a: Client) -> None:
    with pytest.raises(ValidationError) as exc:
        providers.validate_room("jitsi", "", {"room": "my room"}, "", client_a)
    assert "letters, digits" in errors_of(exc)["room_config"][0]
    with pytest.raises(ValidationError) as exc:
        providers.validate_room("jitsi", "", {"room": "ok-room", "domain": "https://x.org/a"},
                                "", client_a)
    assert "domain name" in errors_of(exc)["room_config"][0]
    assert providers.validate_room("jitsi", "", {"room": "ok-room"}, "", client_a) == \
        ("", {"room": "ok-room"})


def test_unknown_provider_and_unknown_settings_are_refused(client_a: Client) -> None:
    with pytest.raises(ValidationError) as exc:
        providers.validate_room("teams", "https://x.org", {}, "", client_a)
    assert "room_kind" in errors_of(exc)
    with pytest.raises(ValidationError) as exc:
        providers.validate_room("external", "https://x.org", {"room": "x"}, "", client_a)
    assert "room" in errors_of(exc)["room_config"][0]


def test_issue4_3_external_and_embed_entries(event_a: Event) -> None:
    person = register(event_a, email="a@example.org", first_name="A",
                      last_name="B").registration
    assert providers.enter(event_a, person) == Entry("redirect", "https://room.example/abc")
    rooms.set_event_room(event_a, actor="test", kind="embed",
                         url="https://player.example.org/live")
    assert providers.enter(event_a, person) == Entry("embed", "https://player.example.org/live")


def test_issue4_3_session_uses_its_own_provider_or_the_events(event_a: Event) -> None:
    starts = event_a.starts_at
    session = add_session(event_a, actor="test", title="Day 2", starts_at=starts,
                          ends_at=starts + dt.timedelta(hours=1), capacity=None, room_url="")
    person = register(event_a, email="a@example.org", first_name="A",
                      last_name="B").registration
    assert providers.enter(session, person).url == "https://room.example/abc"
    rooms.set_session_room(session, actor="test", kind="jitsi", config={"room": "day-two"})
    session = Session.objects.get(pk=session.pk)
    assert providers.room_kind(session) == "jitsi"
    assert providers.enter(session, person).url.startswith("https://meet.jit.si/day-two#")
    rooms.set_session_room(session, actor="test", kind="")
    session = Session.objects.get(pk=session.pk)
    assert session.room_config == {} and providers.room_kind(session) == "external"


def test_issue4_3_room_without_url_is_unavailable(event_a: Event) -> None:
    Event.objects.filter(pk=event_a.pk).update(room_url="")
    event = Event.objects.get(pk=event_a.pk)
    person = register(event, email="a@example.org", first_name="A", last_name="B").registration
    with pytest.raises(RoomUnavailable):
        providers.enter(event, person)
    assert rooms.room_problem(event)


@pytest.mark.no_db
def test_issue4_3_display_name_never_shows_the_address() -> None:
    def name(first: str, last: str) -> str:
        return providers.display_name(SimpleNamespace(first_name=first, last_name=last))  # type: ignore[arg-type]

    assert name("Marie", "durand") == "Marie D."
    assert name("Marie", "") == "Marie"
    assert name("  Jean  Pierre ", " lee") == "Jean Pierre L."
    with translation.override("en"):
        assert name("", "Durand") == "Participant"


def test_issue4_3_room_settings_secrets_sealed_write_only_and_audited(client_a: Client) -> None:
    rooms.save_room_settings(client_a, actor="account:1",
                             bbb_url="https://bbb.example.org/bigbluebutton/",
                             bbb_secret="bbb-shared-secret", jitsi_app_id="app",
                             jitsi_secret="jitsi-app-secret")
    row = RoomSettings.objects.get(client=client_a)
    assert "bbb-shared-secret" not in row.bbb_secret_enc
    assert row.bbb_secret == "bbb-shared-secret" and row.jitsi_secret == "jitsi-app-secret"
    # Blank keeps the stored secret.
    rooms.save_room_settings(client_a, actor="account:1",
                             bbb_url="https://bbb2.example.org/bigbluebutton/",
                             jitsi_app_id="app")
    row = RoomSettings.objects.get(client=client_a)
    assert row.bbb_secret == "bbb-shared-secret" and row.jitsi_secret == "jitsi-app-secret"
    entries = AuditEntry.objects.filter(client_id=client_a.pk, action="room_settings.updated")
    assert entries.count() == 2
    for entry in entries:
        assert "secret" not in str(entry.details.values()).replace("bbb_secret", "") \
            .replace("jitsi_secret", "")
    assert entries.order_by("id").last().details["fields"] == ["bbb_url"]  # type: ignore[union-attr]


def test_issue4_3_room_settings_errors_by_field(client_a: Client) -> None:
    with pytest.raises(ValidationError) as exc:
        rooms.save_room_settings(client_a, actor="t", bbb_url="https://bbb.example.org/b/")
    assert "bbb_secret" in errors_of(exc)
    with pytest.raises(ValidationError) as exc:
        rooms.save_room_settings(client_a, actor="t", bbb_url="not a url", bbb_secret="s")
    assert "bbb_url" in errors_of(exc)
    with pytest.raises(ValidationError) as exc:
        rooms.save_room_settings(client_a, actor="t", jitsi_domain="https://meet.example/x")
    assert "jitsi_domain" in errors_of(exc)
    with pytest.raises(ValidationError) as exc:
        rooms.save_room_settings(client_a, actor="t", jitsi_app_id="app")
    assert "jitsi_secret" in errors_of(exc)
    assert not RoomSettings.objects.filter(client=client_a).exists()


def test_issue4_3_event_room_audit_has_no_secret(client_a: Client, event_a: Event) -> None:
    rooms.set_event_room(event_a, actor="account:1", kind="bbb",
                         config={"api_url": "https://own.example.org/bigbluebutton/"},
                         secret="room-secret-xyz")
    entry = AuditEntry.objects.filter(action="event.room_set").latest("id")
    assert entry.details == {"kind": "bbb", "config": ["api_url"], "secret_changed": True}
    assert entry.target == f"event:{event_a.pk}"
    # Back to an external link: the room secret is dropped, not kept unread.
    rooms.set_event_room(event_a, actor="account:1", kind="external",
                         url="https://zoom.us/j/1")
    assert Event.objects.get(pk=event_a.pk).room_secret_enc == ""
