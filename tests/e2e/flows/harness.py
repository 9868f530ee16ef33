"""What every flow of the browser suite stands on: a person at a viewport, whose browser tab
fails the test when the product misbehaves in a way the person would meet or should never
cause.

A ``Person`` drives one Playwright context. It fails the test on:

- any 4xx or 5xx answer to a request for our own site (URL shown with its tokens redacted);
- any console error or uncaught page error;
- any axe-core violation of impact "critical" or "serious" on a page of our site: each
  navigation made through ``open``/``follow``/``submit`` is checked, and a page loaded some
  other way and never checked with ``see()`` fails the test at its end, so no page goes
  unchecked;
- at the end, any line of the stack's logs that holds a secret the test met: tokens in
  mail links and in our own URLs, the session and CSRF cookies, and every value typed with
  ``type`` (addresses, names, phone numbers, passwords).

axe-core comes from npm, installed by the project's files (``tests/e2e/package.json``,
``npm ci --prefix tests/e2e``), never from a CDN.
"""

from __future__ import annotations

import email.policy
import os
import re
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Locator,
    Page,
    Response,
    expect,
)

from tests.e2e.test_browser import MIN_FILL_SECONDS, TIMEOUT_MS, Stack

E2E = Path(__file__).resolve().parent.parent
AXE = E2E / "node_modules" / "axe-core" / "axe.min.js"
AXE_INSTALL = "npm ci --prefix tests/e2e --no-audit --no-fund"
# What the suite fails on: the two impacts that block or badly hinder a person.
BLOCKING_IMPACTS = ("critical", "serious")

DESKTOP: dict[str, Any] = {
    "viewport": {"width": 1280, "height": 800}, "locale": "fr-FR",
    "timezone_id": "Europe/Paris",
}
# A French visitor on a phone whose clock is elsewhere: the pages must say both zones.
PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
    "has_touch": True, "locale": "fr-FR", "timezone_id": "America/New_York",
}
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}

# A secret-looking piece of a URL: long, of the alphabets our tokens use. A UUID names an
# event or a client in public addresses and is not a secret.
_TOKENISH = re.compile(r"^[A-Za-z0-9_\-.:~]{16,}$")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_LINK = re.compile(r"https?://[^\s<>\"')]+")


def axe_source() -> str:
    """The axe-core script, or a failure (in CI) / skip (elsewhere) saying how to install it."""
    if AXE.exists():
        return AXE.read_text()
    reason = (f"axe-core is not installed ({AXE} missing): run '{AXE_INSTALL}' "
              "(.ci/run does it); it is never loaded from a CDN.")
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def secrets_in_url(url: str) -> set[str]:
    """Every path segment or query value of ``url`` that looks like a token."""
    parts = urllib.parse.urlsplit(url)
    pieces = [urllib.parse.unquote(p) for p in parts.path.split("/")]
    pieces += [v for _, v in urllib.parse.parse_qsl(parts.query)]
    pieces += [parts.fragment]
    return {p for p in pieces if _TOKENISH.match(p) and not _UUID.match(p)
            and re.search(r"\d", p) and re.search(r"[A-Za-z]", p)}


def redact(url: str) -> str:
    """``url`` fit for a failure message: token-like pieces replaced."""
    for secret in sorted(secrets_in_url(url), key=len, reverse=True):
        url = url.replace(secret, "<token>").replace(urllib.parse.quote(secret), "<token>")
    return url


@dataclass
class Mail:
    path: Path
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def text(self) -> str:
        body = self.message.get_body(("plain",)) or self.message
        return str(body.get_content())

    @property
    def links(self) -> list[str]:
        return [link.rstrip(".,;") for link in _LINK.findall(self.text)]

    def link(self, pattern: str) -> str:
        """The one link of this mail whose address matches ``pattern`` (a regex)."""
        found = [link for link in self.links if re.search(pattern, link)]
        assert found, f"no link matching {pattern!r} in the mail {self.subject!r}:\n{self.text}"
        return found[0]


class Mailbox:
    """The worker's file copies (var/mail/*.eml), read in the order they were written."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.read: set[Path] = set()

    def _all(self) -> list[Path]:
        if not self.folder.exists():
            return []
        return sorted(self.folder.glob("*.eml"), key=lambda p: (p.stat().st_mtime_ns, p.name))

    def wait_for(self, to: str, containing: str = "", timeout: float = 20) -> Mail:
        """The next mail to ``to`` not yet read (whose text holds ``containing``)."""
        deadline = time.monotonic() + timeout
        while True:
            for path in self._all():
                if path in self.read:
                    continue
                msg = message_from_bytes(path.read_bytes(), policy=email.policy.default)
                assert isinstance(msg, EmailMessage)
                mail = Mail(path, msg)
                if str(msg["To"]).lower() == to.lower() and containing in mail.text:
                    self.read.add(path)
                    return mail
            if time.monotonic() > deadline:
                pytest.fail(f"no new mail to {to} holding {containing!r} in {self.folder} "
                            f"after {timeout:.0f} s")
            time.sleep(0.2)


@dataclass
class Guard:
    """What went wrong in the browser, gathered by the page and context listeners."""

    base: str
    failures: list[str] = field(default_factory=list)
    allowed: list[tuple[int, re.Pattern[str]]] = field(default_factory=list)
    seen_urls: set[str] = field(default_factory=set)
    loaded: list[str] = field(default_factory=list)  # our pages whose document loaded
    checked: set[str] = field(default_factory=set)  # of those, the ones axe has checked

    def ours(self, url: str) -> bool:
        return url == self.base or url.startswith(self.base + "/")

    def on_response(self, response: Response) -> None:
        url = response.url
        if not self.ours(url):
            return
        self.seen_urls.add(url)
        status = response.status
        if status < 400:
            return
        if self._allowed(status, url):
            return
        self.failures.append(f"HTTP {status} {response.request.method} {redact(url)}")

    def _allowed(self, status: int, url: str) -> bool:
        path = url[len(self.base):]
        return any(code == status and pattern.search(path) for code, pattern in self.allowed)

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            where = message.location.get("url", "") if message.location else ""
            # Chromium's echo of an answer already judged by on_response.
            echo = re.match(r"Failed to load resource: the server responded with a status of "
                            r"(\d+)", message.text)
            if echo and self.ours(where) and self._allowed(int(echo.group(1)), where):
                return
            self.failures.append(f"console error: {message.text} ({redact(where)})")

    def on_page_error(self, error: Any) -> None:
        self.failures.append(f"page error: {error}")

    def on_load(self, page: Page) -> None:
        if self.ours(page.url):
            self.loaded.append(page.url)

    def raise_if_any(self) -> None:
        if self.failures:
            found, self.failures = self.failures, []
            pytest.fail("the browser met:\n  " + "\n  ".join(found), pytrace=False)


def _axe_report(violations: list[dict[str, Any]], url: str) -> str:
    lines = [f"axe-core found blocking accessibility violations on {redact(url)}:"]
    for violation in violations:
        lines.append(f"- [{violation['impact']}] {violation['id']}: {violation['help']}")
        for node in violation["nodes"][:8]:
            target = " ".join(str(t) for t in node["target"])
            lines.append(f"    {target}: {node.get('failureSummary', '').splitlines()[-1:]}")
        if len(violation["nodes"]) > 8:
            lines.append(f"    … and {len(violation['nodes']) - 8} more")
    return "\n".join(lines)


class Person:
    """One person in one browser context, at one viewport.

    Navigate with ``open``, ``follow`` (a link or button that leads to another page) and
    ``submit``; each waits for the new page and checks it with axe. ``type`` types like a
    person and remembers personal values so the logs can be searched for them.
    """

    def __init__(self, stack: Stack, browser: Browser, viewport: str, mailbox: Mailbox,
                 axe: str) -> None:
        self.stack = stack
        self.viewport = viewport
        self.mailbox = mailbox
        self.axe = axe
        self.guard = Guard(stack.base)
        self.secrets: set[str] = set()
        self.context: BrowserContext = browser.new_context(
            **VIEWPORTS[viewport], accept_downloads=True)
        self.context.set_default_timeout(TIMEOUT_MS)
        self.context.on("response", self.guard.on_response)
        self.context.on("request", lambda request: self._collect_url(request.url))
        self._pages: list[Page] = []
        self.context.on("page", self._watch)
        self.page = self.context.new_page()
        self._watch(self.page)

    @property
    def phone(self) -> bool:
        return self.viewport == "phone"

    def _watch(self, page: Page) -> None:
        if page in self._pages:
            return
        self._pages.append(page)
        page.on("console", self.guard.on_console)
        page.on("pageerror", self.guard.on_page_error)
        page.on("load", self.guard.on_load)

    def _collect_url(self, url: str) -> None:
        if self.guard.ours(url):
            self.secrets |= secrets_in_url(url)

    # --- navigating --------------------------------------------------------------------
    def open(self, url: str, status: int = 200) -> Response:
        """Type an address in the address bar (a path is taken as on our site)."""
        self.guard.raise_if_any()
        if url.startswith("/"):
            url = self.stack.base + url
        self._collect_url(url)
        response = self.page.goto(url)
        assert response is not None, f"no answer for {redact(url)}"
        assert response.status == status, \
            f"{redact(url)} answered {response.status}, expected {status}"
        self.see()
        return response

    def follow(self, target: Locator | str) -> None:
        """Click (tap on a phone) what leads to another page, then check the new page."""
        self.guard.raise_if_any()
        locator = self.page.locator(target) if isinstance(target, str) else target
        with self.page.expect_navigation():
            if self.phone:
                locator.tap()
            else:
                locator.click()
        self.see()

    def submit(self, button: Locator | str = "#main form button[type=submit]") -> None:
        """Send a form with its button; the same as ``follow``."""
        self.follow(button)

    def see(self) -> list[dict[str, Any]]:
        """Check the page in view with axe-core; fail on a critical or serious violation.

        Returns the blocking violations' list (empty when the test goes on)."""
        page = self.page
        page.wait_for_load_state("load")
        self.guard.raise_if_any()
        if not self.guard.ours(page.url):
            return []
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.add_script_tag(content=self.axe)
        result = page.evaluate(
            """async () => {
                const r = await axe.run(document, {resultTypes: ['violations']});
                return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                  nodes: v.nodes.map(n => ({target: n.target,
                                            failureSummary: n.failureSummary}))}));
            }""")
        self.guard.checked.add(page.url)
        blocking = [v for v in result if v["impact"] in BLOCKING_IMPACTS]
        assert not blocking, _axe_report(blocking, page.url)
        return blocking

    @contextmanager
    def allowing(self, status: int, path_pattern: str) -> Iterator[None]:
        """Within the block, an answer ``status`` to a path matching the regex is expected
        (a link that is gone, on purpose)."""
        entry = (status, re.compile(path_pattern))
        self.guard.allowed.append(entry)
        try:
            yield
        finally:
            self.guard.allowed.remove(entry)

    # --- typing ------------------------------------------------------------------------
    def type(self, target: Locator | str, value: str, personal: bool = True) -> None:
        """Type into a field as a person does (focus, then keys); a personal value is
        remembered, and no log line may hold it."""
        locator = self.page.locator(target) if isinstance(target, str) else target
        if personal and len(value) >= 4:
            self.secrets.add(value)
        if self.phone:
            locator.tap()
        else:
            locator.click()
        locator.fill("")
        locator.press_sequentially(value)
        expect(locator).to_have_value(value)

    def wait_min_fill(self) -> None:
        """A person takes longer than the form's minimum fill time (a script does not)."""
        self.page.wait_for_timeout(MIN_FILL_SECONDS * 1000 + 200)

    def switch_language(self, code: str) -> None:
        """Through the header's language selector, as a person does."""
        self.page.locator("#lang-select").select_option(code)
        self.follow("form.lang button[type=submit]")
        expect(self.page.locator("html")).to_have_attribute("lang", code)

    # --- mail --------------------------------------------------------------------------
    def mail(self, to: str, containing: str = "", timeout: float = 20) -> Mail:
        """The next mail to ``to``; the tokens of its links are remembered."""
        found = self.mailbox.wait_for(to, containing, timeout)
        for link in found.links:
            self.secrets |= secrets_in_url(link)
        return found

    # --- the end -----------------------------------------------------------------------
    def finish(self) -> list[str]:
        """The checks made at the end of every test, whatever it did; closes the context
        and returns what went wrong."""
        problems: list[str] = []
        for cookie in self.context.cookies():
            if cookie["name"] in ("sessionid", "csrftoken") and len(cookie["value"]) >= 16:
                self.secrets.add(cookie["value"])
        if self.guard.ours(self.page.url) and self.page.url not in self.guard.checked:
            try:
                self.see()
            except (AssertionError, pytest.fail.Exception) as failed:
                problems.append(str(failed))
            except Exception as failed:  # a test that failed may leave the page in any state
                problems.append(f"the last page could not be checked: {failed}")
        unchecked = sorted({redact(u) for u in self.guard.loaded} -
                           {redact(u) for u in self.guard.checked})
        if unchecked:
            problems.append("pages loaded but never checked by axe (navigate with "
                            "person.open/follow/submit or call person.see()): "
                            + ", ".join(unchecked))
        problems += self.guard.failures
        problems += leaks(self.stack, self.secrets)
        self.context.close()
        return problems


def log_files(stack: Stack) -> list[Path]:
    """The logs of the stack's processes (serve, worker), and any other log it wrote."""
    return sorted(stack.var.rglob("*.log"))


def leaks(stack: Stack, secrets: set[str]) -> list[str]:
    """One line per log line that holds one of ``secrets`` (the secret itself not shown)."""
    needles: dict[str, str] = {}
    for secret in secrets:
        for form in {secret, urllib.parse.quote(secret), urllib.parse.quote_plus(secret)}:
            needles[form.lower()] = secret
    found: list[str] = []
    for path in log_files(stack):
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            low = line.lower()
            for needle, secret in needles.items():
                if needle in low:
                    shown = re.sub("|".join(re.escape(n) for n in needles), "<SECRET>", line,
                                   flags=re.IGNORECASE)
                    found.append(f"{path.name}:{number} holds a secret of this test "
                                 f"({len(secret)} chars): {redact(shown)[:300]}")
                    break
    return found
