"""When an event happens, as participants read it.

- A wait is said as people say it: days, then hours and minutes ("37 jours 3 h 13 min");
  under a day, hours, minutes and seconds; units at zero are left out. The waiting page's
  script (static/livesession/countdown.js) says the same with the words given here, so the
  page reads alike with or without JavaScript.
- A date of an event or a session is written in the event's time zone, which is named; the
  page's script (static/livesession/localtime.js) adds the visitor's own time and zone beside
  it when they differ.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

DAY = 86_400


def _units(seconds: int) -> list[tuple[str, int]]:
    days, rest = divmod(max(0, seconds), DAY)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        units = [("day", days), ("hour", hours), ("minute", minutes)]
    else:
        units = [("hour", hours), ("minute", minutes), ("second", secs)]
    return [(unit, n) for unit, n in units if n] or [("second", 0)]


def unit_words(n: int | str) -> dict[str, str]:
    """Each unit's words for the number ``n`` in the active language; ``n="{n}"`` gives the
    script its patterns (a day in the singular and in the plural)."""
    count = n if isinstance(n, int) else 1
    return {
        "day": ngettext("%(n)s day", "%(n)s days", count) % {"n": n},
        "hour": _("%(n)s h") % {"n": n},
        "minute": _("%(n)s min") % {"n": n},
        "second": _("%(n)s s") % {"n": n},
    }


def wait_text(left: dt.timedelta) -> str:
    """"37 days 3 h 13 min", "1 h", "12 min 5 s": the wait, whole seconds down."""
    return " ".join(unit_words(n)[unit] for unit, n in _units(int(left.total_seconds())))


def script_words() -> dict[str, str]:
    """The patterns countdown.js fills in, in the active language."""
    one = unit_words("{n}")
    return {"day-one": one["day"],
            "day-other": ngettext("%(n)s day", "%(n)s days", 2) % {"n": "{n}"},
            "hour": one["hour"], "minute": one["minute"], "second": one["second"]}


def in_zone(moment: dt.datetime, zone: str) -> tuple[dt.datetime, str]:
    """The moment on the event's wall clock, and that clock written out."""
    local = timezone.localtime(moment, zoneinfo.ZoneInfo(zone))
    return local, f"{date_format(local, 'DATETIME_FORMAT')} ({zone})"
