"""The issue's "Done when", in a real browser against the real product: a visitor registers to
the demo event on a phone, the confirmation email is there, and the personal link waits, then
redirects to the room once the event opens. Organizer and operator pages are walked too.

Everything is real: the ``livesession`` CLI (migrate, demo, serve with granian, worker) runs
as separate processes on SQLite in a throwaway folder, and Debian's Chromium (never a
downloaded browser) is driven by Playwright. Run by ``pytest -m slow`` (CI), not ``make test``.
"""

from __future__ import annotations

import datetime as dt
import email.policy
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email import message_from_bytes
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect

pytestmark = [pytest.mark.slow, pytest.mark.no_db]

CHROMIUM = "/usr/bin/chromium"
# What this machine needs (machines/python-svc.md, "Known to work"). Playwright adds a fresh
# --user-data-dir of its own at each launch (it refuses one in ``args``).
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]
CLI = str(Path(sys.executable).with_name("livesession"))
# A French visitor on a phone, whose clock is in New York.
PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
    "has_touch": True, "locale": "fr-FR", "timezone_id": "America/New_York",
}
TIMEOUT_MS = 15_000
MIN_FILL_SECONDS = 1
VISITOR = {"email": "lea.martin+e2e@example.org", "first_name": "Léa",
           "last_name": "Martin-Durand"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _tail(path: Path, lines: int = 30) -> str:
    if not path.exists():
        return f"({path.name}: nothing written)"
    return f"--- {path.name} ---\n" + "\n".join(path.read_text(errors="replace")
                                                 .splitlines()[-lines:])


@dataclass
class Stack:
    base: str
    var: Path
    env: dict[str, str]
    event_url: str
    credentials: dict[str, str]
    shots: Path

    def run(self, *args: str, timeout: float = 180) -> str:
        done = subprocess.run([CLI, *args], env=self.env, capture_output=True, text=True,
                              timeout=timeout, check=False)
        assert done.returncode == 0, f"livesession {args[0]} failed:\n{done.stdout}\n{done.stderr}"
        return done.stdout


def debian_chromium() -> str:
    """Debian's Chromium, or a skip (a failure in CI, where .ci/run installs it)."""
    if os.path.exists(CHROMIUM):
        return CHROMIUM
    reason = (f"Debian's Chromium is not installed ({CHROMIUM} missing): run "
              "'apt-get install -y chromium' (.ci/run does it); no browser is downloaded.")
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def chromium_path() -> str:
    return debian_chromium()


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop one process we started and its children (its own process group)."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    except ProcessLookupError:
        pass


@contextmanager
def serving(base: str, port: int, env: dict[str, str], var: Path) -> Iterator[None]:
    """serve (granian) and worker as real processes, their output in var/serve.log and
    var/worker.log, until /healthz says ok; both stopped (their process groups) after."""
    procs: dict[str, subprocess.Popen[bytes]] = {}
    logs = {name: var / f"{name}.log" for name in ("serve", "worker")}
    try:
        for name, args in (("serve", ["serve", "--port", str(port)]), ("worker", ["worker"])):
            with logs[name].open("wb") as out:
                procs[name] = subprocess.Popen([CLI, *args], env=env, stdout=out,
                                               stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 120  # a loaded CI machine starts slowly
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as answer:  # noqa: S310 - our own loopback server
                    health = json.loads(answer.read())
                if health["status"] == "ok":
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            dead = [name for name, proc in procs.items() if proc.poll() is not None]
            if dead or time.monotonic() > deadline:
                pytest.fail(f"server not healthy (exited: {dead})\n"
                            + "\n".join(_tail(p) for p in logs.values()))
            time.sleep(0.3)
        yield
    finally:
        for proc in procs.values():
            _stop(proc)


@pytest.fixture(scope="module")
def stack(chromium_path: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """migrate, demo, then serve (granian) and worker as real processes on loopback."""
    var = tmp_path_factory.mktemp("var")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "KEYSTORE_DATABASE_URL", "REDIS_URL", "EMAIL_HOST",
                        "LIVESESSION_TESTING", "LIVESESSION_TASKS_IMMEDIATE"}}
    # pytest-django put the test settings in the environment; the product runs on its own.
    env |= {"DJANGO_SETTINGS_MODULE": "livesession.config.settings", "LIVESESSION_VAR_DIR":
            str(var), "SITE_URL": base, "PYTHONUNBUFFERED": "1",
            # The robot check stays on, shorter than a person's typing: the test waits it out.
            "REGISTRATION_MIN_FILL_SECONDS": str(MIN_FILL_SECONDS),
            # The server's access log on, as an operator may turn it on: every path of the
            # run is written, so the log scans see what a token would leave there.
            "GRANIAN_LOG_ACCESS_ENABLED": "1"}
    made = Stack(base=base, var=var, env=env, event_url="", credentials={},
                 shots=tmp_path_factory.mktemp("screenshots"))
    made.run("migrate", "--verbosity", "0")
    printed = made.run("demo")
    found = re.search(r"(http://127\.0\.0\.1:\d+/e/[0-9a-f-]+/)", printed)
    assert found, f"the demo command printed no event URL:\n{printed}"
    made.event_url = found.group(1)
    made.credentials = json.loads((var / "demo-credentials.txt").read_text())
    assert made.credentials["owner_password"] in printed  # printed for the person who ran it

    with serving(base, port, env, var):
        yield made


@pytest.fixture(scope="module")
def browser(chromium_path: str, playwright_driver: Playwright) -> Iterator[Browser]:
    launched = playwright_driver.chromium.launch(executable_path=chromium_path,
                                                 args=CHROMIUM_FLAGS)
    try:
        yield launched
    finally:
        launched.close()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context: BrowserContext = browser.new_context(**PHONE)
    context.set_default_timeout(TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


def _fits_the_screen(page: Page) -> None:
    """Styled (the stylesheet loaded) and nothing wider than the screen."""
    assert page.evaluate("getComputedStyle(document.body).marginTop") == "0px", \
        "site.css is not applied"
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"horizontal overflow on {page.url}: {widths}"


def _mail_to(stack: Stack, address: str, timeout: float = 20) -> EmailMessage:
    """The file copy the worker writes when no SMTP server is configured."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in sorted((stack.var / "mail").glob("*.eml")):
            msg = message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if msg["To"] == address and "/j/" in (msg.get_body(("plain",)) or msg).get_content():
                assert isinstance(msg, EmailMessage)
                return msg
        time.sleep(0.2)
    pytest.fail(f"no email to {address} under {stack.var / 'mail'}\n"
                + _tail(stack.var / "worker.log"))


@dataclass
class Registered:
    link: str
    mail: EmailMessage


def _tab_to(page: Page, element_id: str) -> None:
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == element_id:
            return
    pytest.fail(f"#{element_id} cannot be reached with the Tab key")


@pytest.fixture(scope="module")
def registered(stack: Stack, browser: Browser) -> Registered:
    """A visitor registers on a phone, with the keyboard only, and gets the email."""
    context = browser.new_context(**PHONE)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        page.goto(stack.event_url)
        expect(page.locator("html")).to_have_attribute("lang", "fr")
        expect(page.locator("h1")).to_have_text("Webinaire de démonstration")
        _fits_the_screen(page)
        page.screenshot(path=stack.shots / "event-phone.png", full_page=True)

        # Sent empty (a tap on the button): each field says what is missing, announced.
        with page.expect_navigation():
            page.locator("#main form button[type=submit]").tap()
        alerts = page.get_by_role("alert")
        expect(alerts).to_have_count(3)
        for field in ("email", "first_name", "last_name"):
            box = page.locator(f"#id_{field}")
            expect(box).to_have_attribute("aria-invalid", "true")
            # The message is tied to its field: a screen reader reads it with the field.
            described = box.get_attribute("aria-describedby") or ""
            assert described, f"#id_{field} is not described by its error"
            error = page.locator(f"[id='{described}']")
            assert error.count() == 1, f"#id_{field} points at a missing #{described}"
            expect(box).to_have_accessible_description(error.inner_text().strip())
        _fits_the_screen(page)

        # Filled with the keyboard only: Tab, typing, Enter.
        _tab_to(page, "id_email")
        page.keyboard.type(VISITOR["email"])
        page.keyboard.press("Tab")
        page.keyboard.type(VISITOR["first_name"])
        page.keyboard.press("Tab")
        page.keyboard.type(VISITOR["last_name"])
        assert page.evaluate("document.activeElement.id") == "id_last_name"
        # A script types in milliseconds; a person takes longer than the minimum fill time.
        page.wait_for_timeout(MIN_FILL_SECONDS * 1000 + 200)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.url.endswith("/registered/"), (
            page.url, page.locator("[role=alert]").all_inner_texts())
        expect(page.get_by_role("status")).to_contain_text("Webinaire de démonstration")
        expect(page.locator("h1")).to_have_text(re.compile(r"\S"))
        _fits_the_screen(page)

        mail = _mail_to(stack, VISITOR["email"])
        body = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        found = re.search(re.escape(stack.base) + r"/j/[A-Za-z0-9_-]+/", body)
        assert found, body
        return Registered(link=found.group(0), mail=mail)
    finally:
        context.close()


def test_visitor_registers_on_a_phone_and_the_personal_link_waits(
        stack: Stack, registered: Registered, phone: Page) -> None:
    mail = registered.mail
    body = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Webinaire de démonstration" in body and VISITOR["first_name"] in body
    # In the language the visitor registered in.
    assert mail["Subject"] == "Votre inscription : Webinaire de démonstration", mail["Subject"]

    response = phone.goto(registered.link)
    assert response is not None and response.status == 200
    # The token is in the address: it must not leak to another site in a Referer.
    assert response.headers.get("referrer-policy") == "same-origin"
    # A timer, not a live region that a screen reader would read out every second.
    countdown = phone.get_by_role("timer")
    expect(countdown).to_have_attribute("id", "countdown")
    assert countdown.get_attribute("aria-live") in (None, "off")
    expect(countdown).to_have_text(re.compile(r"\d+ min \d+ s"))
    first = countdown.inner_text()
    phone.wait_for_function("t => document.getElementById('countdown').textContent !== t",
                            arg=first, timeout=3_000)

    # The start in the event's zone, named, and the page's script adds the visitor's own
    # time and zone beside it.
    start = phone.locator("#start")
    expect(start).to_contain_text("America/New_York")
    when = dt.datetime.fromisoformat(start.get_attribute("datetime") or "")
    text = start.inner_text()
    for zone in ("Europe/Paris", "America/New_York"):
        local = when.astimezone(zoneinfo.ZoneInfo(zone))
        assert f"{local.hour:02d}:{local.minute:02d}" in text and zone in text, text
    _fits_the_screen(phone)
    phone.screenshot(path=stack.shots / "waiting-phone.png", full_page=True)


def test_language_switch_to_english(stack: Stack, phone: Page) -> None:
    phone.goto(stack.event_url)
    expect(phone.locator("html")).to_have_attribute("lang", "fr")
    french = phone.locator("#register-title").inner_text()
    phone.locator("#lang-select").select_option("en")
    with phone.expect_navigation():
        phone.locator("form.lang button[type=submit]").tap()
    assert phone.url == stack.event_url  # back on the same page
    expect(phone.locator("html")).to_have_attribute("lang", "en")
    expect(phone.locator("#register-title")).to_have_text("Register")
    assert french != "Register", "the French page was not in French"
    expect(phone.get_by_label("Language")).to_have_value("en")
    expect(phone.get_by_label("First name")).to_be_visible()
    _fits_the_screen(phone)


def _sign_in(page: Page, stack: Stack, who: str) -> None:
    page.goto(f"{stack.base}/accounts/login/")
    page.locator("#id_email").fill(stack.credentials[f"{who}_email"])
    page.locator("#id_password").fill(stack.credentials[f"{who}_password"])
    with page.expect_navigation():
        page.locator("#id_password").press("Enter")


def test_organizer_sees_the_registration_and_publishes_an_event(
        stack: Stack, registered: Registered, phone: Page) -> None:
    _sign_in(phone, stack, "owner")
    assert phone.url == f"{stack.base}/manager/demo/", phone.url
    demo_link = phone.get_by_role("link", name="Webinaire de démonstration")
    expect(demo_link).to_be_visible()
    _fits_the_screen(phone)
    demo_link.tap()
    phone.wait_for_url(re.compile(r"/manager/demo/events/[0-9a-f-]+/$"))
    # The participant's name and address, decrypted for the controller.
    row = phone.locator("tbody tr", has_text=VISITOR["email"])
    expect(row).to_have_count(1)
    expect(row).to_contain_text(VISITOR["first_name"])
    expect(row).to_contain_text(VISITOR["last_name"])
    _fits_the_screen(phone)
    phone.screenshot(path=stack.shots / "manager-event-phone.png", full_page=True)

    # Back to the list through the header, then the "new event" button.
    phone.locator('header a[href="/manager/demo/"]').tap()
    phone.wait_for_url(f"{stack.base}/manager/demo/")
    phone.locator('#main a[href="/manager/demo/events/new/"]').tap()
    phone.wait_for_url(f"{stack.base}/manager/demo/events/new/")
    phone.locator("#id_title").fill("Atelier navigateur")
    phone.locator("#id_description").fill("Créé dans Chromium.")
    phone.locator("#id_time_zone").select_option("Europe/Paris")
    phone.locator("#id_starts_at").fill("2030-03-01T10:00")
    phone.locator("#id_ends_at").fill("2030-03-01T11:30")
    phone.locator("#id_room_url").fill("https://room.example/atelier")
    _fits_the_screen(phone)
    with phone.expect_navigation():
        phone.locator("#main form button[type=submit]").tap()
    phone.wait_for_url(re.compile(r"/manager/demo/events/[0-9a-f-]+/$"))
    expect(phone.locator("h1")).to_contain_text("Atelier navigateur")
    # Wall-clock time in the event's zone, as typed.
    expect(phone.locator("#main")).to_contain_text("10:00")
    expect(phone.locator("#main")).to_contain_text("Europe/Paris")
    assert phone.locator('#main a[href^="/e/"]').count() == 0  # a draft has no public page

    publish = phone.locator('#main form[action$="/publish/"] button')
    with phone.expect_navigation():
        publish.tap()
    public = phone.locator('#main a[href^="/e/"]')
    expect(public).to_have_count(1)
    expect(phone.locator("form[action$='/publish/']")).to_have_count(0)
    _fits_the_screen(phone)
    href = public.get_attribute("href")

    response = phone.goto(f"{stack.base}{href}")
    assert response is not None and response.status == 200
    expect(phone.locator("h1")).to_have_text("Atelier navigateur")
    expect(phone.locator("#id_email")).to_be_visible()
    _fits_the_screen(phone)
    phone.screenshot(path=stack.shots / "public-event-phone.png", full_page=True)


def test_operator_acknowledges_then_sees_clients_and_the_kept_message(
        stack: Stack, registered: Registered, phone: Page) -> None:
    _sign_in(phone, stack, "operator")
    # Staff set up their second factor first (S-02): the secret is shown as text, the first
    # code turns it on, the recovery codes are shown once.
    assert phone.url == f"{stack.base}/console/mfa/", phone.url
    with phone.expect_navigation():
        phone.locator("#main form button[type=submit]").first.tap()
    secret = phone.locator("#mfa-secret").inner_text().strip()
    from livesession.accounts import mfa

    phone.locator("#id_code").fill(mfa.totp(mfa._key(secret), time.time()))
    with phone.expect_navigation():
        phone.locator("#id_code").press("Enter")
    expect(phone.locator("ul.secret li")).to_have_count(10)
    _fits_the_screen(phone)
    with phone.expect_navigation():
        phone.locator("ul.secret ~ p a").tap()
    assert phone.url == f"{stack.base}/console/acknowledge/", phone.url
    _fits_the_screen(phone)
    with phone.expect_navigation():
        phone.locator("#main form button[type=submit]").tap()
    assert phone.url == f"{stack.base}/console/", phone.url
    expect(phone.locator("table")).to_contain_text("Démo Formation")
    _fits_the_screen(phone)

    phone.locator('a[href="/console/outbox/"]').tap()
    phone.wait_for_url(f"{stack.base}/console/outbox/")
    row = phone.locator("tbody tr", has_text="Inscription confirmée")  # the kind in words
    expect(row.first).to_be_visible()
    expect(row.first.locator(".badge")).to_have_text(re.compile(r"^(Kept|Conservé)"))
    _fits_the_screen(phone)


class _Room(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"<!doctype html><title>Room</title><h1>ROOM OK</h1>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def room() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Room)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/salle/e2e"
    finally:
        server.shutdown()
        server.server_close()


OPEN_EVENT = """
import datetime as dt
from livesession.core.clock import now
from livesession.core.models import Client
from livesession.events.services import create_event, publish_event
from livesession.registrations.services import register
starts = now() - dt.timedelta(minutes=1)
event = create_event(Client.objects.get(slug="demo"), actor="e2e", title="Salle ouverte",
                     description="", starts_at=starts, ends_at=starts + dt.timedelta(hours=1),
                     time_zone="Europe/Paris", room_url={room!r})
publish_event(event, actor="e2e")
made = register(event, email="room.e2e@example.org", first_name="Sam", last_name="Salle")
print("TOKEN=" + made.token)
"""


def test_personal_link_redirects_to_the_room_once_open(
        stack: Stack, room: str, phone: Page) -> None:
    printed = stack.run("manage", "shell", "-c", OPEN_EVENT.format(room=room))
    found = re.search(r"^TOKEN=(\S+)$", printed, re.MULTILINE)
    assert found, printed
    response = phone.goto(f"{stack.base}/j/{found.group(1)}/")
    assert response is not None and response.status == 200
    assert phone.url == room
    expect(phone.locator("h1")).to_have_text("ROOM OK")
