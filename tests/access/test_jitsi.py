"""Jitsi rooms (issue 4 §3): HS256 against the RFC 7515 example, the room token's claims,
the room URL with and without a token."""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest

from livesession.access import jitsi, providers, rooms
from livesession.access.providers import RoomUnavailable
from livesession.core.clock import freeze
from livesession.core.models import Client
from livesession.events.models import Event
from livesession.registrations.services import register

# RFC 7515 (JSON Web Signature), Appendix A.1 "Example JWS Using HMAC SHA-256":
# https://www.rfc-editor.org/rfc/rfc7515#appendix-A.1
RFC_HEADER = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"
RFC_PAYLOAD = ("eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9"
               "pc19yb290Ijp0cnVlfQ")
RFC_KEY = ("AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1"
           "Z9CAow")
RFC_SIGNATURE = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"


@pytest.mark.no_db
def test_issue4_3_hs256_matches_rfc7515_appendix_a1() -> None:
    """RFC 7515 §A.1 (https://www.rfc-editor.org/rfc/rfc7515#appendix-A.1): the signing
    input ``header.payload`` above, HMAC SHA-256 with the JWK ``k`` (base64url-decoded),
    gives the signature ``dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk``."""
    key = jitsi.b64url_decode(RFC_KEY)
    assert jitsi.hs256(f"{RFC_HEADER}.{RFC_PAYLOAD}".encode(), key) == RFC_SIGNATURE
    # The decoder reads the example's claims back (its header is split over two lines).
    claims = jitsi.verify_hs256(f"{RFC_HEADER}.{RFC_PAYLOAD}.{RFC_SIGNATURE}", key)
    assert claims == {"iss": "joe", "exp": 1300819380, "http://example.com/is_root": True}
    assert jitsi.verify_hs256(f"{RFC_HEADER}.{RFC_PAYLOAD}.{RFC_SIGNATURE[:-1]}A", key) is None


@pytest.mark.no_db
def test_issue4_3_encoder_round_trip_and_tamper() -> None:
    token = jitsi.encode_hs256({"room": "salle", "n": 1}, b"k3y")
    assert jitsi.verify_hs256(token, b"k3y") == {"room": "salle", "n": 1}
    assert jitsi.verify_hs256(token, b"other") is None
    header, _payload, signature = token.split(".")
    forged = jitsi.b64url(json.dumps({"room": "other", "n": 1}).encode())
    assert jitsi.verify_hs256(f"{header}.{forged}.{signature}", b"k3y") is None
    assert "=" not in token


@pytest.mark.no_db
@pytest.mark.parametrize("name,ok", [("team-weekly_01", True), ("abc", True), ("ab", False),
                                     ("has space", False), ("../admin", False),
                                     ("-starts-with-dash", False), ("é-accent", False),
                                     ("x" * 81, False)])
def test_issue4_3_room_name_pattern(name: str, ok: bool) -> None:
    assert bool(jitsi.ROOM_PATTERN.match(name)) is ok


def _jitsi_event(event: Event, room: str = "weekly-review") -> Event:
    return rooms.set_event_room(event, actor="test", kind="jitsi", config={"room": room})


def test_issue4_3_jitsi_without_token_on_the_default_domain(event_a: Event) -> None:
    event = _jitsi_event(event_a)
    person = register(event, email="marie@example.org", first_name="Marie",
                      last_name="Durand").registration
    entry = providers.enter(event, person)
    assert entry.kind == "redirect"
    assert entry.url.startswith("https://meet.jit.si/weekly-review#")
    assert unquote(urlsplit(entry.url).fragment) == 'userInfo.displayName="Marie D."'
    assert "jwt=" not in entry.url


def test_issue4_3_jitsi_with_jwt(client_a: Client, event_a: Event) -> None:
    """With the client's application: a token signed with its secret, whose claims are
    what Jitsi's token authentication checks, expiring in minutes."""
    rooms.save_room_settings(client_a, actor="test", jitsi_domain="visio.example.org",
                             jitsi_app_id="livesession", jitsi_secret="app-secret-123")
    event = _jitsi_event(event_a)
    person = register(event, email="marie@example.org", first_name="Marie",
                      last_name="Durand").registration
    moment = dt.datetime(2031, 3, 1, 9, 0, tzinfo=dt.UTC)
    with freeze(moment):
        entry = providers.enter(event, person)
    parts = urlsplit(entry.url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "visio.example.org",
                                                        "/weekly-review")
    token = dict(parse_qsl(parts.query))["jwt"]
    claims = jitsi.verify_hs256(token, b"app-secret-123")
    assert claims is not None
    assert claims["aud"] == "jitsi" and claims["iss"] == "livesession"
    assert claims["sub"] == "visio.example.org" and claims["room"] == "weekly-review"
    assert claims["context"] == {"user": {"name": "Marie D."}}
    assert claims["exp"] == int(moment.timestamp()) + 600
    assert "marie@example.org" not in json.dumps(claims)


def test_issue4_3_jitsi_room_name_generated_when_not_given(event_a: Event) -> None:
    """On a public server the room's name is its only lock: without a name, a random one."""
    event = rooms.set_event_room(event_a, actor="test", kind="jitsi", config={})
    room = event.room_config["room"]
    assert room.startswith("ls-") and len(room) == 27 and jitsi.ROOM_PATTERN.match(room)


def test_issue4_3_jitsi_broken_row_is_unavailable_not_a_crash(event_a: Event) -> None:
    """A row written around the service (no valid room) answers RoomUnavailable."""
    Event.objects.filter(pk=event_a.pk).update(room_kind="jitsi", room_config={"room": "a b"})
    event = Event.objects.get(pk=event_a.pk)
    person = register(event, email="marie@example.org", first_name="Marie",
                      last_name="Durand").registration
    with pytest.raises(RoomUnavailable):
        providers.enter(event, person)
