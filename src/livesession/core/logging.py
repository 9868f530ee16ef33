"""Log filter that keeps secrets and personal data out of every log line (P6.5).

A request's path can hold a secret: a personal link (/j/<token>/), an unsubscribe link
(/u/<token>/), an account link (address confirmation, password reset), a "My data"
download, a desk delivery. Django's request and CSRF loggers write that path, and so does
the web server's access log (``core.serve_logging``). Before any handler writes a record,
this filter formats its message, then masks:

- the segment after each secret-bearing prefix (``SECRET_PATHS``; every URL pattern with a
  ``token`` parameter must be covered: ``tests/core/test_log_redaction.py`` walks them);
- every query string's values (``?next=…&q=…``: a search typed by a member, a ``next``
  holding a personal link, a download's key), keeping the names;
- email addresses.

The filter imports nothing from Django: the web server's own process loads it before
Django is set up.
"""

from __future__ import annotations

import logging
import re
import traceback

# Prefixes whose next path segment is a secret. "/j/resend/" is a page, not a token.
SECRET_PATHS = ("j", "u", "accounts/verify", "accounts/password/reset", "me/data/download",
                "console/desk/delivery")
MASK = "<token>"
_SECRET_SEGMENT = re.compile(
    r"(/(?:" + "|".join(re.escape(p) for p in SECRET_PATHS) + r")/)(?!resend/)"
    r"[^/?#\s\"'<>]+")
# A query string: after a "?" that follows a path or an address, up to a blank or a quote.
_QUERY = re.compile(r"(?<=[\w/%.-])\?([^\s#\"'<>]*)")
_QUERY_VALUE = re.compile(r"=[^&;]*")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_EMAIL_ENCODED = re.compile(r"[\w.+-]+%40[\w-]+\.[\w.-]+", re.IGNORECASE)


def _query(found: re.Match[str]) -> str:
    return "?" + _QUERY_VALUE.sub("=" + MASK, found.group(1))


def redact(text: str) -> str:
    text = _SECRET_SEGMENT.sub(r"\1" + MASK, text)
    text = _QUERY.sub(_query, text)
    text = _EMAIL_ENCODED.sub("<email>", text)
    return _EMAIL.sub("<email>", text)


class RedactPersonalData(logging.Filter):
    """Installed on every handler (settings.LOGGING, the web server's log config): it sees
    every record a handler writes, whichever logger it came from."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a bad format: keep its parts, masked
            message = f"{record.msg} {record.args}"
        record.msg, record.args = redact(message), None
        if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True
