"""Signed, time-limited links for email verification and password reset.

Nothing secret is stored: a token is the account id, the time it was made (read from
``core.clock``, so tests can move time) and a fingerprint of the account's state, signed
with ``SECRET_KEY`` (``django.core.signing``, one salt per purpose). The fingerprint makes a
link single-use: a reset link dies once the password (or the last sign-in) changes, a
verification link once the address changes (reference AUTH-6).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac

from livesession.accounts.models import User
from livesession.core.clock import now

VERIFY = "verify"
RESET = "reset"
MAX_AGE = {
    VERIFY: dt.timedelta(days=3),
    # A reset link is a password: short-lived (reference AUTH-6, at most one hour).
    RESET: dt.timedelta(hours=1),
}
MAX_TOKEN_LENGTH = 400


def _fingerprint(purpose: str, user: User) -> str:
    if purpose == VERIFY:
        state = user.email_index
    else:
        last = user.last_login.timestamp() if user.last_login else 0
        state = f"{user.password}|{last}|{user.email_index}"
    return salted_hmac(f"livesession.accounts.{purpose}", state,
                       algorithm="sha256").hexdigest()[:32]


def make(purpose: str, user: User) -> str:
    payload = {"u": user.pk, "t": int(now().timestamp()), "f": _fingerprint(purpose, user)}
    return signing.dumps(payload, salt=f"livesession.accounts.{purpose}")


def read(purpose: str, token: str) -> User | None:
    """The account the token was made for, or None: forged, expired, or already used."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    try:
        payload: Any = signing.loads(token, salt=f"livesession.accounts.{purpose}")
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict):
        return None
    user_id, made, fingerprint = payload.get("u"), payload.get("t"), payload.get("f")
    if not isinstance(user_id, int) or not isinstance(made, int) or not isinstance(
            fingerprint, str):
        return None
    age = now().timestamp() - made
    if age < -60 or age > MAX_AGE[purpose].total_seconds():
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not constant_time_compare(fingerprint, _fingerprint(purpose, user)):
        return None
    return user
