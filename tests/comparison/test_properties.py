"""Property tests of the k-threshold through the database, the job and the API (P2.2,
issue 7 "Done when"; A10 ST-01/02/03). Populations of 0 to 40 people with random job
functions, sessions, minutes and restricted/objecting flags."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from livesession.comparison import stats
from livesession.comparison.compute import compute
from livesession.comparison.models import CohortFigures, CohortKind
from livesession.core.models import Client
from livesession.protection import objection
from tests.comparison.helpers import account_for, add_person, api_comparison, new_client, numbers_in

JOBS = ("Nurse", "Teacher", "Engineer")

person = st.fixed_dictionaries({
    "job": st.sampled_from(JOBS),
    "sessions": st.integers(0, 5),
    "minutes": st.none() | st.integers(0, 600),
    "restricted": st.booleans(),
    "objecting": st.booleans(),
})
# Skewed towards cohorts around the threshold: up to 40 people over 1 to 3 job functions.
population = st.lists(person, max_size=40)

SETTINGS = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


def _retire(*clients: Client) -> None:
    """Examples share the test's database: the clients of a finished example stop offering
    the comparison (an inactive client is never computed)."""
    Client.objects.filter(pk__in=[c.pk for c in clients]).update(is_active=False)


def _figures(client: Client) -> dict[str, tuple[Any, ...]]:
    return {f.job: (f.size, f.sessions_p25, f.sessions_p50, f.sessions_p75, f.sessions_p90,
                    f.minutes_size, f.minutes_p25, f.minutes_p50, f.minutes_p75, f.minutes_p90)
            for f in CohortFigures.objects.filter(client=client, kind=CohortKind.JOB)}


def _eligible(people: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [p for p in people if not p["restricted"] and not p["objecting"]]


@SETTINGS
@given(population)
def test_p2_2_small_cohorts_never_yield_a_number_large_ones_only_rounded(
        people: list[dict[str, Any]]) -> None:
    client, event = new_client()
    regs = [add_person(client, event, **p) for p in people]
    compute()
    published = _figures(client)
    by_job: dict[str, list[stats.PersonFigures]] = defaultdict(list)
    for p in _eligible(people):
        by_job[stats.normalize(p["job"])].append(
            stats.PersonFigures(p["sessions"], p["minutes"] if p["sessions"] else None))
    for job in map(stats.normalize, JOBS):
        eligible = by_job.get(job, [])
        if len(eligible) < 10:
            assert job not in published
        else:
            found = stats.aggregate(eligible, 10)
            assert found is not None and job in published
            size, *values = published[job]
            assert size == found.size and size % 5 == 0
            assert all(v is None or isinstance(v, int) for v in values)
            assert all(v % 5 == 0 for v in values[5:] if v is not None)
    # What an eligible member of each cohort reads through the API.
    probes = {}
    for p, reg in zip(people, regs, strict=True):
        if not p["restricted"] and not p["objecting"]:
            probes.setdefault(stats.normalize(p["job"]), reg)
    for job, reg in probes.items():
        body = api_comparison(account_for(reg))
        [org] = body["organizers"]
        [cohort] = org["cohorts"]
        if len(by_job[job]) < 10:
            assert cohort["status"] == "not_enough_data"
            assert cohort["sessions"] == {"status": "not_enough_data"}
            assert cohort["minutes"] == {"status": "not_enough_data"}
            assert numbers_in(cohort) == []
        else:
            assert cohort["status"] == "ok"
            assert cohort["sessions"]["cohort_size_at_least"] % 5 == 0
    _retire(client)


@SETTINGS
@given(population)
def test_p2_2_restricted_and_objecting_people_never_influence_the_figures(
        people: list[dict[str, Any]]) -> None:
    """The aggregate with them equals the aggregate of the same population without them."""
    with_them, event_a = new_client()
    without_them, event_b = new_client()
    for p in people:
        add_person(with_them, event_a, **p)
        if not p["restricted"] and not p["objecting"]:
            add_person(without_them, event_b, **{**p, "restricted": False, "objecting": False})
    compute()
    assert _figures(with_them) == _figures(without_them)
    _retire(with_them, without_them)


@settings(SETTINGS, max_examples=12)
@given(st.lists(st.tuples(st.integers(0, 8), st.none() | st.integers(0, 400)),
                min_size=10, max_size=10),
       st.booleans())
def test_p2_2_one_person_less_or_more_at_the_threshold_flips_to_not_enough_data(
        values: list[tuple[int, int | None]], by_objection: bool) -> None:
    """A cohort of exactly K: published; one person leaves (objects, or another run without
    them) and the cohort answers "not enough data" with no number, rather than figures from
    which the person's could be derived; back to K, published again."""
    client, event = new_client()
    regs = [add_person(client, event, job="Nurse", sessions=s, minutes=m) for s, m in values]
    probe = account_for(regs[0])
    compute()
    assert api_comparison(probe)["organizers"][0]["cohorts"][0]["status"] == "ok"
    leaving = regs[-1]
    if by_objection:
        objection.object_to([leaving.subject_id], "statistics", actor="test", source="manager")
    else:
        leaving.delete()
    compute()
    cohort = api_comparison(probe)["organizers"][0]["cohorts"][0]
    assert cohort["status"] == "not_enough_data" and numbers_in(cohort) == []
    assert not CohortFigures.objects.filter(client=client).exists()
    add_person(client, event, job="nurse", sessions=1, minutes=None)
    compute()
    assert api_comparison(probe)["organizers"][0]["cohorts"][0]["status"] == "ok"
    _retire(client)


@pytest.fixture(autouse=True)
def _no_throttle() -> None:
    from django.core.cache import cache

    cache.clear()
