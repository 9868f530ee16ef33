"""Cookies by consent in a real browser (issue 7 "Done when"; P2.3, P7.2-P7.5): a fresh visitor
gets only functional cookies; Reject and Accept behave (cookies and measurement rows absent or
present); a visitor who rejected everything registers; withdrawal removes the cookies; every
cookie's expiry in the browser's jar is at most 13 months. Same real stack as
``test_browser.py`` (``livesession`` CLI processes, Debian's Chromium through Playwright)."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.test_browser import (  # noqa: F401 - fixtures used by name
    MIN_FILL_SECONDS,
    PHONE,
    TIMEOUT_MS,
    Stack,
    browser,
    chromium_path,
    stack,
)

pytestmark = [pytest.mark.slow, pytest.mark.no_db]

FUNCTIONAL = {"csrftoken", "sessionid", "django_language", "messages", "ls_device",
              "ls_consent"}
THIRTEEN_MONTHS = 395 * 24 * 3600
ROWS = """
from livesession.cookies.models import PageView
print("ROWS=%d" % PageView.objects.count())
"""


def _rows(running: Stack) -> int:
    found = re.search(r"ROWS=(\d+)", running.run("manage", "shell", "-c", ROWS))
    assert found
    return int(found.group(1))


def _jar(context: BrowserContext) -> dict[str, dict[str, Any]]:
    return {c["name"]: dict(c) for c in context.cookies()}


def _within_13_months(context: BrowserContext) -> None:
    for cookie in context.cookies():
        expires = cookie["expires"]
        assert expires == -1 or expires - time.time() <= THIRTEEN_MONTHS + 60, cookie["name"]


def _choose(page: Page, value: str) -> None:
    with page.expect_navigation():
        page.locator(f"#cookie-banner button[value={value}]").click()


@pytest.fixture
def context(browser: Browser) -> Any:  # noqa: F811
    made = browser.new_context(**PHONE)
    made.set_default_timeout(TIMEOUT_MS)
    try:
        yield made
    finally:
        made.close()


def test_p2_3_fresh_visitor_rejects_and_still_registers(stack: Stack,  # noqa: F811
                                                        context: BrowserContext) -> None:
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(stack.event_url)
    banner = page.locator("#cookie-banner")
    expect(banner).to_be_visible()
    # The three first-layer buttons weigh the same (C-02): same size, same style.
    boxes = [page.locator(f"#cookie-banner button.cookie-choice >> nth={i}") for i in range(3)]
    styles = [b.evaluate("e => { const s = getComputedStyle(e); return [s.fontSize, "
                         "s.fontWeight, s.backgroundColor, s.color, s.paddingTop] }")
              for b in boxes]
    assert styles[0] == styles[1] == styles[2], styles
    heights = [b.bounding_box()["height"] for b in boxes]  # type: ignore[index]
    assert max(heights) - min(heights) < 2, heights
    assert set(_jar(context)) <= FUNCTIONAL, _jar(context)
    assert all(u.startswith(stack.base) for u in requests), "a request left the site"
    assert _rows(stack) == 0

    _choose(page, "reject")
    expect(page.locator("#cookie-banner")).to_have_count(0)
    jar = _jar(context)
    assert "ls_consent" in jar and "ls_aud" not in jar and set(jar) <= FUNCTIONAL
    # Rejected everything: the registration still works (P7.3).
    page.goto(stack.event_url)
    page.locator("#id_email").fill("refuser+e2e@example.org")
    page.locator("#id_first_name").fill("Refus")
    page.locator("#id_last_name").fill("Total")
    page.wait_for_timeout(MIN_FILL_SECONDS * 1000 + 200)
    with page.expect_navigation():
        page.locator("#registration-form button[type=submit]").click()
    assert page.url.endswith("/registered/"), page.locator("[role=alert]").all_inner_texts()
    assert _rows(stack) == 0
    assert "ls_aud" not in _jar(context)
    _within_13_months(context)


def test_p7_5_accept_measures_and_withdrawal_removes_the_cookies(stack: Stack,  # noqa: F811
                                                                  context: BrowserContext
                                                                  ) -> None:
    page = context.new_page()
    page.goto(stack.event_url)
    before = _rows(stack)
    _choose(page, "accept")
    page.goto(f"{stack.base}/privacy/")
    jar = _jar(context)
    assert "ls_aud" in jar and "ls_consent" in jar
    assert jar["ls_aud"]["httpOnly"] and jar["ls_aud"]["sameSite"] == "Lax"
    assert _rows(stack) >= before + 2
    expiry = jar["ls_aud"]["expires"]
    page.goto(stack.event_url)  # a later visit does not extend it
    assert abs(_jar(context)["ls_aud"]["expires"] - expiry) < 1
    _within_13_months(context)

    # Withdrawal from the "Cookies" link of the page's footer.
    with page.expect_navigation():
        page.locator("footer a[href='/cookies/']").last.click()
    page.locator("input[name=allow][value=audience]").uncheck()
    with page.expect_navigation():
        page.locator("button[value=custom]").click()
    jar = _jar(context)
    assert "ls_aud" not in jar and "ls_consent" in jar
    after = _rows(stack)
    assert after < before + 2  # this visitor's rows are gone
    page.goto(stack.event_url)
    assert _rows(stack) == after  # and measurement stopped
    _within_13_months(context)
