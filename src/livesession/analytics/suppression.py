"""Small-cell suppression of the breakdowns and sources (issue 7 §7).

The rule, applied to one table of groups (the counts of people in each group):

1. *Grouping.* Every group under ``ANALYTICS_MIN_GROUP`` people (10) loses its own row: its
   people are counted in one row "Other groups (each under 10 people)". The label of a small
   group is never shown either (a rare job function or a one-person campaign name can say
   who it is).
2. *Primary suppression.* A row still under 10 people (the "Other" row, or the "Not given"
   row) shows "fewer than 10", never its number.
3. *Secondary (complementary) suppression.* The total is shown (it is also the number of
   registrations shown elsewhere), so one hidden row alone could be recovered as the total
   minus the shown rows. When exactly one row is hidden, the smallest shown row is hidden
   too ("hidden to protect a smaller group"). With two or more hidden rows, only their sum
   can be recovered, never one of them.
4. A total under 10 is itself hidden.

Suppressed counts never leave the server: pages say "fewer than 10", the CSV leaves the
number empty, the API gives ``null`` with ``"suppressed": true``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings

SMALL = "small"  # under the threshold
COMPLEMENT = "complement"  # hidden so that a small cell cannot be recovered
OTHER = "\x00other"  # key of the row that gathers the small groups
NONE = ""  # key of the row "not given" / "no source"


def threshold() -> int:
    return int(getattr(settings, "ANALYTICS_MIN_GROUP", 10))


@dataclass
class Cell:
    key: str
    count: int | None
    suppressed: str = ""  # "", SMALL or COMPLEMENT
    merged: int = 0  # for the "Other" row: how many small groups it gathers

    @property
    def is_other(self) -> bool:
        return self.key == OTHER


@dataclass
class Table:
    cells: list[Cell] = field(default_factory=list)
    total: int | None = 0
    total_suppressed: bool = False

    @property
    def any_suppressed(self) -> bool:
        return self.total_suppressed or any(c.suppressed for c in self.cells)


def suppress(groups: Iterable[tuple[str, int]]) -> Table:
    """The table of ``groups`` (key, count) after the rule above; keys are the groups'
    values, ``NONE`` for "not given". Rows are ordered by count, largest first, with "Other"
    and "Not given" last."""
    k = threshold()
    counts = [(key, int(n)) for key, n in groups if n > 0]
    total = sum(n for _key, n in counts)
    rows: list[list] = []  # [key, true count, merged]
    other, merged = 0, 0
    for key, n in counts:
        if n < k and key != NONE:
            other += n
            merged += 1
        else:
            rows.append([key, n, 0])
    rows.sort(key=lambda r: (-r[1], r[0]))
    none_rows = [r for r in rows if r[0] == NONE]
    rows = [r for r in rows if r[0] != NONE]
    if merged:
        rows.append([OTHER, other, merged])
    rows += none_rows
    hidden = {i for i, r in enumerate(rows) if r[1] < k}
    if len(hidden) == 1:
        shown = [i for i in range(len(rows)) if i not in hidden]
        if shown:
            hidden_complement = min(shown, key=lambda i: (rows[i][1], -i))
            hidden.add(hidden_complement)
    cells = []
    for i, (key, n, m) in enumerate(rows):
        if i in hidden:
            cells.append(Cell(key, None, SMALL if n < k else COMPLEMENT, m))
        else:
            cells.append(Cell(key, n, "", m))
    small_total = total < k
    return Table(cells=cells, total=None if small_total else total,
                 total_suppressed=small_total)
