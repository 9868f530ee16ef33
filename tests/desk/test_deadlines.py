"""Due dates of rights requests: one calendar month as GDPR art. 12(3) counts it (R-02)."""

from __future__ import annotations

import datetime as dt

import pytest

from livesession.desk import deadlines

D = dt.date


@pytest.mark.no_db
@pytest.mark.parametrize(("received", "due"), [
    (D(2026, 1, 15), D(2026, 2, 15)),
    (D(2026, 1, 31), D(2026, 2, 28)),
    (D(2028, 1, 31), D(2028, 2, 29)),   # leap year
    (D(2026, 3, 31), D(2026, 4, 30)),
    (D(2026, 12, 20), D(2027, 1, 20)),  # across the year
    (D(2026, 8, 31), D(2026, 9, 30)),
    (D(2026, 2, 28), D(2026, 3, 28)),
])
def test_p4_2_r02_due_date_is_one_calendar_month(received: dt.date, due: dt.date) -> None:
    """R-02 table: 15 Jan → 15 Feb; 31 Jan → 28/29 Feb; 31 Mar → 30 Apr."""
    assert deadlines.due_date(received) == due


@pytest.mark.no_db
@pytest.mark.parametrize(("received", "latest"), [
    (D(2026, 1, 15), D(2026, 4, 15)),
    (D(2026, 11, 30), D(2027, 2, 28)),
    (D(2026, 1, 31), D(2026, 4, 30)),
])
def test_p4_2_r02_extension_reaches_at_most_three_months(received: dt.date,
                                                         latest: dt.date) -> None:
    assert deadlines.latest_extension(received) == latest


@pytest.mark.no_db
def test_days_left_is_negative_once_overdue() -> None:
    assert deadlines.days_left(D(2026, 2, 15), D(2026, 2, 8)) == 7
    assert deadlines.days_left(D(2026, 2, 15), D(2026, 2, 15)) == 0
    assert deadlines.days_left(D(2026, 2, 15), D(2026, 2, 17)) == -2
