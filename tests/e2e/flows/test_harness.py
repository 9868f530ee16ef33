"""The suite's own checks can fail: each kind of problem the harness watches for is made
to happen once, and the harness must catch it."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.e2e.flows.harness import Mailbox, Person, leaks, redact, secrets_in_url
from tests.e2e.test_browser import Stack

pytestmark = [pytest.mark.slow, pytest.mark.no_db]

TOKEN = "Zk3v_9QpL2mXw8RtYb4N"


def test_a_token_in_a_url_is_found_and_redacted() -> None:
    url = f"http://127.0.0.1:8000/j/{TOKEN}/cancel/?next=/e/0b7e1c52-7a53-4c1b-9a0e-3e4f5a6b7c8d/"
    assert secrets_in_url(url) == {TOKEN}  # an event's UUID is public, not a secret
    assert TOKEN not in redact(url) and "/j/<token>/cancel/" in redact(url)


def test_a_log_line_holding_a_secret_is_reported(tmp_path: Path) -> None:
    stack = Stack(base="http://127.0.0.1:1", var=tmp_path, env={}, event_url="",
                  credentials={}, shots=tmp_path)
    (tmp_path / "serve.log").write_text(
        "INFO ok\nWARNING Forbidden (Origin checking failed): "
        f"/accounts/verify/{TOKEN}/\nINFO mail to lea%40example.org\n")
    found = leaks(stack, {TOKEN, "lea@example.org", "absent-value"})
    assert len(found) == 2, found
    assert all(TOKEN not in line and "lea%40" not in line for line in found)
    assert found[0].startswith("serve.log:2 ")


def test_the_guard_fails_on_a_missing_page_and_a_console_error(
        site: Stack, chromium: Browser, axe: str, mailbox: Mailbox) -> None:
    person = Person(site, chromium, "desktop", mailbox, axe)
    try:
        person.page.goto(f"{site.base}/no-such-page/{TOKEN}/")
        person.page.evaluate("console.error('broken on purpose')")
        with pytest.raises(pytest.fail.Exception) as failed:
            person.guard.raise_if_any()
        message = str(failed.value)
        assert "HTTP 404 GET" in message and "/no-such-page/<token>/" in message
        assert TOKEN not in message
        assert "console error: broken on purpose" in message
        # An expected answer, said so, passes.
        with person.allowing(404, r"^/no-such-page/"):
            person.open(f"/no-such-page/{TOKEN}/", status=404)
        person.guard.failures.clear()
    finally:
        person.finish()


def test_axe_fails_a_page_with_a_serious_violation(
        site: Stack, chromium: Browser, axe: str, mailbox: Mailbox) -> None:
    person = Person(site, chromium, "phone", mailbox, axe)
    try:
        person.open(site.event_url)  # the demo event page passes as it is
        person.page.evaluate("""() => { const img = document.createElement('img');
            img.src = '/static/none.png'; img.id = 'no-alt'; img.width = 10;
            document.querySelector('#main').append(img);
            const b = document.createElement('button'); b.id = 'no-name';
            document.querySelector('#main').append(b); }""")
        with pytest.raises(AssertionError) as failed:
            person.see()
        message = str(failed.value)
        assert "image-alt" in message and "#no-alt" in message
        assert "button-name" in message and "#no-name" in message
    finally:
        person.guard.failures.clear()  # the broken image's own 404 is part of the test
        person.context.close()


def test_a_page_left_unchecked_is_reported(
        site: Stack, chromium: Browser, axe: str, mailbox: Mailbox) -> None:
    person = Person(site, chromium, "desktop", mailbox, axe)
    person.page.goto(f"{site.base}/privacy/")  # not through person.open: axe never saw it
    person.open(site.event_url)
    problems = person.finish()
    assert any("never checked by axe" in p and "/privacy/" in p for p in problems), problems
