"""Words as a French organizer reads them, in a real browser (Chromium through Playwright,
the real ``livesession`` stack of ``test_browser.py``): the Manager's link to the register
of processing says "Registre" (it said "S'inscrire", the verb of the public form), the
public form still says "S'inscrire", and the analytics head their counts "Inscrits" and
"Présents", never the date heading "Inscrit le". At a desktop and a phone width."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.test_browser import (  # noqa: F401 - fixtures used by name
    PHONE,
    TIMEOUT_MS,
    Stack,
    browser,
    chromium_path,
    stack,
)

pytestmark = [pytest.mark.slow, pytest.mark.no_db]

DESKTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 800}, "locale": "fr-FR",
                           "timezone_id": "Europe/Paris"}


@pytest.fixture(params=["desktop", "phone"])
def page(request: pytest.FixtureRequest, browser: Browser) -> Iterator[Page]:  # noqa: F811
    context = browser.new_context(**(DESKTOP if request.param == "desktop" else PHONE))
    context.set_default_timeout(TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


def _click(page: Page, locator: Any) -> None:
    if page.viewport_size and page.viewport_size["width"] < 500:  # a phone: a finger
        locator.tap()
    else:
        locator.click()


def test_the_public_form_says_sinscrire(stack: Stack, page: Page) -> None:  # noqa: F811
    page.goto(stack.event_url)
    expect(page.get_by_role("heading", name="S'inscrire")).to_be_visible()
    expect(page.get_by_role("button", name="S'inscrire")).to_be_visible()


def test_the_manager_links_to_its_register_and_heads_counts_as_counts(
        stack: Stack, page: Page) -> None:  # noqa: F811
    page.goto(f"{stack.base}/accounts/login/")
    page.locator("#id_email").fill(stack.credentials["owner_email"])
    page.locator("#id_password").fill(stack.credentials["owner_password"])
    with page.expect_navigation():
        page.locator("#id_password").press("Enter")
    assert page.url == f"{stack.base}/manager/demo/", page.url

    nav = page.locator("header")
    expect(nav.get_by_role("link", name="S'inscrire")).to_have_count(0)
    register = nav.get_by_role("link", name="Registre", exact=True)
    expect(register).to_be_visible()
    _click(page, register)
    page.wait_for_url(f"{stack.base}/manager/demo/register/")

    _click(page, page.locator("header").get_by_role("link", name="Statistiques"))
    page.wait_for_url(re.compile(r"/manager/demo/analytics/"))
    with page.expect_navigation():
        _click(page, page.locator("main").get_by_role("button", name="Afficher"))
    heads = page.locator("main th")
    expect(heads.filter(has_text=re.compile(r"^Inscrits$")).first).to_be_attached()
    expect(heads.filter(has_text=re.compile(r"^Présents$")).first).to_be_attached()
    assert "Inscrit le" not in (page.locator("main").text_content() or "")
