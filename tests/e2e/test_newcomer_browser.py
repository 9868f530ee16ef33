"""A newcomer's first steps in a real browser, at a desktop and a phone width: the home page
offers every way in (reached with the keyboard), and an operator signs in, sees the QR code
and the secret in blocks of four, types the code computed from the secret as shown, and
turns the second factor on. Same real stack as ``test_browser.py`` (``livesession`` CLI
processes, Debian's Chromium through Playwright)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from livesession.accounts import mfa
from livesession.staffaccess import qr
from tests.e2e.test_browser import (  # noqa: F401 - fixtures used by name
    PHONE,
    TIMEOUT_MS,
    Stack,
    _fits_the_screen,
    browser,
    chromium_path,
    stack,
)

pytestmark = [pytest.mark.slow, pytest.mark.no_db]

DESKTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 900}, "locale": "fr-FR",
                           "timezone_id": "Europe/Paris"}
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}


@pytest.fixture(params=list(VIEWPORTS))
def page(request: pytest.FixtureRequest, browser: Browser) -> Iterator[Page]:  # noqa: F811
    context = browser.new_context(**VIEWPORTS[request.param])
    context.set_default_timeout(TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


def test_home_offers_every_way_in_by_keyboard(stack: Stack, page: Page) -> None:  # noqa: F811
    page.goto(f"{stack.base}/")
    main = page.locator("#main")
    for name, path in (("Retrouver mon lien personnel", "/j/resend/"),
                       ("Mes inscriptions (espace personnel)", "/me/"),
                       ("Se connecter", "/accounts/login/"),
                       ("Créer un compte", "/accounts/signup/"),
                       ("Connexion au Manager", "/manager/")):
        link = main.get_by_role("link", name=name, exact=True)
        expect(link).to_be_visible()
        expect(link).to_have_attribute("href", path)
    _fits_the_screen(page)
    # With the keyboard only: Tab until the link has the focus, Enter follows it.
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == \
                "Retrouver mon lien personnel":
            break
    else:
        pytest.fail("the link to find one's personal link cannot be reached with Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{stack.base}/j/resend/"


def _new_operator(running: Stack, name: str) -> tuple[str, str]:
    email, password = f"{name}@ops.livesession.test", "a long enough pass 42"
    running.run("createoperator", email, "--password", password)
    return email, password


def test_operator_enrols_from_the_qr_page(stack: Stack, page: Page,  # noqa: F811
                                          request: pytest.FixtureRequest) -> None:
    email, password = _new_operator(stack, f"staff-{request.node.callspec.id}")
    page.goto(f"{stack.base}/accounts/login/")
    page.locator("#id_email").fill(email)
    page.locator("#id_password").fill(password)
    with page.expect_navigation():
        page.locator("#id_password").press("Enter")
    assert page.url == f"{stack.base}/console/mfa/", page.url
    with page.expect_navigation():
        page.locator("#main form button[type=submit]").first.click()

    code_img = page.get_by_role("img", name=re.compile("QR code"))
    expect(code_img).to_be_visible()
    box = code_img.bounding_box()
    assert box and box["width"] >= 150 and abs(box["width"] - box["height"]) < 1, box
    _fits_the_screen(page)
    # The secret as a person reads it (blocks of four) and as a copy gives it (no spaces).
    shown = page.locator("#mfa-secret")
    blocks = shown.locator("span").all_inner_texts()
    assert len(blocks) == 8 and all(len(b) == 4 for b in blocks), blocks
    secret = shown.inner_text().strip()
    assert secret == "".join(blocks) and re.fullmatch(r"[A-Z2-7]{32}", secret), secret
    tops = {round(s.bounding_box()["y"]) for s in shown.locator("span").all()}  # type: ignore[index]
    lefts = [s.bounding_box()["x"] for s in shown.locator("span").all()]  # type: ignore[index]
    assert len(tops) > 1 or lefts == sorted(lefts)  # in reading order, wrapped or not
    # The QR code drawn is the one of the set-up address built from this very secret.
    svg = page.locator("svg.qr-code").evaluate("e => e.outerHTML")
    uri = (page.locator("details code").text_content() or "").strip()
    assert f"secret={secret}" in uri
    from tests.staffaccess.test_mfa_qr import _expected, _matrix_of

    assert _matrix_of(svg) == _expected(uri) and qr.make(uri).version >= 1

    page.locator("#id_code").fill(mfa.totp(mfa._key(secret), time.time()))
    with page.expect_navigation():
        page.locator("#id_code").press("Enter")
    expect(page.locator("ul.secret li")).to_have_count(10)  # recovery codes, shown once
    expect(page.locator("svg.qr-code")).to_have_count(0)  # the secret is gone from the page
    _fits_the_screen(page)
