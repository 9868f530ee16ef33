"""The consent cookie: the visitor's choice, signed (django.core.signing), read once per
request (P2.3, P7.4; C-05).

It holds the receipt id, the choices ({tracker key: allowed}), the inventory hash and the
time of the choice. A cookie that does not verify, is older than 6 months, is dated in the
future, or was made for another inventory is no choice at all: the banner shows again and
nothing non-functional happens.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

from livesession.cookies import inventory
from livesession.core.clock import now

SALT = "livesession.cookies.consent"
_CACHE = "_livesession_cookie_choice"
_SKEW = 300  # seconds of clock difference tolerated for a choice "from the future"


@dataclass(frozen=True)
class Choice:
    receipt_id: str
    allowed: dict[str, bool] = field(default_factory=dict)
    inventory_hash: str = ""
    at: int = 0  # Unix time of the choice

    def allows(self, key: str) -> bool:
        return bool(self.allowed.get(key, False))

    @property
    def made_at(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.at, tz=dt.UTC)

    @property
    def expires_at(self) -> dt.datetime:
        return self.made_at + dt.timedelta(seconds=inventory.CONSENT_LIFETIME)

    def as_dict(self) -> dict[str, Any]:
        return {"receipt_id": self.receipt_id, "choices": dict(self.allowed),
                "inventory_hash": self.inventory_hash, "at": self.made_at.isoformat(),
                "expires_at": self.expires_at.isoformat()}


def encode(choice: Choice) -> str:
    return signing.dumps({"r": choice.receipt_id, "c": choice.allowed,
                          "h": choice.inventory_hash, "t": choice.at},
                         salt=SALT, compress=True)


def decode(value: str) -> Choice | None:
    """The choice in a cookie value, or None when it is forged, stale or for another
    inventory."""
    if not value or len(value) > 2048:
        return None
    try:
        data = signing.loads(value, salt=SALT)
    except (signing.BadSignature, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    receipt, allowed, digest, at = data.get("r"), data.get("c"), data.get("h"), data.get("t")
    if not (isinstance(receipt, str) and isinstance(allowed, dict) and isinstance(digest, str)
            and isinstance(at, int) and not isinstance(at, bool)):
        return None
    if digest != inventory.inventory_hash():
        return None  # the inventory changed since: ask again
    age = now().timestamp() - at
    if age > inventory.CONSENT_LIFETIME or age < -_SKEW:
        return None  # older than 6 months (or forged into the future): ask again
    optional = set(inventory.optional_keys())
    return Choice(receipt_id=receipt,
                  allowed={k: bool(v) for k, v in allowed.items() if k in optional},
                  inventory_hash=digest, at=at)


def current(request: HttpRequest) -> Choice | None:
    """The request's valid choice (read once, then kept on the request)."""
    if hasattr(request, _CACHE):
        cached: Choice | None = getattr(request, _CACHE)
        return cached
    choice = decode(request.COOKIES.get(inventory.CONSENT_COOKIE, ""))
    setattr(request, _CACHE, choice)
    return choice


def replace(request: HttpRequest, choice: Choice) -> None:
    """A new choice takes effect for the rest of this very request (withdrawal, P7.5)."""
    setattr(request, _CACHE, choice)


def write(request: HttpRequest, response: HttpResponse, choice: Choice) -> None:
    """The cookie, set once per choice with its own expiry: 6 months from the choice
    (later visits never re-set it, so never extend it)."""
    response.set_cookie(inventory.CONSENT_COOKIE, encode(choice),
                        max_age=inventory.CONSENT_LIFETIME, path="/", httponly=True,
                        secure=request.is_secure() or settings.SECURE_COOKIES,
                        samesite="Lax")
