"""Bot checks of the registration page (issue 3 §8): honeypot and minimum fill time.

- The honeypot is a field people never see (``forms.HONEYPOT``); a form that fills it is
  answered like a registration, and nothing is stored, so a robot learns nothing.
- The form stamp is the time the page was shown, signed (``django.core.signing``) and
  bound to the event. A form sent sooner than ``REGISTRATION_MIN_FILL_SECONDS`` after it,
  or with no stamp, a forged one or one older than a day, is refused with a message asking
  to send it again; nothing is stored. ``REGISTRATION_MIN_FILL_SECONDS = 0`` turns this
  check off.

The API does not use them: programs register there, bounded by the rate limits and the
optional proof of work (``core.pow``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import signing
from django.utils.translation import gettext_lazy as _

from livesession.core import clock

SALT = "livesession.portal.form-stamp"
MAX_AGE = 24 * 3600  # a stamp older than a day is refused

MESSAGES = {
    "too_fast": _("The form was sent too quickly after the page opened. Check your "
                  "answers, then send the form again."),
    "invalid": _("This form has expired or could not be checked. Send the form again."),
}


def min_fill_seconds() -> float:
    return max(0.0, float(settings.REGISTRATION_MIN_FILL_SECONDS or 0))


def issue_stamp(event_id: object) -> str:
    return signing.dumps({"e": str(event_id), "t": clock.now().timestamp()}, salt=SALT)


def _read(stamp: str, event_id: object) -> float | None:
    """When the stamp was issued for this event, or None if it is not one of ours."""
    if not stamp or len(stamp) > 300:
        return None
    try:
        data: Any = signing.loads(stamp, salt=SALT)
        if not isinstance(data, dict) or data.get("e") != str(event_id):
            return None
        return float(data["t"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def valid_stamp(stamp: str, event_id: object) -> bool:
    """Signed for this event and younger than a day (the page may show it again)."""
    issued = _read(stamp, event_id)
    return issued is not None and clock.now().timestamp() - issued <= MAX_AGE


def stamp_problem(stamp: str, event_id: object) -> str | None:
    """None when the form may be stored; else a key of MESSAGES."""
    minimum = min_fill_seconds()
    if minimum <= 0:
        return None
    issued = _read(stamp, event_id)
    if issued is None:
        return "invalid"
    elapsed = clock.now().timestamp() - issued
    if elapsed > MAX_AGE:
        return "invalid"
    if elapsed < minimum:
        return "too_fast"
    return None


def honeypot_filled(value: str) -> bool:
    return bool((value or "").strip())
