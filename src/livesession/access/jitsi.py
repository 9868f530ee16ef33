"""Jitsi rooms (issue 4 §3).

A room name per event or session on the client's Jitsi domain (``meet.jit.si`` unless set).
With a JWT application (id and secret in the client's room settings) each participant gets
a short-lived token signed HS256, as the Jitsi token authentication (prosody
``token_verification``) expects: ``aud`` "jitsi", ``iss`` the application id, ``sub`` the
domain, ``room`` the room name, ``exp``, and the display name in ``context.user.name``.

HS256 is written here with ``hmac`` and ``base64`` (no JWT dependency for three lines).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
from typing import Any
from urllib.parse import quote

from livesession.core.clock import now

DEFAULT_DOMAIN = "meet.jit.si"
# Letters, digits, hyphens and underscores: the room name is a path segment on the Jitsi
# server and a name its XMPP back end accepts; no dots, slashes or spaces to escape.
ROOM_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{2,79}$")
DOMAIN_PATTERN = re.compile(
    r"^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}(:\d{1,5})?$")
# A token only has to last until the participant's browser connects.
TOKEN_MINUTES = 10


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hs256(signing_input: bytes, key: bytes) -> str:
    """The JWS signature of ``signing_input`` (``header.payload``) with HMAC SHA-256."""
    return b64url(hmac.new(key, signing_input, hashlib.sha256).digest())


def encode_hs256(claims: dict[str, Any], key: bytes) -> str:
    header = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":"))
                    .encode())
    payload = b64url(json.dumps(claims, separators=(",", ":"), ensure_ascii=False).encode())
    signing_input = f"{header}.{payload}".encode("ascii")
    return f"{header}.{payload}.{hs256(signing_input, key)}"


def verify_hs256(token: str, key: bytes) -> dict[str, Any] | None:
    """The claims of a token signed with ``key``, or None (used by the tests and to check
    a configuration; Jitsi's server does the real verification)."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    expected = hs256(f"{parts[0]}.{parts[1]}".encode("ascii"), key)
    if not hmac.compare_digest(expected, parts[2]):
        return None
    header = json.loads(b64url_decode(parts[0]))
    if header.get("alg") != "HS256":
        return None
    claims: dict[str, Any] = json.loads(b64url_decode(parts[1]))
    return claims


def new_room_name() -> str:
    """On a public server the room name is the only lock: 96 random bits by default."""
    return "ls-" + secrets.token_hex(12)


def room_token(*, app_id: str, secret: str, domain: str, room: str, display_name: str) -> str:
    issued = int(now().timestamp())
    claims = {"aud": "jitsi", "iss": app_id, "sub": domain.split(":")[0], "room": room,
              "iat": issued, "nbf": issued - 30, "exp": issued + TOKEN_MINUTES * 60,
              "context": {"user": {"name": display_name}}}
    return encode_hs256(claims, secret.encode())


def room_url(*, domain: str, room: str, display_name: str, token: str = "") -> str:
    url = f"https://{domain}/{room}"
    if token:
        return f"{url}?jwt={token}"
    # Without a token the name is suggested in the fragment, which the browser keeps to
    # itself: Jitsi's page reads it, the server never receives it.
    return f"{url}#userInfo.displayName=%22{quote(display_name, safe='')}%22"
