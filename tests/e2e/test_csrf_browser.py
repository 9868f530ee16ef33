"""Every form a person posts from a page whose address holds a secret works in Chromium, and
no secret or typed personal value reaches a log line.

A page served with ``Referrer-Policy: no-referrer`` makes Chromium send ``Origin: null`` on
its form posts (Fetch standard, "serializing a request origin"), which Django's CSRF check
refuses with a 403. These flows are walked as a person walks them, at a desktop and a phone
width: sign up and confirm the address from the mail, reset the password from the mail,
prepare the "My data" archive, the cookie banner's buttons and the language switch on the
personal-link page, cancel from the personal link, unsubscribe from a mailed link. Any 4xx
or 5xx answer to a same-origin request fails the test.

The last test reads the server's and the worker's logs of the whole run (the server's access
log is on, see ``test_browser.stack``) and fails on any token seen in a mail or an address,
and on any value the person typed (address, names, password).
"""

from __future__ import annotations

import email.policy
import io
import re
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Response, expect

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

DESKTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 800}, "locale": "fr-FR",
                           "timezone_id": "Europe/Paris"}
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}
# Path segments that are secrets: what follows each prefix, up to the next "/".
TOKEN_PATHS = re.compile(r"/(?:j|u|accounts/verify|accounts/password/reset|me/data/download|"
                         r"console/desk/delivery)/([^/?#\s]{8,})")


@dataclass
class Seen:
    """What must never be in a log: tokens met in mails and addresses, values typed."""

    secrets: set[str] = field(default_factory=set)

    def urls(self, text: str) -> None:
        self.secrets.update(m.group(1) for m in TOKEN_PATHS.finditer(text))

    def typed(self, *values: str) -> None:
        self.secrets.update(values)


SEEN = Seen()
ACCOUNTS: dict[str, dict[str, str]] = {}


@dataclass
class Watch:
    """Every answer the browser got from our own server that was not a success."""

    base: str
    failures: list[str] = field(default_factory=list)

    def __call__(self, response: Response) -> None:
        SEEN.urls(response.url)
        # The browser asks for /favicon.ico by itself; the person never does.
        if (response.url.startswith(self.base) and response.status >= 400
                and urlsplit(response.url).path != "/favicon.ico"):
            failures = self.failures
            failures.append(f"{response.status} {response.request.method} "
                            f"{urlsplit(response.url).path}")


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def person(browser: Browser, stack: Stack, viewport: str) -> Iterator[Page]:  # noqa: F811
    """A fresh browser (no cookies) at the viewport's width; fails on any 4xx/5xx answer."""
    context: BrowserContext = browser.new_context(**VIEWPORTS[viewport])
    context.set_default_timeout(TIMEOUT_MS)
    watch = Watch(stack.base)
    context.on("response", watch)
    page = context.new_page()
    try:
        yield page
        assert not watch.failures, f"refused answers: {watch.failures}"
    finally:
        context.close()


def _mail(stack: Stack, address: str, fragment: str, timeout: float = 20) -> str:  # noqa: F811
    """The plain text of the newest mail to ``address`` whose body has ``fragment``, read
    from the worker's file copy; its links are remembered as secrets."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in sorted((stack.var / "mail").glob("*.eml"), reverse=True,
                           key=lambda p: p.stat().st_mtime):
            msg = message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if msg["To"] != address:
                continue
            assert isinstance(msg, EmailMessage)
            body = (msg.get_body(("plain",)) or msg).get_content()
            if fragment in body:
                SEEN.urls(body)
                return str(body)
        time.sleep(0.2)
    pytest.fail(f"no mail to {address} with {fragment!r} under {stack.var / 'mail'}")


def _link(stack: Stack, body: str, prefix: str) -> str:  # noqa: F811
    found = re.search(re.escape(stack.base + prefix) + r"[^\s/]+/", body)
    assert found, body
    return found.group(0)


def _submit(page: Page, button: Any) -> None:
    with page.expect_navigation():
        button.click()


def _main_button(page: Page) -> Any:
    return page.locator("#main form button[type=submit]").first


# --- Accounts: sign up, confirm, reset the password, My data ------------------------------

def test_sign_up_then_confirm_the_address_from_the_mail(
        stack: Stack, person: Page, viewport: str) -> None:  # noqa: F811
    account = {"email": f"chloe.verdier.{viewport}@example.org", "first_name": "Chloé",
               "last_name": f"Verdier-{viewport.capitalize()}",
               "password": f"Tilleul-Orage-{len(viewport)}-2031"}
    ACCOUNTS[viewport] = account
    SEEN.typed(*account.values())
    person.goto(f"{stack.base}/accounts/signup/")
    person.locator("#id_email").fill(account["email"])
    person.locator("#id_first_name").fill(account["first_name"])
    person.locator("#id_last_name").fill(account["last_name"])
    person.locator("#id_password").fill(account["password"])
    person.locator("#id_password2").fill(account["password"])
    _submit(person, _main_button(person))
    expect(person.locator("#main")).not_to_contain_text("Formulaire expiré")

    body = _mail(stack, account["email"], "/accounts/verify/")
    person.goto(_link(stack, body, "/accounts/verify/"))
    _submit(person, _main_button(person))
    expect(person.locator("h1")).to_have_text("Adresse confirmée")


def test_password_reset_from_the_mail(stack: Stack, person: Page, viewport: str) -> None:  # noqa: F811
    account = ACCOUNTS[viewport]
    person.goto(f"{stack.base}/accounts/login/")
    with person.expect_navigation():
        person.locator('#main a[href="/accounts/password/reset/"]').first.click()
    person.locator("#id_email").fill(account["email"])
    _submit(person, _main_button(person))

    body = _mail(stack, account["email"], "/accounts/password/reset/")
    person.goto(_link(stack, body, "/accounts/password/reset/"))
    account["password"] = f"Peuplier-Neige-{len(viewport)}-2032"
    SEEN.typed(account["password"])
    person.locator("#id_password").fill(account["password"])
    person.locator("#id_password2").fill(account["password"])
    _submit(person, _main_button(person))
    assert urlsplit(person.url).path == "/accounts/login/", person.url

    # The new password works.
    person.locator("#id_email").fill(account["email"])
    person.locator("#id_password").fill(account["password"])
    _submit(person, _main_button(person))
    assert urlsplit(person.url).path == "/me/", person.url


def test_prepare_and_download_my_data(stack: Stack, person: Page, viewport: str) -> None:  # noqa: F811
    account = ACCOUNTS[viewport]
    person.goto(f"{stack.base}/accounts/login/")
    person.locator("#id_email").fill(account["email"])
    person.locator("#id_password").fill(account["password"])
    _submit(person, _main_button(person))
    person.goto(f"{stack.base}/me/data/")
    prepare = person.locator("#download").locator("xpath=..").locator(
        "form button[type=submit]")
    _submit(person, prepare)
    download_link = person.locator("#download").locator("xpath=..").locator("a[download]")
    expect(download_link).to_be_visible()
    SEEN.urls(download_link.get_attribute("href") or "")
    with person.expect_download() as fetched:
        download_link.click()
    path = fetched.value.path()
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as archive:
        assert "data.json" in archive.namelist()
        assert account["email"].encode() in archive.read("data.json")


# --- The personal link: banner, language, cancel ------------------------------------------

def _register(stack: Stack, page: Page, who: dict[str, str]) -> str:  # noqa: F811
    SEEN.typed(*who.values())
    page.goto(stack.event_url)
    for name, value in who.items():
        page.locator(f"#id_{name}").fill(value)
    # A script types in milliseconds; a person takes longer than the minimum fill time.
    page.wait_for_timeout(MIN_FILL_SECONDS * 1000 + 200)
    _submit(page, page.locator("#main form button[type=submit]").last)
    assert page.url.endswith("/registered/"), page.url
    return _link(stack, _mail(stack, who["email"], "/j/"), "/j/")


@pytest.fixture
def personal_link(stack: Stack, browser: Browser, viewport: str) -> str:  # noqa: F811
    """A registration made in another browser; the person opens the mailed link."""
    context = browser.new_context(**VIEWPORTS[viewport])
    context.set_default_timeout(TIMEOUT_MS)
    try:
        stamp = str(time.monotonic_ns())[-6:]
        return _register(stack, context.new_page(), {
            "email": f"gaspard.{viewport}.{stamp}@example.org", "first_name": "Gaspard",
            "last_name": f"Lemoine{stamp}"})
    finally:
        context.close()


@pytest.mark.parametrize("choice", ["accept", "reject", "close"])
def test_cookie_banner_on_the_personal_link(person: Page, personal_link: str,
                                            choice: str) -> None:
    person.goto(personal_link)
    expect(person.locator("#cookie-banner")).to_be_visible()
    _submit(person, person.locator(f"#cookie-banner button[value={choice}]"))
    assert person.url == personal_link
    expect(person.locator("#cookie-banner")).to_have_count(0)


def test_cookie_banner_customize_on_the_personal_link(person: Page, personal_link: str) -> None:
    person.goto(personal_link)
    _submit(person, person.locator("#cookie-banner form[method=get] button"))
    _submit(person, _main_button(person))
    assert person.url == personal_link
    expect(person.locator("#cookie-banner")).to_have_count(0)


def test_language_switch_on_the_personal_link(person: Page, personal_link: str) -> None:
    person.goto(personal_link)
    expect(person.locator("html")).to_have_attribute("lang", "fr")
    person.locator("#lang-select").select_option("en")
    _submit(person, person.locator("form.lang button[type=submit]"))
    assert person.url == personal_link
    expect(person.locator("html")).to_have_attribute("lang", "en")


def test_cancel_from_the_personal_link(person: Page, personal_link: str) -> None:
    person.goto(personal_link)
    with person.expect_navigation():
        person.get_by_role("link", name="Annuler mon inscription").click()
    _submit(person, _main_button(person))
    assert person.url == personal_link
    expect(person.locator("#main [role=status]").first).to_contain_text("annulée")


UNSUBSCRIBE_URL = """
from livesession.access.services import resolve
from livesession.messaging.unsubscribe import url_for
r = resolve({token!r})
print("URL=" + url_for(r.client_id, r.subject_id))
"""


def test_unsubscribe_from_a_mailed_link(stack: Stack, person: Page,  # noqa: F811
                                        personal_link: str) -> None:
    # The link a follow-up mail carries (none is sent during this run: made here).
    token = personal_link.rstrip("/").rsplit("/", 1)[1]
    printed = stack.run("manage", "shell", "-c", UNSUBSCRIBE_URL.format(token=token))
    found = re.search(r"^URL=(\S+)$", printed, re.MULTILINE)
    assert found, printed
    SEEN.urls(found.group(1))
    person.goto(found.group(1))
    person.locator("#lang-select").select_option("en")
    _submit(person, person.locator("form.lang button[type=submit]"))
    expect(person.locator("html")).to_have_attribute("lang", "en")
    _submit(person, _main_button(person))
    expect(person.locator("h1")).to_be_visible()


# --- Last: the logs of the whole run ----------------------------------------------------

def test_p6_5_no_token_or_typed_value_in_any_log_line(stack: Stack) -> None:  # noqa: F811
    assert SEEN.secrets, "run with the tests above: nothing was collected to look for"
    tokens = [s for s in SEEN.secrets if TOKEN_PATHS.search(f"/j/{s}")]
    assert tokens, "no token was met during the run"
    found = []
    for name in ("serve", "worker"):
        text = (stack.var / f"{name}.log").read_text(errors="replace")
        assert text.strip(), f"{name}.log is empty"
        for line in text.splitlines():
            found += [f"{name}.log: {secret!r} in {line[:200]!r}"
                      for secret in SEEN.secrets if secret in line]
    assert not found, "\n".join(found)
    # The access log was on: the paths are there, with their secrets masked.
    assert "/accounts/signup/" in (stack.var / "serve.log").read_text(errors="replace")
