"""Deadlines of a rights request (GDPR art. 12(3), R-02).

One calendar month, counted from the day after receipt to the same date of the next month,
or that month's last day when the date does not exist there (15 Jan → 15 Feb, 31 Jan → 28
or 29 Feb, 31 Mar → 30 Apr); the extension reaches at most three months after receipt.
"""

from __future__ import annotations

import calendar
import datetime as dt

from django.utils import timezone

from livesession.core.clock import now

EXTENSION_MONTHS = 2


def add_months(day: dt.date, months: int) -> dt.date:
    years, month_index = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month_index + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due_date(received_on: dt.date) -> dt.date:
    return add_months(received_on, 1)


def latest_extension(received_on: dt.date) -> dt.date:
    """The furthest date an extension may reach: the due date plus two months, which is
    also receipt plus three months."""
    return add_months(received_on, 1 + EXTENSION_MONTHS)


def today() -> dt.date:
    """The date in the platform's time zone, read from the controllable clock."""
    return timezone.localdate(now())


def days_left(deadline: dt.date, on: dt.date | None = None) -> int:
    """Days until the deadline (0 on the day, negative when overdue)."""
    return (deadline - (on or today())).days
