"""What the operator console shows: dates in words, kinds of email and audit actions as
labels in the reader's language, long lists in pages of 50 with an accessible navigation
(nav named for screen readers, the current page marked, previous and next)."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.db import transaction
from django.test import Client as Browser
from django.utils import translation

from livesession.audit.models import AuditEntry
from livesession.audit.services import record
from livesession.core.labels import ACTIONS, MESSAGE_KINDS, action_label, message_kind_label
from livesession.desk import services as desk
from livesession.desk.deadlines import today
from livesession.messaging.services import queue_email

ISO_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
MICROSECONDS = re.compile(r"\d{2}:\d{2}:\d{2}\.\d{6}")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
FRENCH_DATE = re.compile(r"\b\d{1,2} (?:janvier|février|mars|avril|mai|juin|juillet|août|"
                         r"septembre|octobre|novembre|décembre) \d{4} à \d{1,2}:\d{2}\b")


def _console(operator: Any, language: str = "fr") -> Browser:
    browser = Browser(HTTP_ACCEPT_LANGUAGE=language)
    browser.force_login(operator)
    return browser


def _visible(page: str) -> str:
    body = page.split("<main", 1)[-1]
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def _rows(page: str) -> int:
    tbody = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return tbody.count("<tr")


def _messages(operator: Any, n: int) -> None:
    """``n`` messages; the oldest is a reset mail, the others confirmations."""
    with transaction.atomic():
        for i in range(n):
            queue_email(subject=operator.subject, to="staff@example.org",
                        subject_line="s", body="b", client_id=None,
                        kind="account.reset" if i == 0 else "registration.confirmation")


def _pager(page: str) -> str:
    found = re.search(r'<nav class="pager" aria-label="[^"]+">.*?</nav>', page, re.S)
    assert found, "no page navigation"
    return found.group(0)


def test_outbox_shows_kinds_in_words_and_dates_in_french(operator: Any) -> None:
    _messages(operator, 3)
    page = _console(operator).get("/console/outbox/").content.decode()
    text = _visible(page)
    assert "Inscription confirmée" in text
    assert "Courriel pour choisir un nouveau mot de passe" in text
    assert "registration.confirmation" not in text and "account.reset" not in text
    assert not ISO_INSTANT.search(text) and not MICROSECONDS.search(page)
    assert FRENCH_DATE.search(text), "no date in French words"
    assert 'class="reader-time"' in page and "readertime.js" in page
    # the English reader gets English words
    english = _visible(_console(operator, "en").get("/console/outbox/").content.decode())
    assert "Registration confirmed" in english and " at " in english


def test_outbox_has_pages_of_50_with_an_accessible_navigation(operator: Any) -> None:
    _messages(operator, 51)
    browser = _console(operator)
    first = browser.get("/console/outbox/").content.decode()
    assert _rows(first) == 50
    nav = _pager(first)
    assert 'aria-current="page"' in nav and 'rel="next"' in nav and 'rel="prev"' not in nav
    assert "Page suivante" in nav
    # the oldest message (the reset mail) is alone on page 2
    with translation.override("fr"):
        reset = message_kind_label("account.reset")
    assert reset not in _visible(first)
    second = browser.get("/console/outbox/?page=2").content.decode()
    assert _rows(second) == 1 and reset in _visible(second)
    assert 'rel="prev"' in _pager(second) and 'rel="next"' not in _pager(second)
    assert re.search(r'aria-current="page"><span class="sr-only">Page </span>2<', second)
    # a page out of range shows the last one; a malformed one the first
    beyond = browser.get("/console/outbox/?page=99")
    assert beyond.status_code == 200 and _rows(beyond.content.decode()) == 1
    assert _rows(browser.get("/console/outbox/?page=abc").content.decode()) == 50


def test_audit_trail_pages_keep_the_filter_and_show_actions_in_words(operator: Any) -> None:
    action = "consent_purpose.reactivated"  # an action nothing else writes here
    for _i in range(51):
        record("account:1", action,
               target="registration:532fb495-6f17-4aea-8834-a15e327a7cba")
    browser = _console(operator)
    first = browser.get("/console/audit/", {"action": action}).content.decode()
    assert AuditEntry.objects.filter(action=action).count() == 51
    assert _rows(first) == 50
    text = _visible(first)
    with translation.override("fr"):
        assert action_label(action) in text
    assert not ISO_INSTANT.search(text) and not MICROSECONDS.search(first)
    assert FRENCH_DATE.search(text)
    assert not UUID.search(text), "a whole UUID wraps the table"
    assert "registration:532fb495…" in text
    nav = _pager(first)
    assert f"action={action}" in nav  # the filter is kept from page to page
    second = browser.get("/console/audit/", {"action": action, "page": "2"}).content.decode()
    assert _rows(second) == 1


def test_request_desk_has_pages(operator: Any) -> None:
    for i in range(51):
        desk.record_request(client=None, type="access", channel="email",
                            received_on=today(), email=f"person{i}@example.org",
                            actor="test")
    browser = _console(operator)
    first = browser.get("/console/desk/").content.decode()
    assert _rows(first) == 50 and 'rel="next"' in _pager(first)
    assert _rows(browser.get("/console/desk/?page=2").content.decode()) == 1


@pytest.mark.parametrize("code", sorted(ACTIONS))
def test_every_audit_action_label_is_translated(code: str) -> None:
    with translation.override("fr"):
        french = action_label(code)
    with translation.override("en"):
        english = action_label(code)
    assert french != english, code


def test_every_email_kind_label_is_translated() -> None:
    for kind in MESSAGE_KINDS:
        with translation.override("fr"):
            french = message_kind_label(kind)
        with translation.override("en"):
            english = message_kind_label(kind)
        assert french != english, kind


def test_console_home_shows_the_heartbeat_in_words(operator: Any) -> None:
    from livesession.core.clock import now
    from livesession.core.models import WorkerHeartbeat

    WorkerHeartbeat.objects.update_or_create(name="worker", defaults={"beat_at": now()})
    page = _console(operator).get("/console/").content.decode()
    text = _visible(page)
    assert not ISO_INSTANT.search(text) and not MICROSECONDS.search(page)
    assert FRENCH_DATE.search(text)
