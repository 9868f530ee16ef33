"""Self-hosted proof of work for public registration (issue 3 §8), no third party.

Off by default (``REGISTRATION_POW_DIFFICULTY = 0``). When on, each registration page (or
``GET /api/v1/pow-challenge``) carries a challenge: a random nonce, the time it was issued
and the difficulty, signed with the secret key. The browser (``static/livesession/pow.js``)
or the program finds a decimal counter such that SHA-256(challenge + counter) starts with
``difficulty`` zero bits; about 2**difficulty hashes, nothing for one person, a cost that
adds up for a robot sending thousands.

The server checks the signature (constant-time comparison), the age, the solution, and
that the challenge was not used before: each challenge is remembered in the rate-limit
store (Redis or the database) until it expires, so it counts once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.utils.translation import gettext_lazy as _

from livesession.core import clock, ratelimit

SALT = "livesession.core.pow"
LIFETIME = 3600  # seconds a challenge may be solved and sent
MAX_SOLUTION_DIGITS = 20
ALGORITHM = "SHA-256"

# Why a solution was refused; the page and the API say the same thing.
MESSAGES = {
    "missing": _("This form needs a short check of your browser, which did not run. "
                 "Allow JavaScript for this page, wait for the check to finish, then send "
                 "the form again."),
    "invalid": _("The browser check could not be read. Send the form again."),
    "expired": _("The browser check expired. Send the form again."),
    "wrong": _("The browser check failed. Send the form again."),
    "reused": _("This browser check was already used. Send the form again."),
}

API_MESSAGES = {
    "missing": _("Proof of work is on: send the headers X-PoW-Challenge (from GET "
                 "/api/v1/pow-challenge) and X-PoW-Solution."),
    "invalid": _("X-PoW-Challenge is not a challenge of ours, or was issued for a lower "
                 "difficulty. Get a new one from GET /api/v1/pow-challenge."),
    "expired": _("The challenge expired. Get a new one from GET /api/v1/pow-challenge."),
    "wrong": _("X-PoW-Solution does not solve the challenge: SHA-256(challenge + solution) "
               "must start with the number of zero bits given as difficulty."),
    "reused": _("This challenge was already used. Get a new one from GET "
                "/api/v1/pow-challenge."),
}


@dataclass(frozen=True)
class Challenge:
    value: str
    difficulty: int
    expires_at: int  # Unix seconds


def difficulty() -> int:
    """Leading zero bits required; 0 means the proof of work is off."""
    return max(0, min(int(settings.REGISTRATION_POW_DIFFICULTY or 0), 32))


def enabled() -> bool:
    return difficulty() > 0


def issue() -> Challenge:
    bits = difficulty()
    issued = int(clock.now().timestamp())
    payload = f"{secrets.token_urlsafe(16)}.{issued}.{bits}"
    return Challenge(signing.Signer(salt=SALT).sign(payload), bits, issued + LIFETIME)


def leading_zero_bits(digest: bytes, bits: int) -> bool:
    """True when ``digest`` starts with ``bits`` zero bits; the comparison takes the same
    time whatever the digest."""
    full, rest = divmod(bits, 8)
    mask = bytes([0xFF] * full + ([(0xFF << (8 - rest)) & 0xFF] if rest else []))
    head = bytes(a & m for a, m in zip(digest, mask, strict=False))
    return hmac.compare_digest(head, bytes(len(mask)))


def solves(challenge: str, solution: str, bits: int) -> bool:
    digest = hashlib.sha256((challenge + solution).encode()).digest()
    return leading_zero_bits(digest, bits)


def verify(challenge: str, solution: str) -> str | None:
    """None when the solution is right and the challenge is fresh and unused (it is then
    used up); else why not: a key of MESSAGES."""
    challenge, solution = (challenge or "").strip(), (solution or "").strip()
    if not challenge or not solution:
        return "missing"
    if (len(solution) > MAX_SOLUTION_DIGITS or not solution.isascii()
            or not solution.isdigit() or len(challenge) > 200):
        return "invalid"
    try:
        payload = signing.Signer(salt=SALT).unsign(challenge)
        _nonce, issued_text, bits_text = payload.split(".")
        issued, bits = int(issued_text), int(bits_text)
    except (signing.BadSignature, ValueError):
        return "invalid"
    if bits < difficulty():
        return "invalid"  # issued before the difficulty was raised
    now = clock.now().timestamp()
    expires_at = issued + LIFETIME
    if now >= expires_at or issued > now + 60:
        return "expired"
    if not solves(challenge, solution, bits):
        return "wrong"
    key = "pow:" + hashlib.sha256(challenge.encode()).hexdigest()[:48]
    if not ratelimit.first_use(key, issued, expires_at):
        return "reused"
    return None


def solve(challenge: str, bits: int, limit: int = 1 << 32) -> str:
    """What the browser does, in Python: for tests and for programs using the API."""
    for counter in range(limit):
        if solves(challenge, str(counter), bits):
            return str(counter)
    raise ValueError("no solution found")
