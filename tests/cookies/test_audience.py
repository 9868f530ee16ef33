"""First-party audience measurement (issue 7 §4-6; P1.6, P7.2, P7.5; C-07, C-09, C-10): rows
only with consent (or the exempt mode without objection), the route and never the address,
IP cut before storage, the visitor cookie set once, withdrawal deletes cookie and rows and
stops at once, raw rows purged after 13 months, the console's figures."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client as Browser
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from livesession.cookies import audience, inventory
from livesession.cookies.models import PageView
from livesession.core.clock import freeze, now
from livesession.registrations.services import register
from tests.cookies.conftest import CHROME_UA, IPV4, IPV6, choose


def test_p2_3_no_row_and_no_visitor_cookie_without_consent(visitor: Browser) -> None:
    answer = visitor.get("/")
    assert answer.status_code == 200 and inventory.AUDIENCE_COOKIE not in answer.cookies
    choose(visitor, "reject")
    visitor.get("/")
    visitor.get("/cookies/")
    assert not PageView.objects.exists()
    assert inventory.AUDIENCE_COOKIE not in visitor.cookies


def test_p1_6_consent_records_route_browser_truncated_ip_and_referrer(visitor: Browser,
                                                                      event_a: Any) -> None:
    choose(visitor, "accept")
    first = visitor.get("/", HTTP_REFERER="https://news.example.org/article?id=9")
    assert inventory.AUDIENCE_COOKIE in first.cookies
    visitor.get(reverse("portal:event", args=[event_a.pk]),
                HTTP_REFERER=f"http://testserver/?x={event_a.pk}")
    rows = list(PageView.objects.order_by("seq"))
    assert [(r.seq, r.route, r.area) for r in rows] == [(1, "portal:home", "portal"),
                                                       (2, "portal:event", "portal")]
    assert {(r.browser, r.browser_version) for r in rows} == {("Chrome", 126)}
    assert {r.ip_prefix for r in rows} == {"203.0.0.0/16"}
    assert [r.referrer_host for r in rows] == ["news.example.org", ""]
    assert not any(r.exempt for r in rows)
    value = visitor.cookies[inventory.AUDIENCE_COOKIE].value
    assert {r.visitor for r in rows} == {audience.visitor_hash(value)}
    assert value not in json.dumps([r.visitor for r in rows])  # hashed before storage
    assert str(event_a.pk) not in json.dumps(list(PageView.objects.values()), default=str)


def test_p1_6_personal_link_token_is_never_stored(visitor: Browser, event_a: Any) -> None:
    token = register(event_a, email="tok@example.org", first_name="Tok",
                     last_name="En").token
    choose(visitor, "accept")
    assert visitor.get(reverse("portal:join", args=[token])).status_code == 200
    assert PageView.objects.filter(route="portal:join").count() == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM cookies_pageview")
        dump = json.dumps(cursor.fetchall(), default=str)
    assert token not in dump and token[:12] not in dump and "/j/" not in dump


def test_p1_6_skipped_paths_and_non_pages(visitor: Browser) -> None:
    choose(visitor, "accept")
    visitor.get("/healthz")
    visitor.get("/api/v1/consents/current")
    visitor.get("/static/livesession/site.css")
    visitor.get("/no-such-page/")  # 404
    visitor.post("/cookies/consent/", {"choice": "accept"})  # POST
    assert not PageView.objects.exists()
    visitor.get("/")
    assert PageView.objects.count() == 1  # the control: a page is recorded


def test_p7_2_visitor_and_consent_cookies_are_not_re_set_on_later_visits(
        visitor: Browser) -> None:
    choose(visitor, "accept")
    first = visitor.get("/")
    assert inventory.AUDIENCE_COOKIE in first.cookies
    for url in ("/", "/cookies/", "/privacy/"):
        later = visitor.get(url)
        assert inventory.AUDIENCE_COOKIE not in later.cookies, url
        assert inventory.CONSENT_COOKIE not in later.cookies, url
    assert PageView.objects.count() == 4


def test_p7_5_withdrawal_deletes_cookie_and_rows_and_stops_at_once(visitor: Browser) -> None:
    other = Browser(REMOTE_ADDR=IPV6, HTTP_USER_AGENT=CHROME_UA)
    for browser in (visitor, other):
        choose(browser, "accept")
        browser.get("/")
        browser.get("/cookies/")
    assert PageView.objects.count() == 4
    answer = choose(visitor, "custom", allow=["room_player"], surface="settings", next="/")
    morsel = answer.cookies[inventory.AUDIENCE_COOKIE]
    assert morsel.value == "" and int(morsel["max-age"]) == 0  # deleted in the browser
    # Only the withdrawing visitor's rows are gone.
    remaining = PageView.objects.values_list("visitor", flat=True).distinct()
    assert list(remaining) == [audience.visitor_hash(other.cookies[inventory.AUDIENCE_COOKIE]
                                                     .value)]
    assert PageView.objects.count() == 2
    visitor.get("/")
    visitor.get("/cookies/")
    assert PageView.objects.count() == 2  # measurement stopped


def test_p7_5_withdrawal_takes_effect_in_the_same_request(visitor: Browser) -> None:
    """The consent view's new choice is in force when the middleware looks at its own
    answer: a withdrawal that lands on a page records nothing, even in that answer."""
    from django.http import HttpResponse
    from django.test import RequestFactory

    from livesession.cookies import consent, services

    choose(visitor, "accept")
    request = RequestFactory().get("/")
    request.COOKIES = {k: m.value for k, m in visitor.cookies.items()}
    assert audience.allowed(request)
    _receipt, refusal = services.record_choice(
        action="reject_all", surface="settings", allowed={"audience": False,
                                                          "room_player": False},
        previous=consent.current(request))
    services.apply_choice(request, HttpResponse(), refusal)
    assert not audience.allowed(request)


def test_c_09_exempt_mode_records_without_choice_but_not_after_objection(
        visitor: Browser, settings: Any) -> None:
    settings.AUDIENCE_EXEMPT_MODE = True
    visitor.get("/")
    row = PageView.objects.get()
    assert row.exempt and row.ip_prefix == "203.0.0.0/16"
    assert inventory.AUDIENCE_COOKIE in visitor.cookies
    choose(visitor, "reject")  # an objection
    assert not PageView.objects.exists()
    visitor.get("/")
    assert not PageView.objects.exists()
    settings.AUDIENCE_EXEMPT_MODE = False
    fresh = Browser(REMOTE_ADDR=IPV4)
    fresh.get("/")
    assert not PageView.objects.exists()  # without the mode: consent only


def test_p2_3_stale_choice_removes_a_left_over_visitor_cookie(visitor: Browser) -> None:
    choose(visitor, "accept")
    visitor.get("/")
    with freeze(now() + dt.timedelta(days=200)):
        answer = visitor.get("/")
    assert int(answer.cookies[inventory.AUDIENCE_COOKIE]["max-age"]) == 0
    assert PageView.objects.count() == 1


@pytest.mark.no_db
@pytest.mark.parametrize(("address", "expected"), [
    ("203.0.113.77", "203.0.0.0/16"),
    ("10.1.2.3", "10.1.0.0/16"),
    ("2001:db8:abcd:12:34:56:78:9a", "2001:db8:abcd::/48"),
    ("::ffff:198.51.100.9", "198.51.0.0/16"),
    ("not an address", ""),
])
def test_c_10_ip_truncation(address: str, expected: str) -> None:
    assert audience.truncate_ip(address) == expected


@pytest.mark.no_db
@given(st.ip_addresses())
def test_c_10_no_stored_address_has_bits_in_the_masked_range(ip: Any) -> None:
    network = ipaddress.ip_network(audience.truncate_ip(str(ip)))
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    assert network.prefixlen == (16 if ip.version == 4 else 48)
    assert ip in network and int(network.network_address) & int(network.hostmask) == 0


@pytest.mark.no_db
@pytest.mark.parametrize(("agent", "expected"), [
    (CHROME_UA, ("Chrome", 126)),
    ("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", ("Firefox", 128)),
    ("Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/125.0 Safari/537.36 Edg/125.0.1",
     ("Edge", 125)),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
     "Gecko) Version/17.5 Mobile/15E148 Safari/604.1", ("Safari", 17)),
    ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/130.0 Safari/537.36",
     ("Chrome", 130)),
    ("curl/8.0", ("other", None)),
])
def test_p1_6_browser_family_and_major_version(agent: str, expected: tuple[str, Any]) -> None:
    assert audience.browser_of(agent) == expected


def test_p7_2_raw_audience_rows_are_purged_after_13_months() -> None:
    from livesession.retention.purge import run_purge

    def row(days: int) -> PageView:
        return PageView.objects.create(at=now() - dt.timedelta(days=days), visitor="v" * 64,
                                       seq=days, route="portal:home", area="portal",
                                       browser="Chrome", browser_version=126)

    old, kept = row(400), row(380)
    run = run_purge()
    assert not PageView.objects.filter(pk=old.pk).exists()
    assert PageView.objects.filter(pk=kept.pk).exists()
    assert run.progress["audience"]["count"] == 1


def test_p1_6_console_figures_for_operator_staff_only(visitor: Browser, operator: Any,
                                                      owner_a: Any) -> None:
    choose(visitor, "accept")
    for url in ("/", "/cookies/", "/", "/privacy/"):
        visitor.get(url)
    choose(Browser(), "reject")
    staff = Browser(HTTP_ACCEPT_LANGUAGE="en")
    staff.force_login(operator)
    page = staff.get(reverse("console:audience") + "?days=7")
    assert page.status_code == 200
    text = page.content.decode()
    assert "4 page views by 1 visitor." in text
    assert "<code>portal:home</code>" in text and "cookies:settings" in text
    figures = page.context["f"]
    assert figures["pages"][0] == {"route": "portal:home", "n": 2, "share": 50.0}
    assert {(t["source"], t["target"]) for t in figures["transitions"]} == {
        ("portal:home", "cookies:settings"), ("cookies:settings", "portal:home"),
        ("portal:home", "portal:privacy")}
    assert figures["areas"] == [{"area": "portal", "n": 3, "share": 75.0},
                                {"area": "cookies", "n": 1, "share": 25.0}]
    shares = {c["action"].value: c["share"] for c in figures["consent"]}
    assert shares["accept_all"] == 50.0 and shares["reject_all"] == 50.0
    member = Browser()
    member.force_login(owner_a)
    assert member.get(reverse("console:audience")).status_code == 404


def test_p1_6_navigation_paths_stop_at_30_minutes_of_inactivity() -> None:
    """A visitor's next page after more than 30 minutes starts a new visit: it is not a
    step of the path (issue 7 §6, "navigation path"); 29 minutes still is."""
    from livesession.cookies import stats

    start = now() - dt.timedelta(hours=3)
    steps = [(0, "portal:home"), (29, "cookies:settings"), (29 + 31, "portal:privacy"),
             (29 + 31 + 1, "portal:home")]
    for seq, (minutes, route) in enumerate(steps):
        PageView.objects.create(at=start + dt.timedelta(minutes=minutes), visitor="w" * 64,
                                seq=seq, route=route, area="portal", browser="Firefox",
                                browser_version=128)
    found = {(t["source"], t["target"]): t["n"] for t in stats.figures(1)["transitions"]}
    assert found == {("portal:home", "cookies:settings"): 1,
                     ("portal:privacy", "portal:home"): 1}
