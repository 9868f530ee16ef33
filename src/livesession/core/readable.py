"""Dates as people read them, in their language: "7 décembre 2026 à 14:03".

Pages put the instant in a ``<time class="reader-time" datetime="…">`` whose text is this
rendering in the server's time zone; ``static/livesession/readertime.js`` then rewrites it
in the reader's own zone, with the same words. No page shows a raw ISO timestamp.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _


def parse(value: object) -> dt.datetime | dt.date | None:
    """A date or an aware instant from a value or its ISO text (JSON), else None."""
    if isinstance(value, dt.datetime | dt.date):
        return value
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        if len(value) == 10:
            return dt.date.fromisoformat(value)
        return dt.datetime.fromisoformat(value)
    except ValueError:
        return None


def moment_text(value: dt.datetime | dt.date) -> str:
    if not isinstance(value, dt.datetime):
        return date_format(value, "DATE_FORMAT")
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return _("%(date)s at %(time)s") % {"date": date_format(local, "DATE_FORMAT"),
                                        "time": time_format(local, "TIME_FORMAT")}


def moment_html(value: dt.datetime | dt.date | None, empty: str = "—") -> SafeString:
    if value is None:
        return format_html("{}", empty)
    if not isinstance(value, dt.datetime):
        return format_html('<time datetime="{}">{}</time>', value.isoformat(),
                           moment_text(value))
    return format_html('<time class="reader-time" datetime="{}">{}</time>',
                       value.isoformat(timespec="seconds"), moment_text(value))
