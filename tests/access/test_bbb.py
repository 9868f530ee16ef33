"""BigBlueButton rooms (issue 4 §3): the API checksum against the documented example, the
meeting created on first access on a real HTTP server, signed join URLs, failures."""

from __future__ import annotations

import hashlib
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.core.cache import cache

from livesession.access import bbb, providers, rooms
from livesession.access.providers import RoomUnavailable
from livesession.core.models import Client
from livesession.events.models import Event
from livesession.registrations.services import register
from tests.access.fakebbb import SECRET, FakeBBB, bbb_server_fixture  # noqa: F401 - the fixture


@pytest.mark.no_db
def test_issue4_3_checksum_matches_the_bigbluebutton_documentation_example() -> None:
    """The example of the BigBlueButton API documentation, section "API Security Model",
    "Usage" (https://docs.bigbluebutton.org/development/api/#usage): call ``create``, query
    string ``name=Test+Meeting&meetingID=abc123&attendeePW=111222&moderatorPW=333444``,
    shared secret ``639259d4-9dd8-4b25-bf01-95f9567eaf4b``; the documented SHA-1 sum is
    ``1fcbb0c4fc1f039f73aa6d697d2db9ba7f803f17``."""
    query = "name=Test+Meeting&meetingID=abc123&attendeePW=111222&moderatorPW=333444"
    secret = "639259d4-9dd8-4b25-bf01-95f9567eaf4b"
    assert bbb.checksum("create", query, secret) == "1fcbb0c4fc1f039f73aa6d697d2db9ba7f803f17"
    # The URL we build from those parameters has exactly that query string and checksum.
    server = bbb.Server("https://bbb.example.org/bigbluebutton/api", secret)
    url = bbb.signed_url(server, "create", [("name", "Test Meeting"), ("meetingID", "abc123"),
                                            ("attendeePW", "111222"),
                                            ("moderatorPW", "333444")])
    assert url == ("https://bbb.example.org/bigbluebutton/api/create?" + query
                   + "&checksum=1fcbb0c4fc1f039f73aa6d697d2db9ba7f803f17")


@pytest.mark.no_db
def test_issue4_3_checksum_sha256_when_configured() -> None:
    """The same input hashed with SHA-256 (servers that accept only sha256/384/512; the
    documentation lists them under "Configuration"); the digest is hashlib's of the same
    concatenation, and unknown algorithms are refused."""
    query = "name=Test+Meeting&meetingID=abc123&attendeePW=111222&moderatorPW=333444"
    secret = "639259d4-9dd8-4b25-bf01-95f9567eaf4b"
    expected = hashlib.sha256(("create" + query + secret).encode()).hexdigest()
    assert bbb.checksum("create", query, secret, "sha256") == expected
    assert len(expected) == 64
    with pytest.raises(ValueError):
        bbb.checksum("create", query, secret, "md5")


@pytest.mark.no_db
def test_api_base_accepts_what_bbb_conf_prints_and_the_endpoint() -> None:
    assert bbb.api_base("https://b.example.org/bigbluebutton/") == \
        "https://b.example.org/bigbluebutton/api"
    assert bbb.api_base("https://b.example.org/bigbluebutton/api/") == \
        "https://b.example.org/bigbluebutton/api"


def _bbb_event(client: Client, event: Event, url: str, secret: str = SECRET) -> Event:
    rooms.save_room_settings(client, actor="test", bbb_url=url, bbb_secret=secret)
    return rooms.set_event_room(event, actor="test", kind="bbb")


def test_issue4_3_meeting_created_on_first_access_then_signed_join(
        client_a: Client, event_a: Event, bbb_server: FakeBBB) -> None:
    """First access creates the meeting (a real HTTP call); the join URL is signed and
    carries the viewer role and the display name, never the address."""
    event = _bbb_event(client_a, event_a, bbb_server.url)
    person = register(event, email="marie@example.org", first_name="Marie",
                      last_name="Durand").registration
    entry = providers.enter(event, person)
    assert entry.kind == "redirect"
    assert [c for c, _ in bbb_server.calls] == ["create"]
    meeting_id = bbb_server.calls[0][1]["meetingID"]
    assert meeting_id in bbb_server.meetings
    assert str(event.pk) not in meeting_id and meeting_id.startswith("ls-")
    parts = urlsplit(entry.url)
    assert entry.url.startswith(bbb_server.url + "api/join?")
    base, _, given = parts.query.rpartition("&checksum=")
    assert given == hashlib.sha1(  # noqa: S324 - the BBB protocol
        ("join" + base + SECRET).encode()).hexdigest()
    params = dict(parse_qsl(base))
    assert params["fullName"] == "Marie D."
    assert params["meetingID"] == meeting_id and params["role"] == "VIEWER"
    assert params["password"] == bbb_server.meetings[meeting_id]["attendeePW"]
    assert params["password"] != bbb_server.meetings[meeting_id]["moderatorPW"]
    assert "marie@example.org" not in entry.url

    # A second participant: the creation is remembered, no second call.
    other = register(event, email="jo@example.org", first_name=" jo ",
                     last_name="lee").registration
    assert dict(parse_qsl(urlsplit(providers.enter(event, other).url).query))["fullName"] \
        == "jo L."
    assert [c for c, _ in bbb_server.calls] == ["create"]


def test_issue4_3_meeting_created_again_after_a_server_restart(
        client_a: Client, event_a: Event, bbb_server: FakeBBB) -> None:
    """The server forgets its meetings when it restarts; once the short memory of the
    creation has passed, the next access calls create again and the room exists again."""
    event = _bbb_event(client_a, event_a, bbb_server.url)
    person = register(event, email="marie@example.org", first_name="Marie",
                      last_name="Durand").registration
    providers.enter(event, person)
    bbb_server.restart()
    meeting = providers.bbb_meeting(event)
    server = providers.bbb_server(event)
    assert server is not None
    cache.delete(bbb._created_key(server, meeting))  # the memory's delay has passed
    providers.enter(event, person)
    assert [c for c, _ in bbb_server.calls] == ["create", "create"]
    assert meeting.meeting_id in bbb_server.meetings


def test_issue4_3_meeting_id_is_stable_and_per_room(client_a: Client, client_b: Client,
                                                    event_a: Event) -> None:
    one = providers.bbb_meeting(event_a)
    assert one == providers.bbb_meeting(Event.objects.get(pk=event_a.pk))
    # Another client's key gives another id for the same room name.
    assert bbb.meeting_for(client_b.pk, f"event:{event_a.pk}", "x").meeting_id != one.meeting_id


def test_issue4_3_wrong_secret_is_a_clear_unavailable_room(
        client_a: Client, event_a: Event, bbb_server: FakeBBB) -> None:
    event = _bbb_event(client_a, event_a, bbb_server.url, secret="not-the-server-secret")
    person = register(event, email="marie@example.org", first_name="Marie",
                      last_name="Durand").registration
    with pytest.raises(RoomUnavailable, match="checksumError"):
        providers.enter(event, person)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_issue4_3_unreachable_server_is_a_clear_unavailable_room(
        client_a: Client, event_a: Event) -> None:
    """Nothing listens on the port: the participant's request fails fast with a cause the
    organizer can act on, not a stack trace."""
    cache.clear()
    event = _bbb_event(client_a, event_a, f"http://127.0.0.1:{_closed_port()}/bigbluebutton/")
    person = register(event, email="marie@example.org", first_name="Marie",
                      last_name="Durand").registration
    with pytest.raises(RoomUnavailable, match="cannot be reached"):
        providers.enter(event, person)


def test_issue4_3_server_answering_something_else_is_unavailable(
        client_a: Client, event_a: Event) -> None:
    """An API URL pointing at a web page (HTML, not the API's XML)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b"<!doctype html><html><body>Welcome<br></body></html>"
            self.send_response(200)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    cache.clear()
    try:
        event = _bbb_event(client_a, event_a,
                           f"http://127.0.0.1:{httpd.server_address[1]}/bigbluebutton/")
        person = register(event, email="marie@example.org", first_name="Marie",
                      last_name="Durand").registration
        with pytest.raises(RoomUnavailable, match=r"XML|refused"):
            providers.enter(event, person)
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_issue4_3_room_on_its_own_server_uses_its_sealed_secret(
        client_a: Client, event_a: Event, bbb_server: FakeBBB) -> None:
    """A room may name another server (config api_url) with its own shared secret, stored
    sealed with the client's key."""
    event = rooms.set_event_room(event_a, actor="test", kind="bbb",
                                 config={"api_url": bbb_server.url}, secret=SECRET)
    stored = Event.objects.get(pk=event.pk)
    assert SECRET not in stored.room_secret_enc and stored.room_secret == SECRET
    person = register(event, email="marie@example.org", first_name="Marie",
                      last_name="Durand").registration
    assert providers.enter(stored, person).url.startswith(bbb_server.url + "api/join?")
    assert [c for c, _ in bbb_server.calls] == ["create"]
