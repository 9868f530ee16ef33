"""The Manager's analytics pages, their CSV and the API (issue 7 §7, §9): charts with a
title, a summary and a table; another client's event answers 404 everywhere (P6.1); a bad
date range is a clear form error."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from django.test import Client as Browser
from django.utils.timezone import localtime

from livesession.api.services import create_token
from livesession.core.models import Client
from livesession.events.models import Event
from tests.analytics.conftest import Seed


@pytest.fixture
def owner(client_a: Client, owner_a: Any) -> Browser:
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(owner_a)
    return browser


def _api(client: Client) -> Browser:
    secret = create_token(client, "analytics", actor="test").secret
    return Browser(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE="en")


def test_the_event_page_draws_charts_with_summaries_and_tables(owner: Browser,
                                                               seeded: Seed) -> None:
    page = owner.get(f"/manager/alpha/events/{seeded.event.pk}/analytics/")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('<svg class="chart"') >= 6
    assert 'role="img"' in html and "<title id=\"chart-registrations-title\">" in html
    assert "<desc id=\"chart-conversion-desc\">20 present out of 32 registered" in html
    assert html.count("<table") >= 8
    assert "Registrations by job function" in html
    assert "Other groups (2 groups, under 10 people each)" in html
    assert "<script" not in html.split("<main", 1)[-1] or "cdn" not in html.lower()
    # Every figure set has its CSV.
    for slug in ("registrations", "conversion", "durations", "sessions",
                 "sources-utm_source", "breakdown-job_function", "breakdown-city"):
        assert f"/analytics/{slug}.csv" in html
    # SVG numbers are never localized (a decimal comma would break the drawing).
    assert not re.search(r'(x|y|width|height)="\d+,\d', html)


def test_the_csv_holds_the_figures_and_leaves_suppressed_cells_empty(owner: Browser,
                                                                     seeded: Seed) -> None:
    base = f"/manager/alpha/events/{seeded.event.pk}/analytics/"
    response = owner.get(base + "conversion.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Step", "People"]
    assert ["Received", "32"] in rows and ["Present", "20"] in rows
    jobs = list(csv.reader(io.StringIO(owner.get(base + "breakdown-postal_code.csv")
                                       .content.decode("utf-8-sig"))))
    assert jobs[0] == ["Group", "Registrations", "Hidden"]
    assert ["974", "11", ""] in jobs
    assert owner.get(base + "no-such-figure.csv").status_code == 404


def test_a_campaign_name_that_looks_like_a_formula_is_made_plain(owner: Browser,
                                                                 seeded: Seed) -> None:
    from livesession.analytics.sources import capture

    for r in seeded.people[:12]:
        capture(r, {"utm_campaign": "=HYPERLINK(\"http://evil.example\")"})
    rows = owner.get(f"/manager/alpha/events/{seeded.event.pk}/analytics/"
                     "sources-utm_campaign.csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in rows and "\n=HYPERLINK" not in rows


def test_p6_1_another_clients_event_is_404_on_page_csv_and_api(
        owner: Browser, client_b: Client, event_b: Event, client_a: Client) -> None:
    base = f"/manager/alpha/events/{event_b.pk}/analytics/"
    assert owner.get(base).status_code == 404
    assert owner.get(base + "conversion.csv").status_code == 404
    assert owner.get("/manager/beta/analytics/").status_code == 404
    api = _api(client_a)
    assert api.get(f"/api/v1/events/{event_b.pk}/analytics").status_code == 404
    assert _api(client_b).get(f"/api/v1/events/{event_b.pk}/analytics").status_code == 200


def test_the_api_gives_the_same_figures_with_suppressed_cells_as_null(
        client_a: Client, seeded: Seed) -> None:
    data = _api(client_a).get(f"/api/v1/events/{seeded.event.pk}/analytics").json()
    assert data["conversion"] == {"received": 32, "confirmed": 32, "registered": 32,
                                  "present": 20, "rate": 0.625}
    assert data["min_group"] == 10
    assert data["durations"]["measured"] == 14 and data["durations"]["unmeasured"] == 6
    jobs = data["breakdowns"]["job_function"]
    values = {g["value"]: g["count"] for g in jobs["groups"] if g["kind"] == "value"}
    assert values == {"chef de projet": 12, "infirmiere": 10}
    dept = data["breakdowns"]["postal_code"]
    none_given = [g for g in data["sources"]["utm_source"]["groups"] if g["kind"] == "none"]
    assert none_given[0]["count"] == 32
    small = [g for g in dept["groups"] if g["suppressed"]]
    assert all(g["count"] is None for g in small)


def test_the_api_hides_a_lone_small_group_and_its_complement(client_a: Client,
                                                             seeded: Seed) -> None:
    from livesession.analytics.sources import capture

    for r in seeded.people[:9]:
        capture(r, {"utm_source": "newsletter"})
    data = _api(client_a).get(f"/api/v1/events/{seeded.event.pk}/analytics").json()
    groups = data["sources"]["utm_source"]["groups"]
    other = next(g for g in groups if g["kind"] == "other")
    none_given = next(g for g in groups if g["kind"] == "none")
    assert other == {"value": None, "kind": "other", "count": None, "suppressed": True,
                     "reason": "small", "merged_groups": 1}
    assert none_given["count"] is None and none_given["reason"] == "complement"
    assert data["sources"]["utm_source"]["total"] == 32


def test_the_client_dashboard_and_its_range_errors(owner: Browser, client_a: Client,
                                                   seeded: Seed) -> None:
    start = localtime(seeded.event.starts_at).date().isoformat()
    page = owner.get(f"/manager/alpha/analytics/?start={start}&end={start}")
    assert page.status_code == 200
    assert "1 event starts in this range." in page.content.decode()
    bad = owner.get("/manager/alpha/analytics/?start=2031-02-30&end=2031-03-01")
    assert bad.status_code == 400 and "Enter a valid date." in bad.content.decode()
    reversed_ = owner.get("/manager/alpha/analytics/?start=2031-03-01&end=2031-01-01")
    assert reversed_.status_code == 400
    assert "The start date must be on or before the end date." in reversed_.content.decode()
    too_long = owner.get("/manager/alpha/analytics/?start=2020-01-01&end=2031-01-01")
    assert too_long.status_code == 400 and "at most 731 days" in too_long.content.decode()
    assert owner.get("/manager/alpha/analytics/export.csv?figure=conversion&start=2031-03-01"
                     "&end=2031-01-01").status_code == 400
    csv_ok = owner.get(f"/manager/alpha/analytics/export.csv?figure=conversion&start={start}"
                       f"&end={start}")
    assert csv_ok.status_code == 200 and "Received,32" in csv_ok.content.decode("utf-8-sig")
    assert "export.csv?figure=sources-utm_source&amp;start=" in page.content.decode()
    assert owner.get(f"/manager/alpha/analytics/export.csv?figure=nope&start={start}"
                     f"&end={start}").status_code == 404
    api = _api(client_a)
    wrong = api.get("/api/v1/analytics?start=tomorrow")
    assert wrong.status_code == 400 and "start" in wrong.json()["errors"]
    good = api.get(f"/api/v1/analytics?start={start}&end={start}").json()
    assert good["conversion"]["received"] == 32
    assert [e["id"] for e in good["events"]] == [str(seeded.event.pk)]


def test_the_event_page_links_to_its_analytics(owner: Browser, seeded: Seed) -> None:
    html = owner.get(f"/manager/alpha/events/{seeded.event.pk}/").content.decode()
    assert f"/manager/alpha/events/{seeded.event.pk}/analytics/" in html
    assert "/manager/alpha/analytics/" in html
