"""The device cookie of the personal link (issue 4 §4).

A random value that tells the devices using one link apart, nothing else: functional,
so it needs no consent (ePrivacy art. 5(3), "strictly necessary" for the one-device rule
the organizer chose and the concurrent-use flag). It is set once on a /j/ answer, read
only under /j/ (its path), HttpOnly, Secure on HTTPS, SameSite=Lax, and expires after
``LIFETIME`` from its first setting: later visits never extend it (CNIL: at most 13
months). Only its SHA-256 is stored (``AttendanceDevice.device_hash``).
"""

from __future__ import annotations

import hashlib
import re
import secrets

from django.conf import settings
from django.http import HttpRequest, HttpResponse

COOKIE = "ls_device"
PATH = "/j/"
LIFETIME = 395 * 24 * 3600  # 13 months, at most (CNIL guidance on cookie lifetimes)
_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def identify(request: HttpRequest) -> tuple[str, str | None]:
    """The device hash, and a new cookie value to set when the request carried none."""
    value = request.COOKIES.get(COOKIE, "")
    if _SHAPE.fullmatch(value):
        return _digest(value), None
    fresh = secrets.token_urlsafe(32)
    return _digest(fresh), fresh


def known(request: HttpRequest) -> str:
    """The device hash of a request that must already carry the cookie (the heartbeat),
    or an empty string."""
    value = request.COOKIES.get(COOKIE, "")
    return _digest(value) if _SHAPE.fullmatch(value) else ""


def remember(request: HttpRequest, response: HttpResponse, fresh: str | None) -> HttpResponse:
    if fresh:
        response.set_cookie(COOKIE, fresh, max_age=LIFETIME, path=PATH, httponly=True,
                            secure=request.is_secure() or settings.SECURE_COOKIES,
                            samesite="Lax")
    return response
