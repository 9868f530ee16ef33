"""Bots (issue 3 §8; BIZ-2): honeypot, minimum fill time, rate limits per address and per
event, optional self-hosted proof of work. No third-party captcha.

The suite's settings turn the fill-time check off (other tests post the form without
showing it first) and set the rate limits very high; the tests here set their own with
the ``settings`` fixture and move time with ``core.clock.freeze``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.test import Client as Browser

from livesession.core import clock, ratelimit
from livesession.core import pow as proof_of_work
from livesession.messaging.models import OutboxMessage
from livesession.portal import bots
from livesession.registrations.models import Registration

PERSON = {"email": "lea@example.org", "first_name": "Léa", "last_name": "Martin"}
# The next minute, 5 s in: events of the fixtures (tomorrow) are open for registration.
T0 = (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)).replace(second=5, microsecond=0)
TOO_FAST = "The form was sent too quickly"
EXPIRED = "This form has expired or could not be checked"


def _later(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def _hidden(html: str, name: str) -> str:
    found = re.search(rf'<input type="hidden" name="{name}"(?: value="([^"]*)")?', html)
    assert found, f"no hidden {name} in the page"
    return found.group(1) or ""


def _show(browser: Browser, event: Any, at: dt.datetime) -> str:
    with clock.freeze(at):
        page = browser.get(f"/e/{event.pk}/")
    assert page.status_code == 200
    return page.content.decode()


def _send(browser: Browser, event: Any, at: dt.datetime, **extra: str) -> Any:
    with clock.freeze(at):
        return browser.post(f"/e/{event.pk}/", {**PERSON, **extra})


def _stored_nothing() -> None:
    assert not Registration.objects.exists()
    assert not OutboxMessage.objects.exists()


@pytest.fixture(autouse=True)
def _fresh_counts(settings: Any) -> None:
    """With REDIS_URL (CI), counts outlive a test's transaction: start each test at zero."""
    if settings.REDIS_URL:
        import redis

        client = redis.Redis.from_url(settings.REDIS_URL)
        for key in client.scan_iter(f"{ratelimit.REDIS_PREFIX}*"):
            client.delete(key)


@pytest.fixture
def timed(settings: Any) -> float:
    settings.REGISTRATION_MIN_FILL_SECONDS = 3
    return 3.0


@pytest.fixture
def visitor() -> Browser:
    return Browser(HTTP_ACCEPT_LANGUAGE="en")


# --- Honeypot ---------------------------------------------------------------------------

def test_the_honeypot_is_hidden_from_people_and_left_out_of_the_fields(event_a: Any) -> None:
    html = Browser().get(f"/e/{event_a.pk}/").content.decode()
    field = re.search(r'<input type="text" name="website"[^>]*>', html)
    assert field is not None
    assert 'tabindex="-1"' in field.group(0) and 'autocomplete="off"' in field.group(0)
    box = html[:field.start()].rsplit("<div", 1)[1]
    assert 'aria-hidden="true"' in box and "left:-10000px" in box
    # Not one of the visible rows (no "field" wrapper, no required mark).
    assert 'class="field"' not in box


def test_a_filled_honeypot_gets_the_same_answer_and_stores_nothing(
        event_a: Any, visitor: Browser, timed: float) -> None:
    human = Browser(HTTP_ACCEPT_LANGUAGE="en")
    html = _show(human, event_a, T0)
    real = _send(human, event_a, _later(10), form_stamp=_hidden(html, "form_stamp"),
                 email="real@example.org")
    assert real.status_code == 302 and Registration.objects.count() == 1
    Registration.objects.all().delete()
    OutboxMessage.objects.all().delete()

    html = _show(visitor, event_a, T0)
    robot = _send(visitor, event_a, _later(10), form_stamp=_hidden(html, "form_stamp"),
                  website="https://spam.example")
    assert (robot.status_code, robot["Location"]) == (real.status_code, real["Location"])
    _stored_nothing()
    # Even a robot that skips the page and the timing learns nothing more.
    assert _send(visitor, event_a, T0, website="x")["Location"] == real["Location"]
    _stored_nothing()


# --- Minimum fill time ------------------------------------------------------------------

def test_a_person_who_takes_a_few_seconds_registers(event_a: Any, visitor: Browser,
                                                    timed: float) -> None:
    html = _show(visitor, event_a, T0)
    response = _send(visitor, event_a, _later(4), form_stamp=_hidden(html, "form_stamp"))
    assert response.status_code == 302
    assert response["Location"] == f"/e/{event_a.pk}/registered/"
    assert Registration.objects.count() == 1


def test_too_fast_is_refused_with_a_message_and_the_second_try_passes(
        event_a: Any, visitor: Browser, timed: float) -> None:
    stamp = _hidden(_show(visitor, event_a, T0), "form_stamp")
    response = _send(visitor, event_a, _later(1), form_stamp=stamp)
    html = response.content.decode()
    assert response.status_code == 400
    assert TOO_FAST in html and 'role="alert"' in html
    assert 'value="lea@example.org"' in html  # what was typed is kept
    _stored_nothing()
    # The page keeps the first stamp: the time already spent counts.
    assert _hidden(html, "form_stamp") == stamp
    assert _send(visitor, event_a, _later(3.5), form_stamp=stamp).status_code == 302
    assert Registration.objects.count() == 1


def test_too_fast_with_bad_answers_shows_the_field_errors(event_a: Any, visitor: Browser,
                                                          timed: float) -> None:
    stamp = _hidden(_show(visitor, event_a, T0), "form_stamp")
    response = _send(visitor, event_a, _later(0.5), form_stamp=stamp, email="")
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_email_error"' in html and TOO_FAST not in html
    _stored_nothing()


@pytest.mark.parametrize("stamp", [
    "",  # missing
    "forged",
    # signed by us, but with another salt (another kind of token)
    "eyJlIjoiMSIsInQiOjF9:1abcde:Zm9yZ2VkLXNpZ25hdHVyZS1vZi10aGUtc3RhbXAtdGhhdA",
])
def test_a_missing_or_forged_stamp_is_refused(event_a: Any, visitor: Browser, timed: float,
                                              stamp: str) -> None:
    response = _send(visitor, event_a, _later(60), form_stamp=stamp)
    assert response.status_code == 400 and EXPIRED in response.content.decode()
    _stored_nothing()


def test_a_stamp_edited_to_look_older_is_refused(event_a: Any, visitor: Browser,
                                                 timed: float) -> None:
    stamp = _hidden(_show(visitor, event_a, T0), "form_stamp")
    payload, rest = stamp.split(":", 1)
    import base64

    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    data["t"] -= 3600
    older = base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode())
    forged = older.decode().rstrip("=") + ":" + rest
    response = _send(visitor, event_a, _later(1), form_stamp=forged)
    assert response.status_code == 400 and EXPIRED in response.content.decode()
    _stored_nothing()


def test_a_stamp_of_another_event_or_older_than_a_day_is_refused(
        make_event: Any, client_a: Any, visitor: Browser, timed: float) -> None:
    event_a = make_event(client_a, starts_in=dt.timedelta(days=3))
    other = make_event(client_a, title="Autre")
    stamp_other = _hidden(_show(visitor, other, T0), "form_stamp")
    refused = _send(visitor, event_a, _later(30), form_stamp=stamp_other)
    assert refused.status_code == 400 and EXPIRED in refused.content.decode()

    stamp = _hidden(_show(visitor, event_a, T0), "form_stamp")
    late = _send(visitor, event_a, _later(24 * 3600 + 1), form_stamp=stamp)
    html = late.content.decode()
    assert late.status_code == 400 and EXPIRED in html
    _stored_nothing()
    # The page came back with a fresh stamp: sent a few seconds later, it passes.
    fresh = _hidden(html, "form_stamp")
    assert fresh != stamp
    assert _send(visitor, event_a, _later(24 * 3600 + 10), form_stamp=fresh).status_code == 302


def test_the_stamp_check_is_off_at_zero(event_a: Any, visitor: Browser,
                                        settings: Any) -> None:
    settings.REGISTRATION_MIN_FILL_SECONDS = 0
    assert visitor.post(f"/e/{event_a.pk}/", PERSON).status_code == 302


def test_stamps_are_bound_to_their_event() -> None:
    with clock.freeze(T0):
        stamp = bots.issue_stamp("event-1")
    with clock.freeze(_later(10)):
        assert bots.valid_stamp(stamp, "event-1") and not bots.valid_stamp(stamp, "event-2")


# --- Rate limits ------------------------------------------------------------------------

def test_the_page_limits_each_address_with_retry_after(event_a: Any, settings: Any) -> None:
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "register": (2, 60)}
    robot = Browser(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="198.51.100.20")
    with clock.freeze(T0):
        codes = [robot.post(f"/e/{event_a.pk}/", dict(PERSON, email=f"r{n}@example.org"))
                 .status_code for n in range(3)]
        refused = robot.post(f"/e/{event_a.pk}/", PERSON)
        other = Browser(REMOTE_ADDR="198.51.100.21").post(
            f"/e/{event_a.pk}/", dict(PERSON, email="other@example.org"))
    assert codes == [302, 302, 429]
    assert refused.status_code == 429 and refused["Retry-After"] == "55"
    assert "Too many attempts from your connection" in refused.content.decode()
    assert other.status_code == 302
    assert Registration.objects.count() == 3


def test_the_page_limits_each_event_across_addresses(event_a: Any, make_event: Any,
                                                     client_a: Any, settings: Any) -> None:
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "register_event": (3, 60)}
    other_event = make_event(client_a, title="Autre")
    with clock.freeze(T0):
        codes = [Browser(REMOTE_ADDR=f"198.51.100.{n}").post(
            f"/e/{event_a.pk}/", dict(PERSON, email=f"p{n}@example.org")).status_code
            for n in range(1, 5)]
        refused = Browser(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="198.51.100.9").post(
            f"/e/{event_a.pk}/", PERSON)
        elsewhere = Browser(REMOTE_ADDR="198.51.100.9").post(f"/e/{other_event.pk}/", PERSON)
    assert codes == [302, 302, 302, 429]
    assert refused.status_code == 429 and refused["Retry-After"] == "55"
    assert "Many people are registering" in refused.content.decode()
    assert elsewhere.status_code == 302


def test_the_api_limits_each_address_with_a_json_error_and_retry_after(
        event_a: Any, settings: Any) -> None:
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "register": (2, 60)}
    url = f"/api/v1/events/{event_a.pk}/registrations"
    robot = Browser(REMOTE_ADDR="198.51.100.30", HTTP_ACCEPT_LANGUAGE="en")
    with clock.freeze(T0):
        codes = [robot.post(url, dict(PERSON, email=f"r{n}@example.org"),
                            content_type="application/json").status_code for n in range(3)]
        refused = robot.post(url, PERSON, content_type="application/json")
    assert codes == [202, 202, 429]
    assert refused["Retry-After"] == "55"
    body = refused.json()
    assert body["retry_after"] == 55
    assert "55 seconds" in body["errors"]["detail"][0]


def test_the_api_limits_each_event_across_addresses(event_a: Any, settings: Any) -> None:
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "register_event": (2, 60)}
    url = f"/api/v1/events/{event_a.pk}/registrations"
    with clock.freeze(_later(30)):
        codes = [Browser(REMOTE_ADDR=f"198.51.100.{n}").post(
            url, dict(PERSON, email=f"p{n}@example.org"),
            content_type="application/json").status_code for n in range(1, 4)]
        refused = Browser(REMOTE_ADDR="198.51.100.9").post(url, PERSON,
                                                            content_type="application/json")
    assert codes == [202, 202, 429]
    assert refused["Retry-After"] == "25" and refused.json()["retry_after"] == 25
    assert Registration.objects.count() == 2


def test_a_forged_forwarded_header_does_not_dodge_the_limit(event_a: Any,
                                                            settings: Any) -> None:
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "register": (1, 60)}
    url = f"/api/v1/events/{event_a.pk}/registrations"
    with clock.freeze(T0):
        codes = [Browser(REMOTE_ADDR="198.51.100.40",
                         HTTP_X_FORWARDED_FOR=f"10.9.9.{n}").post(
            url, dict(PERSON, email=f"f{n}@example.org"),
            content_type="application/json").status_code for n in range(3)]
    assert codes == [202, 429, 429]


def test_sign_in_is_limited_in_the_shared_store(client_a: Any, settings: Any) -> None:
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login": (2, 60)}
    browser = Browser(REMOTE_ADDR="198.51.100.50")
    with clock.freeze(T0):
        codes = [browser.post("/accounts/login/", {"email": "owner@alpha.test",
                                                   "password": "wrong password"}).status_code
                 for _ in range(3)]
    assert codes == [400, 400, 429]


# --- Proof of work ----------------------------------------------------------------------

@pytest.fixture
def pow_on(settings: Any) -> int:
    settings.REGISTRATION_POW_DIFFICULTY = 10
    return 10


def test_pow_off_needs_nothing(event_a: Any, visitor: Browser) -> None:
    html = visitor.get(f"/e/{event_a.pk}/").content.decode()
    assert "pow.js" not in html and "data-pow-difficulty" not in html
    assert visitor.post(f"/e/{event_a.pk}/", PERSON).status_code == 302
    assert Browser().post(f"/api/v1/events/{event_a.pk}/registrations",
                          dict(PERSON, email="api@example.org"),
                          content_type="application/json").status_code == 202
    challenge = Browser().get("/api/v1/pow-challenge").json()
    assert challenge["difficulty"] == 0 and challenge["challenge"] is None


def test_pow_page_embeds_the_challenge_the_script_and_a_javascript_notice(
        event_a: Any, visitor: Browser, pow_on: int) -> None:
    html = visitor.get(f"/e/{event_a.pk}/").content.decode()
    assert 'data-pow-difficulty="10"' in html
    assert _hidden(html, "pow_challenge")
    assert "/static/livesession/pow.js" in html
    assert 'aria-live="polite"' in html and "Checking your browser…" in html
    # Until the script runs (JavaScript off, script blocked), the page says it is needed.
    status = re.search(r'<p id="pow-status"[^>]*>([^<]*)</p>', html)
    assert status is not None and "JavaScript is required" in status.group(1)


def test_pow_page_a_right_solution_passes_a_wrong_or_reused_one_fails(
        event_a: Any, visitor: Browser, pow_on: int) -> None:
    url = f"/e/{event_a.pk}/"
    html = visitor.get(url).content.decode()
    challenge = _hidden(html, "pow_challenge")
    right = proof_of_work.solve(challenge, pow_on)
    wrong = next(str(n) for n in range(10_000)
                 if not proof_of_work.solves(challenge, str(n), pow_on))

    refused = visitor.post(url, dict(PERSON, pow_challenge=challenge, pow_solution=wrong))
    assert refused.status_code == 400
    assert "The browser check failed" in refused.content.decode()
    missing = visitor.post(url, dict(PERSON, pow_challenge=challenge))
    assert missing.status_code == 400 and "Allow JavaScript" in missing.content.decode()
    _stored_nothing()
    # Each answer carries a new challenge.
    assert _hidden(refused.content.decode(), "pow_challenge") != challenge

    accepted = visitor.post(url, dict(PERSON, pow_challenge=challenge, pow_solution=right))
    assert accepted.status_code == 302 and Registration.objects.count() == 1
    again = visitor.post(url, dict(PERSON, email="second@example.org",
                                   pow_challenge=challenge, pow_solution=right))
    assert again.status_code == 400 and "already used" in again.content.decode()
    assert Registration.objects.count() == 1


def test_pow_api_challenge_then_headers(event_a: Any, pow_on: int) -> None:
    answer = Browser().get("/api/v1/pow-challenge")
    assert answer.status_code == 200 and answer["Cache-Control"] == "no-store"
    body = answer.json()
    assert body["difficulty"] == 10 and body["algorithm"] == "SHA-256"
    assert body["expires_in"] == proof_of_work.LIFETIME
    challenge = body["challenge"]
    right = proof_of_work.solve(challenge, body["difficulty"])
    url = f"/api/v1/events/{event_a.pk}/registrations"

    def post(email: str, **headers: str) -> Any:
        return Browser(HTTP_ACCEPT_LANGUAGE="en").post(
            url, dict(PERSON, email=email), content_type="application/json", headers=headers)

    missing = post("a@example.org")
    assert missing.status_code == 400 and "X-PoW-Challenge" in \
        missing.json()["errors"]["X-PoW-Solution"][0]
    wrong = next(str(n) for n in range(10_000)
                 if not proof_of_work.solves(challenge, str(n), 10))
    assert post("a@example.org", **{"X-PoW-Challenge": challenge,
                                    "X-PoW-Solution": wrong}).status_code == 400
    assert not Registration.objects.exists()
    ok = post("a@example.org", **{"X-PoW-Challenge": challenge, "X-PoW-Solution": right})
    assert ok.status_code == 202
    reused = post("b@example.org", **{"X-PoW-Challenge": challenge, "X-PoW-Solution": right})
    assert reused.status_code == 400 and "already used" in \
        reused.json()["errors"]["X-PoW-Solution"][0]
    assert Registration.objects.count() == 1


def test_pow_api_retry_with_the_same_idempotency_key_replays_without_a_new_challenge(
        event_a: Any, pow_on: int) -> None:
    challenge = Browser().get("/api/v1/pow-challenge").json()["challenge"]
    headers = {"X-PoW-Challenge": challenge,
               "X-PoW-Solution": proof_of_work.solve(challenge, pow_on),
               "Idempotency-Key": "retry-1"}
    url = f"/api/v1/events/{event_a.pk}/registrations"
    first = Browser().post(url, PERSON, content_type="application/json", headers=headers)
    second = Browser().post(url, PERSON, content_type="application/json", headers=headers)
    assert first.status_code == second.status_code == 202
    assert first.json() == second.json()


@pytest.mark.no_db
def test_pow_js_finds_the_same_solution_as_the_server(tmp_path: Path) -> None:
    """The browser's solver (pow.js, run by Node as its Web Worker part) agrees with the
    server's check; skipped where Node is not installed."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    script = Path(__file__).resolve().parents[2] / "src/livesession/static/livesession/pow.js"
    runner = tmp_path / "run.js"
    runner.write_text(
        "const code = require('fs').readFileSync(process.argv[2], 'utf8');\n"
        "let out = null; global.self = { postMessage: (m) => { out = m; } };\n"
        "eval(code);\n"
        "for (const [c, b] of JSON.parse(process.argv[3])) {\n"
        "  self.onmessage({ data: { challenge: c, bits: b } });\n"
        "  console.log(out.solution);\n"
        "}\n")
    # Lengths around the 64-byte block where the script hashes the fixed part once.
    cases = [("a" * 63, 9), ("b" * 64, 10), ("c" * 70, 11), ("x.1.12:" + "s" * 43, 12)]
    done = subprocess.run([node, str(runner), str(script), json.dumps(cases)],
                          capture_output=True, text=True, timeout=120, check=True)
    solutions = done.stdout.split()
    for (challenge, bits), solution in zip(cases, solutions, strict=True):
        assert solution == proof_of_work.solve(challenge, bits), challenge


# --- In a real browser (slow) -----------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]


def _chromium() -> str:
    if not Path(CHROMIUM).exists():
        reason = f"Debian's Chromium is not installed ({CHROMIUM} missing)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return CHROMIUM


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, databases="__all__")
def test_a_real_browser_solves_the_proof_of_work_and_one_without_javascript_is_told(
        live_server: Any, event_a: Any, settings: Any) -> None:
    """pow.js in Chromium: the visitor sends at once, the page waits for the check (a Web
    Worker), then sends; the server accepts. Without JavaScript the page says why it is
    needed and the server refuses the form."""
    from playwright.sync_api import expect, sync_playwright

    settings.REGISTRATION_POW_DIFFICULTY = 16
    settings.REGISTRATION_MIN_FILL_SECONDS = 0
    url = f"{live_server.url}/e/{event_a.pk}/"
    # Playwright's sync API runs an event loop: the database is read after it is closed.
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=_chromium(), args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(locale="en-GB")
            page.set_default_timeout(30_000)
            page.goto(url)
            expect(page.locator("#pow-status")).not_to_contain_text("JavaScript is required")
            page.fill("#id_email", "browser@example.org")
            page.fill("#id_first_name", "Ada")
            page.fill("#id_last_name", "Lovelace")
            with page.expect_navigation():
                page.locator("#registration-form button[type=submit]").click()
            assert page.url.endswith(f"/e/{event_a.pk}/registered/"), page.url

            no_js = browser.new_context(java_script_enabled=False, locale="en-GB").new_page()
            no_js.goto(url)
            expect(no_js.locator("#pow-status")).to_contain_text("JavaScript is required")
            honeypot = no_js.locator("#id_website").bounding_box()
            assert honeypot is not None and honeypot["x"] + honeypot["width"] < 0  # off screen
            no_js.fill("#id_email", "nojs@example.org")
            no_js.fill("#id_first_name", "No")
            no_js.fill("#id_last_name", "Script")
            with no_js.expect_navigation():
                no_js.locator("#registration-form button[type=submit]").click()
            expect(no_js.get_by_role("alert").first).to_contain_text("Allow JavaScript")
        finally:
            browser.close()
    assert list(Registration.objects.values_list("status", flat=True)) == ["confirmed"]
