"""The comparison's arithmetic without a database (P2.2, A10 ST-01/02): the k-threshold,
rounding and bands, on any population hypothesis generates."""

from __future__ import annotations

import pytest
from django.test import override_settings
from hypothesis import given, settings
from hypothesis import strategies as st

from livesession.comparison import stats
from livesession.comparison.stats import Band, PersonFigures, Thresholds

pytestmark = pytest.mark.no_db

people = st.lists(st.builds(PersonFigures, sessions=st.integers(0, 60),
                            minutes=st.none() | st.integers(0, 3000)), max_size=40)


@settings(max_examples=60, deadline=None)
@given(people)
def test_p2_2_under_k_no_number_at_k_rounded_thresholds_only(
        population: list[PersonFigures]) -> None:
    found = stats.aggregate(population, 10)
    if len(population) < 10:
        assert found is None
        return
    assert found is not None
    assert found.size % 5 == 0 and found.size <= len(population) < found.size + 5
    s = found.sessions
    assert s.p25 <= s.p50 <= s.p75 <= s.p90
    measured = [p.minutes for p in population if p.minutes is not None]
    if len(measured) < 10:
        assert found.minutes is None and found.minutes_size is None
    else:
        assert found.minutes is not None and found.minutes_size is not None
        assert all(v % 5 == 0 for v in found.minutes.as_dict().values())
        assert found.minutes_size % 5 == 0


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 60), min_size=10, max_size=10))
def test_p2_2_one_person_less_at_the_threshold_publishes_nothing(values: list[int]) -> None:
    population = [PersonFigures(v, v * 30) for v in values]
    assert stats.aggregate(population, 10) is not None
    for i in range(len(population)):
        assert stats.aggregate(population[:i] + population[i + 1:], 10) is None


def test_p2_2_k_is_never_below_10() -> None:
    with override_settings(COMPARISON_MIN_COHORT=3):
        assert stats.min_cohort() == 10
        assert stats.thresholds([1] * 9, 1, stats.min_cohort()) is None
        # even a caller passing a smaller k gets nothing under 10
        assert stats.thresholds([1] * 9, 1, 3) is None
    with override_settings(COMPARISON_MIN_COHORT=25):
        assert stats.min_cohort() == 25


def test_p2_2_rounding_and_percentiles() -> None:
    assert stats.percentile([1, 2, 3, 4], 50) == 2.5
    assert stats.round_to(2.5, 1) == 3 and stats.round_to(12.4, 5) == 10
    assert stats.round_to(12.5, 5) == 15 and stats.round_size(14) == 10
    limits = stats.thresholds(list(range(11)), 1, 10)
    assert limits == Thresholds(3, 5, 8, 9)


@pytest.mark.parametrize(("value", "expected"), [
    (0, Band(0, 25)), (3, Band(0, 25)), (5, Band(25, 50)), (7, Band(50, 75)),
    (9, Band(75, 90)), (11, Band(90, 100)), (40, Band(90, 100)),
])
def test_p2_2_band_placement(value: int, expected: Band) -> None:
    assert stats.band(value, Thresholds(4, 6, 8, 10)) == expected


def test_p2_2_band_on_a_threshold_spans_it_and_ties_span_all() -> None:
    # exactly on a mark: between the band below and the band above
    assert stats.band(6, Thresholds(4, 6, 8, 10)) == Band(25, 75)
    # half the cohort or more has 0 sessions: a person with 0 is "in the lowest 75 %", not
    # "between the 50 % and 75 % marks"
    assert stats.band(0, Thresholds(0, 0, 2, 5)) == Band(0, 75)
    # everyone the same
    assert stats.band(3, Thresholds(3, 3, 3, 3)) == Band(0, 100)
    assert Band(90, 100).key == "p90-p100"


def test_p2_2_categories_are_normalized() -> None:
    assert stats.normalize("  Infirmière-Cadre ") == "infirmiere cadre"
    assert stats.normalize("INFIRMIERE  cadre") == "infirmiere cadre"
    assert stats.normalize("") == ""
