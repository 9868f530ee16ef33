"""TOTP (RFC 6238 over RFC 4226 HOTP) with the standard library only, and the session
mark that says "this session proved the second factor" (S-02, P3.4).

The secret is kept sealed by ``staffaccess.models.MfaDevice``; this module only computes
and compares codes. A code is accepted for the current 30-second step and one step either
side (clock drift), and never for a step at or before the last one used (no replay).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
from typing import Any
from urllib.parse import quote, urlencode

STEP = 30
DIGITS = 6
DRIFT = 1  # steps accepted either side of now
SESSION_KEY = "mfa_verified_account"
PENDING_KEY = "mfa_pending"


def new_secret() -> str:
    """A fresh 160-bit secret in base32 (the length RFC 4226 recommends)."""
    return base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")


def _key(secret_b32: str) -> bytes:
    padded = secret_b32.upper() + "=" * (-len(secret_b32) % 8)
    return base64.b32decode(padded)


def hotp(key: bytes, counter: int, digits: int = DIGITS, digest: str = "sha1") -> str:
    """RFC 4226 §5.3: HMAC over the 8-byte counter, dynamic truncation, modulo 10^digits."""
    mac = hmac.new(key, struct.pack(">Q", counter), getattr(hashlib, digest)).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def step_at(unix_time: float) -> int:
    return int(unix_time // STEP)


def totp(key: bytes, unix_time: float, digits: int = DIGITS, digest: str = "sha1") -> str:
    """RFC 6238: HOTP of the number of 30-second steps since the Unix epoch."""
    return hotp(key, step_at(unix_time), digits, digest)


def match(secret_b32: str, code: str, unix_time: float, last_step: int | None) -> int | None:
    """The step ``code`` belongs to (now, or one step either side), or None. A step at or
    before ``last_step`` is refused: a code works once."""
    code = "".join(code.split())
    if len(code) != DIGITS or not code.isdigit():
        return None
    key = _key(secret_b32)
    now_step = step_at(unix_time)
    for step in range(now_step - DRIFT, now_step + DRIFT + 1):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(hotp(key, step), code):
            return step
    return None


def otpauth_uri(secret_b32: str, account_label: str, issuer: str) -> str:
    """The Key URI authenticator apps read (otpauth://totp/Issuer:label?secret=…)."""
    label = quote(f"{issuer}:{account_label}")
    query = urlencode({"secret": secret_b32, "issuer": issuer, "algorithm": "SHA1",
                       "digits": DIGITS, "period": STEP})
    return f"otpauth://totp/{label}?{query}"


# --- The session mark -------------------------------------------------------------------

def mark_verified(session: Any, user: Any) -> None:
    """This session proved the second factor of ``user`` (a code, or a recovery code)."""
    session[SESSION_KEY] = int(user.pk)


def session_verified(request: Any) -> bool:
    user = getattr(request, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(request.session.get(SESSION_KEY) == user.pk)
