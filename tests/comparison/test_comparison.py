"""Example tests of the peer comparison (issue 7 §8-9, P2.2): the personal page and the API,
bands, exclusions, pooling, client groups, the Manager and console pages, the job."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client as Browser
from django.test import override_settings
from django.utils import translation

from livesession.accounts.models import User
from livesession.audit.models import AuditEntry
from livesession.comparison import services
from livesession.comparison.compute import compute, latest_run, pooling_on, settings_of
from livesession.comparison.jobs import daily_comparison
from livesession.comparison.models import CohortFigures, CohortGroup, CohortKind, ComparisonRun
from livesession.core.models import Client
from livesession.protection import objection, restriction
from tests.comparison.helpers import (
    account_for,
    add_person,
    api_comparison,
    new_client,
    numbers_in,
)


def _cohort(client: Client, event: Any, job: str, n: int, *, sessions: int = 2,
            minutes: int | None = 30, email_prefix: str = "") -> list[Any]:
    return [add_person(client, event, job=job, sessions=sessions + (i % 3),
                       minutes=None if minutes is None else minutes + 10 * i,
                       email=f"{email_prefix}{job.lower()}{i}@people.test"
                       if email_prefix else None)
            for i in range(n)]


def _page(user: User) -> str:
    browser = Browser()
    browser.force_login(user)
    response = browser.get("/me/comparison/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


def test_p2_2_band_of_a_person_on_the_page_and_in_the_api() -> None:
    client, event = new_client("Alpha Org")
    # 12 nurses with 1..12 sessions; the probe attended 12: the top 10 %
    regs = [add_person(client, event, job="Nurse", sessions=i + 1, minutes=(i + 1) * 20)
            for i in range(12)]
    probe = account_for(regs[-1])
    compute()
    body = api_comparison(probe)
    [org] = body["organizers"]
    assert org["state"] == "ok" and org["own"] == {"sessions": 12, "minutes": 240}
    [cohort] = org["cohorts"]
    assert cohort["kind"] == "job" and cohort["label"] == "nurse"
    assert cohort["sessions"]["band"]["key"] == "p90-p100"
    assert cohort["sessions"]["thresholds"] == {"p25": 4, "p50": 7, "p75": 9, "p90": 11}
    assert cohort["sessions"]["cohort_size_at_least"] == 10
    assert cohort["minutes"]["band"]["key"] == "p90-p100"
    assert all(v % 5 == 0 for v in cohort["minutes"]["thresholds"].values())
    assert body["min_cohort"] == 10 and body["period"]["days"] == 365
    page = _page(probe)
    assert "In the top 10 % of your category." in page
    assert "Job function “nurse”" in page
    low = account_for(regs[0])
    assert "In the lowest 25 % of your category." in _page(low)


def test_p2_2_another_persons_data_never_in_the_response() -> None:
    client, event = new_client()
    regs = _cohort(client, event, "Teacher", 11)
    regs.append(add_person(client, event, job="Teacher", sessions=57, minutes=4321,
                           email="outlier@people.test"))
    probe = account_for(regs[0])
    compute()
    with translation.override("en"):
        page = _page(probe)
    body = api_comparison(probe)
    # the outlier's figures are nowhere: not as a number of the answer, not on the page
    assert not {57, 4321} & set(numbers_in(body))
    for text in (page, str(body)):
        assert "outlier@people.test" not in text and "4321" not in text
        assert regs[1].email not in text
    # the probe's own figures only
    assert api_comparison(probe)["organizers"][0]["own"]["sessions"] == regs[0].attendances.count()


def test_p2_2_small_cohort_says_not_enough_data() -> None:
    client, event = new_client()
    regs = _cohort(client, event, "Pilot", 9)
    probe = account_for(regs[0])
    compute()
    [cohort] = api_comparison(probe)["organizers"][0]["cohorts"]
    assert cohort == {"kind": "job", "label": "pilot", "pooled": False,
                      "status": "not_enough_data", "sessions": {"status": "not_enough_data"},
                      "minutes": {"status": "not_enough_data"}}
    assert "Not enough data." in _page(probe)
    assert not CohortFigures.objects.exists()
    assert latest_run().cohorts_suppressed == 1  # type: ignore[union-attr]


def test_p2_2_minutes_need_k_measured_people() -> None:
    client, event = new_client()
    regs = _cohort(client, event, "Nurse", 6) + _cohort(client, event, "Nurse", 6, minutes=None)
    compute()
    [row] = CohortFigures.objects.all()
    assert row.size == 10 and row.minutes_p50 is None and row.minutes_size is None
    minutes = api_comparison(account_for(regs[0]))["organizers"][0]["cohorts"][0]["minutes"]
    assert minutes == {"status": "not_enough_data"}


def test_p2_2_restricted_or_objecting_person_sees_the_exclusion(smtp_server: Any) -> None:
    client, event = new_client()
    regs = _cohort(client, event, "Nurse", 12)
    restricted_user, objecting_user = account_for(regs[0]), account_for(regs[1])
    restriction.restrict([regs[0].subject_id], actor="test", source="manager")
    objection.object_to([regs[1].subject_id], "statistics", actor="test", source="space")
    compute()
    for user, state in ((restricted_user, "restricted"), (objecting_user, "objecting")):
        [org] = api_comparison(user)["organizers"]
        assert org == {"organizer": {"id": client.pk, "name": client.name}, "state": state,
                       "own": None, "job_function": None, "cohorts": []}
        page = _page(user)
        assert "you are left out of the comparison" in page and "/me/choices/" in page
    # both are out of the published size (12 - 2 = 10)
    assert CohortFigures.objects.get().size == 10


def test_p2_2_client_groups_by_job_functions_and_by_answer() -> None:
    client, event = new_client()
    care = services.save_group(client, actor="account:1", name="Care staff",
                               job_functions=["Nurse", "Midwife "])
    night = services.save_group(client, actor="account:1", name="Night shift",
                                field_key="shift", field_values=["Night"])
    regs = (_cohort(client, event, "Nurse", 5) + _cohort(client, event, "Midwife", 5))
    night_regs = [add_person(client, event, job="Porter", sessions=1,
                             answers={"shift": "night"}) for _ in range(10)]
    compute()
    assert care.job_functions == ["nurse", "midwife"]
    groups = {f.group_id: f for f in CohortFigures.objects.filter(kind=CohortKind.GROUP)}
    assert set(groups) == {care.pk, night.pk} and groups[care.pk].size == 10
    # nurse and midwife alone are 5 each: not published
    assert not CohortFigures.objects.filter(kind=CohortKind.JOB, job="nurse").exists()
    body = api_comparison(account_for(regs[0]))
    labels = {(c["kind"], c["label"], c["status"]) for c in body["organizers"][0]["cohorts"]}
    assert labels == {("job", "nurse", "not_enough_data"), ("group", "Care staff", "ok")}
    body = api_comparison(account_for(night_regs[0]))
    assert {c["label"] for c in body["organizers"][0]["cohorts"]} == {"porter", "Night shift"}
    actions = set(AuditEntry.objects.filter(client_id=client.pk)
                  .values_list("action", flat=True))
    assert "comparison.group_created" in actions


def _pool_world() -> tuple[Client, Client, Client, list[Any]]:
    """Three clients with 6 engineers each; a person registered with A and B."""
    a, ea = new_client("A org")
    b, eb = new_client("B org")
    c, ec = new_client("C org")
    regs = []
    for client, event in ((a, ea), (b, eb), (c, ec)):
        regs += _cohort(client, event, "Engineer", 6)
    return a, b, c, regs


def test_p2_2_pooling_is_off_by_default() -> None:
    a, b, _c, regs = _pool_world()
    for client in (a, b):
        services.save_settings(client, enabled=True, allow_pooling=True, actor="test")
    services.set_pooling(True, actor="test")  # the switch alone: the installation says no
    assert not pooling_on()
    run = compute()
    assert not run.pooling and not CohortFigures.objects.filter(client__isnull=True).exists()
    assert api_comparison(account_for(regs[0]))["pooled"] == {"state": "off"}


@override_settings(COMPARISON_POOLING=True)
def test_p2_2_pooling_on_only_for_allowing_clients() -> None:
    a, b, _c, regs = _pool_world()
    services.save_settings(a, enabled=True, allow_pooling=True, actor="test")
    services.save_settings(b, enabled=True, allow_pooling=True, actor="test")
    # Pooling needs the operator's switch too.
    assert not compute().pooling
    services.set_pooling(True, actor="account:staff")
    run = compute()
    assert run.pooling
    [pooled] = CohortFigures.objects.filter(client__isnull=True)
    assert pooled.job == "engineer" and pooled.size == 10  # 12 from A and B, C left out
    in_a = api_comparison(account_for(regs[0]))
    assert in_a["pooled"]["state"] == "ok"
    assert in_a["pooled"]["cohorts"][0]["status"] == "ok"
    assert in_a["pooled"]["cohorts"][0]["pooled"] is True
    in_c = api_comparison(account_for(regs[12]))
    assert in_c["pooled"] == {"state": "none"}
    # each client's own cohort (6) stays under the threshold
    assert in_a["organizers"][0]["cohorts"][0]["status"] == "not_enough_data"


@override_settings(COMPARISON_POOLING=True)
def test_p2_2_pooled_person_counted_once_and_account_objection_excludes() -> None:
    a, ea = new_client()
    b, eb = new_client()
    for client in (a, b):
        services.save_settings(client, enabled=True, allow_pooling=True, actor="test")
    services.set_pooling(True, actor="test")
    shared = [add_person(a, ea, job="Chemist", sessions=1, email=f"both{i}@people.test")
              for i in range(6)]
    shared_b = [add_person(b, eb, job="Chemist", sessions=2, email=f"both{i}@people.test")
                for i in range(6)]
    others = [add_person(b, eb, job="Chemist", sessions=1) for _ in range(4)]
    compute()
    # 6 people in both + 4 = 10 people, not 16 registrations
    assert CohortFigures.objects.get(client__isnull=True).size == 10
    probe = account_for(shared[0], shared_b[0])
    pooled = api_comparison(probe)["pooled"]
    assert pooled["own"]["sessions"] == 3 and pooled["cohorts"][0]["status"] == "ok"
    # one of them objects at the platform (their account): out of the pool, at once
    # below the threshold
    objector = account_for(others[0])
    objection.object_to([objector.subject_id], "statistics", actor="test", source="space")
    compute()
    assert not CohortFigures.objects.filter(client__isnull=True).exists()
    assert api_comparison(objector)["pooled"] == {"state": "objecting"}


def test_p2_2_client_that_does_not_offer_it() -> None:
    client, event = new_client()
    regs = _cohort(client, event, "Nurse", 10)
    services.save_settings(client, enabled=False, allow_pooling=False, actor="test")
    compute()
    assert not CohortFigures.objects.exists()
    assert api_comparison(account_for(regs[0]))["organizers"][0]["state"] == "off"


def test_p2_2_job_and_cli_replace_the_snapshot_and_store_nothing_per_person() -> None:
    client, event = new_client()
    _cohort(client, event, "Nurse", 10)
    out = StringIO()
    call_command("compute_comparison", stdout=out)
    assert "1 cohorts published" in out.getvalue()
    first = latest_run()
    daily_comparison.call_local()
    assert ComparisonRun.objects.count() == 1 and latest_run() != first
    assert CohortFigures.objects.count() == 1
    entry = AuditEntry.objects.filter(action="comparison.computed").latest("id")
    assert entry.details["published"] == 1 and entry.actor == "job"


def test_p2_2_api_needs_the_session() -> None:
    response = Browser().get("/api/v1/me/comparison")
    assert response.status_code in {401, 403}
    anonymous = Browser().get("/me/comparison/")
    assert anonymous.status_code == 302


def test_p2_2_manager_pages_and_console_switch(owner_a: User, client_a: Client,
                                               operator: User, make_member: Any) -> None:
    browser = Browser()
    browser.force_login(owner_a)
    base = f"/manager/{client_a.slug}/comparison/"
    assert browser.get(base, HTTP_ACCEPT_LANGUAGE="en").status_code == 200
    response = browser.post(base + "settings/", {"enabled": "on", "allow_pooling": "on"})
    assert response.status_code == 302
    assert settings_of(client_a).allow_pooling
    response = browser.post(base + "groups/new/",
                            {"name": "Care", "job_functions": "Nurse\nMidwife"})
    assert response.status_code == 302
    group = CohortGroup.objects.get(client=client_a)
    assert group.job_functions == ["nurse", "midwife"]
    bad = browser.post(base + "groups/new/", {"name": "Empty"})
    assert bad.status_code == 400
    assert browser.post(base + f"groups/{group.pk}/delete/").status_code == 302
    assert not CohortGroup.objects.exists()
    viewer = make_member(client_a, "viewer", "viewer@alpha.test")
    browser.force_login(viewer)
    assert browser.post(base + "settings/", {"enabled": "on"}).status_code == 403
    actions = list(AuditEntry.objects.filter(client_id=client_a.pk, action__startswith=
                                             "comparison.").values_list("action", flat=True))
    assert actions == ["comparison.settings_changed", "comparison.group_created",
                       "comparison.group_deleted"]
    staff = Browser()
    staff.force_login(operator)
    assert staff.get("/console/comparison/", HTTP_ACCEPT_LANGUAGE="en").status_code == 200
    assert staff.post("/console/comparison/pooling/", {"enabled": "on"}).status_code == 302
    assert AuditEntry.objects.filter(action="comparison.pooling_changed").exists()
    with override_settings(COMPARISON_POOLING=True):
        assert pooling_on()


@pytest.fixture(autouse=True)
def _no_throttle() -> None:
    from django.core.cache import cache

    cache.clear()
