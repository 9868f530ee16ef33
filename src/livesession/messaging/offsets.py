"""Reminder offsets as people say them: stored in minutes before each start (``[1440, 60]``),
shown and typed as "1 jour, 1 heure" / "1 day, 1 hour".

The parser reads French and English whatever the page's language: commas (or semicolons,
or new lines) separate reminders; within one, amounts add up ("1 jour 2 h", "1 h 30",
"1h30"); a bare number is minutes, as the field used to ask ("1440, 60" still works).
"""

from __future__ import annotations

import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

MINUTE, HOUR, DAY, WEEK = 1, 60, 1440, 10080
UNITS: dict[str, int] = {
    **dict.fromkeys(("m", "mn", "min", "mins", "minute", "minutes"), MINUTE),
    **dict.fromkeys(("h", "hr", "hrs", "heure", "heures", "hour", "hours"), HOUR),
    **dict.fromkeys(("j", "jr", "jrs", "jour", "jours", "d", "day", "days"), DAY),
    **dict.fromkeys(("sem", "semaine", "semaines", "w", "wk", "week", "weeks"), WEEK),
}
# Words people add around amounts that change nothing.
FILLERS = frozenset({"et", "and", "avant", "before", "plus", "puis"})
_SEPARATORS = re.compile(r"[,;\n]")
_TOKENS = re.compile(r"\d+(?:\.\d+)?|[^\W\d_]+|\S")


def _refuse(part: str) -> ValidationError:
    return ValidationError(
        _("«%(part)s» is not a duration. Write, for example, «1 day, 1 hour» or «30 min».")
        % {"part": part.strip()}, code="offset")


def parse_one(part: str) -> int:
    """Minutes in one reminder: ``"1 jour 2 h"`` → 1560, ``"1h30"`` → 90, ``"45"`` → 45."""
    total = Decimal(0)
    pending: Decimal | None = None
    last_unit: int | None = None
    for token in _TOKENS.findall(part.lower()):
        if token[0].isdigit():
            if pending is not None:
                raise _refuse(part)
            pending = Decimal(token)
        elif token in UNITS and pending is not None:
            total += pending * UNITS[token]
            pending, last_unit = None, UNITS[token]
        elif token not in FILLERS:
            raise _refuse(part)
    if pending is not None:
        # "45" alone is minutes; "1 h 30" is an hour and thirty minutes.
        if last_unit not in (None, HOUR):
            raise _refuse(part)
        total += pending
    elif last_unit is None:
        raise _refuse(part)
    if total != total.to_integral_value():
        raise ValidationError(_("«%(part)s»: give whole minutes.") % {"part": part.strip()},
                              code="offset")
    return int(total)


def parse(text: str) -> list[int]:
    """Every reminder of ``text``, in minutes, in the order written; empty: none."""
    return [parse_one(part) for part in _SEPARATORS.split(text) if part.strip()]


def describe(minutes: int) -> str:
    """``1500`` → "1 jour 1 heure" / "1 day 1 hour", with plurals in the reader's language."""
    days, rest = divmod(int(minutes), DAY)
    hours, mins = divmod(rest, HOUR)
    parts = []
    if days:
        parts.append(ngettext("%(n)d day", "%(n)d days", days) % {"n": days})
    if hours:
        parts.append(ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours})
    if mins or not parts:
        parts.append(ngettext("%(n)d minute", "%(n)d minutes", mins) % {"n": mins})
    return " ".join(parts)


def describe_all(offsets: list[int]) -> str:
    """``[1440, 60]`` → "1 jour, 1 heure"; the parser reads it back to the same list."""
    return ", ".join(describe(value) for value in offsets)
