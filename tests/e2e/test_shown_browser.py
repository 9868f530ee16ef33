"""What people are shown of their own data and of the system, in a real browser at a
phone's width (390 px, a French reader whose clock is in New York) and at a desktop's:
"My data" and the console's outbox fit the screen, and their dates read as words in the
reader's language and own time zone, never as ISO timestamps; the key of the mail that
confirms the address is nowhere on "My data". Same real stack as ``test_browser.py``.

The "prepare my download" button of "My data" is not clicked here: on a page served with
``Referrer-Policy: no-referrer`` the browser posts ``Origin: null``, refused until the CSRF
fix lands; the archive's content is tested with the test client
(``tests/accounts/test_shown_data.py``)."""

from __future__ import annotations

import datetime as dt
import email.policy
import re
import time
import zoneinfo
from email import message_from_bytes
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.test_browser import (  # noqa: F401 - fixtures used by name
    PHONE,
    TIMEOUT_MS,
    Stack,
    _fits_the_screen,
    _sign_in,
    browser,
    chromium_path,
    stack,
)

pytestmark = [pytest.mark.slow, pytest.mark.no_db]

PERSON = {"email": "rosa.shown+e2e@example.org", "first_name": "Rosa",
          "last_name": "Lumière", "password": "a quiet lighthouse at dusk"}
ISO_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
FRENCH_DATE = re.compile(r"^\d{1,2} (?:janvier|février|mars|avril|mai|juin|juillet|août|"
                         r"septembre|octobre|novembre|décembre) \d{4} à \d{2}:\d{2}$")
READER_ZONE = zoneinfo.ZoneInfo(PHONE["timezone_id"])


@pytest.fixture
def phone(browser: Browser) -> Any:  # noqa: F811
    context = browser.new_context(**PHONE)
    context.set_default_timeout(TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


def _verification_key(running: Stack, address: str, timeout: float = 20) -> str:
    """The key in the address-confirmation mail (the worker's file copy)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in sorted((running.var / "mail").glob("*.eml")):
            msg = message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if msg["To"] != address:
                continue
            body = msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
            found = re.search(r"/accounts/verify/([^/\s]+)/", body)
            if found:
                return found.group(1)
        time.sleep(0.2)
    pytest.fail(f"no confirmation mail to {address}")


def _dates_read_as_words_in_the_readers_zone(page: Page) -> int:
    """Every reader-time shows its instant in French words, in New York time."""
    times = page.locator("time.reader-time")
    count = times.count()
    for i in range(count):
        element = times.nth(i)
        text = element.inner_text().strip()
        assert FRENCH_DATE.match(text), text
        instant = dt.datetime.fromisoformat(element.get_attribute("datetime") or "")
        assert text.endswith(instant.astimezone(READER_ZONE).strftime("%H:%M")), text
    assert not ISO_INSTANT.search(page.locator("#main").inner_text())
    return count


def test_my_data_reads_as_words_and_fits_a_phone(stack: Stack, phone: Page) -> None:  # noqa: F811
    phone.goto(f"{stack.base}/accounts/signup/")
    for field in ("email", "first_name", "last_name"):
        phone.locator(f"#id_{field}").fill(PERSON[field])
    phone.locator("#id_password").fill(PERSON["password"])
    phone.locator("#id_password2").fill(PERSON["password"])
    with phone.expect_navigation():
        phone.locator("#main form button[type=submit]").tap()
    key = _verification_key(stack, PERSON["email"])

    phone.goto(f"{stack.base}/accounts/login/")
    phone.locator("#id_email").fill(PERSON["email"])
    phone.locator("#id_password").fill(PERSON["password"])
    with phone.expect_navigation():
        phone.locator("#id_password").press("Enter")
    phone.locator('header a[href="/me/data/"]').tap()
    phone.wait_for_url(f"{stack.base}/me/data/")
    expect(phone.locator("h1")).to_have_text("Mes données")
    _fits_the_screen(phone)
    main = phone.locator("#main")
    expect(main).to_contain_text("Votre compte")
    expect(main).to_contain_text("Courriels qui vous ont été envoyés")
    expect(main).to_contain_text("Courriel pour confirmer une adresse")
    expect(main).to_contain_text("Création de compte")
    assert not re.search(r"\baccount:\d", main.inner_text())
    assert _dates_read_as_words_in_the_readers_zone(phone) >= 3
    assert key not in phone.content()
    phone.screenshot(path=stack.shots / "my-data-phone.png", full_page=True)

    phone.set_viewport_size({"width": 1280, "height": 900})
    _fits_the_screen(phone)


def test_console_outbox_reads_as_words_and_fits_a_phone(stack: Stack,  # noqa: F811
                                                        phone: Page) -> None:
    # A message in the outbox, queued as a person would: the organizer forgot a password.
    phone.goto(f"{stack.base}/accounts/password/reset/")
    phone.locator("#id_email").fill(stack.credentials["owner_email"])
    with phone.expect_navigation():
        phone.locator("#main form button[type=submit]").tap()
    _sign_in(phone, stack, "operator")
    assert phone.url == f"{stack.base}/console/mfa/", phone.url
    with phone.expect_navigation():
        phone.locator("#main form button[type=submit]").first.tap()
    secret = phone.locator("#mfa-secret").inner_text().strip()
    from livesession.accounts import mfa

    phone.locator("#id_code").fill(mfa.totp(mfa._key(secret), time.time()))
    with phone.expect_navigation():
        phone.locator("#id_code").press("Enter")
    with phone.expect_navigation():
        phone.locator("ul.secret ~ p a").tap()
    if phone.url.endswith("/console/acknowledge/"):
        with phone.expect_navigation():
            phone.locator("#main form button[type=submit]").tap()

    phone.locator('a[href="/console/outbox/"]').tap()
    phone.wait_for_url(f"{stack.base}/console/outbox/")
    _fits_the_screen(phone)
    table = phone.locator("#main table")
    expect(table).to_contain_text("Courriel pour choisir un nouveau mot de passe")
    assert not re.search(r"\b[a-z_]+\.[a-z_]+\b", table.inner_text())  # no raw kind
    assert _dates_read_as_words_in_the_readers_zone(phone) >= 1
    phone.screenshot(path=stack.shots / "console-outbox-phone.png", full_page=True)

    phone.set_viewport_size({"width": 1280, "height": 900})
    _fits_the_screen(phone)
    # At a desktop's width the rows are a table again, and no date wraps.
    heights = phone.evaluate("""Array.from(document.querySelectorAll('#main td time'))
        .map(t => t.getBoundingClientRect().height)""")
    line = phone.evaluate("parseFloat(getComputedStyle(document.body).lineHeight)")
    assert heights and max(heights) < 1.5 * line, heights
