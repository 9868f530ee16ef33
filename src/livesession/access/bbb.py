"""BigBlueButton rooms (issue 4 §3).

The client's server (API URL and shared secret, ``access.RoomSettings``) or a room's own
override hosts one meeting per event, or per session with a room of its own. The meeting is
created on the first access through the API ``create`` call (idempotent on the server's
side), then each participant gets a ``join`` URL signed with the API checksum:
``hexdigest(callName + queryString + sharedSecret)``, SHA-1 by default, SHA-256/384/512
when the server is set to accept only those (``BBB_CHECKSUM_ALGORITHM``).

The meeting id and its passwords are derived from the client's secrets key: stable across
calls and processes, never guessable by someone who knows the event's id.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlencode
from xml.etree import ElementTree

from django.conf import settings
from django.core.cache import cache

from livesession.protection.crypto import client_secret_key

log = logging.getLogger(__name__)

ALGORITHMS = ("sha1", "sha256", "sha384", "sha512")
# A join waits for this at most: the participant is in front of a blank page meanwhile.
TIMEOUT_SECONDS = 4.0
# How long a successful ``create`` is remembered. Short on purpose: the server ends a
# meeting a minute after its last participant leaves, and forgets every meeting when it
# restarts. ``create`` is idempotent, so a forgotten meeting costs one call, and a meeting
# that vanished is re-created within this delay.
CREATED_TTL_SECONDS = 60
MAX_RESPONSE_BYTES = 256 * 1024


class BBBError(Exception):
    """The server could not be reached or refused the call; the message names the cause
    for the organizer (no participant data in it)."""


@dataclass(frozen=True)
class Server:
    api_url: str  # ends with /api
    secret: str
    algorithm: str = "sha1"


def api_base(url: str) -> str:
    """The API endpoint from what ``bbb-conf --secret`` prints (``…/bigbluebutton/``) or
    the endpoint itself (``…/bigbluebutton/api``)."""
    base = url.strip().rstrip("/")
    return base if base.endswith("/api") else base + "/api"


def default_algorithm() -> str:
    algorithm = str(getattr(settings, "BBB_CHECKSUM_ALGORITHM", "sha1")).lower()
    return algorithm if algorithm in ALGORITHMS else "sha1"


def checksum(call: str, query: str, secret: str, algorithm: str = "sha1") -> str:
    """The API checksum: the hex digest of call name + query string + shared secret."""
    if algorithm not in ALGORITHMS:
        raise ValueError(f"unsupported checksum algorithm {algorithm!r}")
    return hashlib.new(algorithm, (call + query + secret).encode()).hexdigest()


def signed_url(server: Server, call: str, params: list[tuple[str, str]]) -> str:
    # urlencode writes spaces as "+", as in the documentation's example; the checksum is
    # over exactly the query string sent.
    query = urlencode(params)
    digest = checksum(call, query, server.secret, server.algorithm)
    return f"{server.api_url}/{call}?{query}&checksum={digest}"


def _derived(client_id: int, label: str, room: str, length: int) -> str:
    mac = hmac.new(client_secret_key(client_id), f"bbb {label} {room}".encode(),
                   hashlib.sha256)
    return mac.hexdigest()[:length]


@dataclass(frozen=True)
class Meeting:
    meeting_id: str
    name: str
    attendee_pw: str
    moderator_pw: str


def meeting_for(client_id: int, room: str, name: str) -> Meeting:
    """``room`` names the event or session (``event:<uuid>``, ``session:<id>``)."""
    return Meeting(meeting_id="ls-" + _derived(client_id, "meeting", room, 32),
                   name=name[:200] or "Meeting",
                   attendee_pw=_derived(client_id, "attendee", room, 20),
                   moderator_pw=_derived(client_id, "moderator", room, 20))


def _call(server: Server, call: str, params: list[tuple[str, str]]) -> ElementTree.Element:
    url = signed_url(server, call, params)
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 - the organizer's https/http server, scheme checked on save
            body = response.read(MAX_RESPONSE_BYTES)
    except urllib.error.HTTPError as exc:
        raise BBBError(f"the BigBlueButton server answered HTTP {exc.code}") from None
    except urllib.error.URLError as exc:
        raise BBBError(f"the BigBlueButton server cannot be reached ({_reason(exc)})") from None
    except TimeoutError:
        raise BBBError("the BigBlueButton server did not answer in time") from None
    except OSError as exc:
        raise BBBError(f"the BigBlueButton server cannot be reached ({exc.strerror or exc})") \
            from None
    try:
        # The organizer's own server answers a small XML document; expat in Python 3.11
        # refuses entity expansion bombs, and the read above is bounded.
        root = ElementTree.fromstring(body)  # noqa: S314 - bounded answer, expat >= 2.4 refuses entity bombs
    except ElementTree.ParseError:
        raise BBBError("the BigBlueButton server did not answer with the API's XML "
                       "(check the API URL)") from None
    if (root.findtext("returncode") or "") != "SUCCESS":
        key = root.findtext("messageKey") or "unknown"
        raise BBBError(f"the BigBlueButton server refused the call {call} ({key})")
    return root


def _reason(exc: urllib.error.URLError) -> str:
    reason = exc.reason
    if isinstance(reason, TimeoutError):
        return "no answer in time"
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    return str(reason)


def _created_key(server: Server, meeting: Meeting) -> str:
    where = hashlib.sha256(server.api_url.encode()).hexdigest()[:16]
    return f"bbb:created:{where}:{meeting.meeting_id}"


def ensure_meeting(server: Server, meeting: Meeting) -> None:
    """Create the meeting unless a create succeeded less than a minute ago."""
    key = _created_key(server, meeting)
    if cache.get(key):
        return
    _call(server, "create", [("name", meeting.name), ("meetingID", meeting.meeting_id),
                             ("attendeePW", meeting.attendee_pw),
                             ("moderatorPW", meeting.moderator_pw)])
    cache.set(key, True, CREATED_TTL_SECONDS)


def check_server(server: Server) -> None:
    """One signed read-only call (``getMeetings``): raises BBBError with the cause when the
    address, the secret or the checksum algorithm is wrong. Only on the organizer's request,
    never on save."""
    _call(server, "getMeetings", [])


def forget_meeting(server: Server, meeting: Meeting) -> None:
    """The next access calls ``create`` again (the room's settings changed)."""
    cache.delete(_created_key(server, meeting))


def join_url(server: Server, meeting: Meeting, full_name: str, *,
             moderator: bool = False) -> str:
    """A participant's way in: a viewer under their display name. Both the role (BBB 2.4
    and later) and the matching password (earlier servers) are sent."""
    role, password = ("MODERATOR", meeting.moderator_pw) if moderator else \
        ("VIEWER", meeting.attendee_pw)
    return signed_url(server, "join", [("fullName", full_name), ("meetingID", meeting.meeting_id),
                                       ("password", password), ("role", role),
                                       ("redirect", "true")])
