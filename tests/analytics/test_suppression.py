"""Small-cell suppression (issue 7 §7): no group under 10 people shown, and no hidden cell
can be recovered from the total minus the shown ones (docs/analytics.md)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from livesession.analytics.suppression import COMPLEMENT, NONE, OTHER, SMALL, suppress

pytestmark = pytest.mark.no_db


def test_a_group_of_9_is_hidden_and_a_group_of_10_shown() -> None:
    table = suppress([("nurse", 10), ("baker", 9), ("pilot", 40)])
    cells = {c.key: c for c in table.cells}
    assert cells["nurse"].count == 10 or cells["nurse"].suppressed == COMPLEMENT
    assert "baker" not in cells  # its label is not shown either
    other = cells[OTHER]
    assert other.count is None and other.suppressed == SMALL and other.merged == 1
    assert table.total == 59


def test_complement_rule_hides_the_next_smallest_when_one_cell_alone_is_hidden() -> None:
    table = suppress([("nurse", 10), ("baker", 9), ("pilot", 40)])
    cells = {c.key: c for c in table.cells}
    # 59 - 40 would give the 9 if the 10 stayed: the 10 is hidden too.
    assert cells["nurse"].count is None and cells["nurse"].suppressed == COMPLEMENT
    assert cells["pilot"].count == 40


def test_small_groups_gathered_to_10_or_more_are_shown_together() -> None:
    table = suppress([("a", 4), ("b", 6), ("c", 30)])
    cells = {c.key: c for c in table.cells}
    assert cells[OTHER].count == 10 and cells[OTHER].merged == 2
    assert cells["c"].count == 30
    assert not table.any_suppressed


def test_not_given_under_10_is_hidden_with_its_complement() -> None:
    table = suppress([(NONE, 3), ("a", 12), ("b", 20)])
    cells = {c.key: c for c in table.cells}
    assert cells[NONE].count is None and cells[NONE].suppressed == SMALL
    assert cells["a"].count is None and cells["a"].suppressed == COMPLEMENT
    assert cells["b"].count == 20


def test_a_total_under_10_is_hidden() -> None:
    table = suppress([("a", 3), ("b", 4)])
    assert table.total is None and table.total_suppressed
    assert all(c.count is None for c in table.cells)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.text(alphabet="abcdef", min_size=1, max_size=3),
                          st.integers(min_value=1, max_value=40)), max_size=8),
       st.integers(min_value=0, max_value=15))
def test_no_hidden_cell_can_be_worked_out(groups: list[tuple[str, int]], missing: int) -> None:
    merged: dict[str, int] = {}
    for key, n in groups:
        merged[key] = merged.get(key, 0) + n
    if missing:
        merged[NONE] = missing
    table = suppress(sorted(merged.items()))
    shown = [c for c in table.cells if c.count is not None]
    hidden = [c for c in table.cells if c.count is None]
    assert all(c.count >= 10 for c in shown)
    # Never exactly one hidden cell next to a shown total: the difference would give it.
    if table.total is not None:
        assert len(hidden) != 1
