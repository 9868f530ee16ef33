"""Fixtures of the account tests: participants, and a mailbox on the real SMTP server."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import AbstractContextManager
from email.header import decode_header, make_header
from email.message import Message
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.test import Client as Browser

from livesession.accounts.models import User
from livesession.accounts.services import create_account

PASSWORD = "a quiet lighthouse at dusk"
_CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Rate limits and mail budgets count in the cache."""
    cache.clear()
    yield
    cache.clear()


class Mailbox:
    """What the real SMTP server received; ``deliver()`` wraps the calls whose outbox rows
    should leave (the doorbell rings on commit)."""

    def __init__(self, server: Any, capture: Any) -> None:
        self.server = server
        self._capture = capture

    def deliver(self) -> AbstractContextManager[Any]:
        return self._capture(execute=True)  # type: ignore[no-any-return]

    @property
    def messages(self) -> list[Message]:
        return list(self.server.messages)

    def to(self, address: str) -> list[Message]:
        return [m for m in self.server.messages if m["X-Envelope-To"] == address]

    @staticmethod
    def subject(mail: Message) -> str:
        return str(make_header(decode_header(mail["Subject"])))

    @staticmethod
    def body(mail: Message) -> str:
        payload = mail.get_payload(decode=True)
        assert isinstance(payload, bytes)
        return payload.decode()

    def paths(self, mail: Message) -> list[str]:
        """The site links of the mail, as paths a test browser can follow."""
        return [urlsplit(url).path for url in re.findall(r"https?://\S+", self.body(mail))]

    def path_to(self, mail: Message, prefix: str) -> str:
        found = [p for p in self.paths(mail) if p.startswith(prefix)]
        assert len(found) == 1, (prefix, self.paths(mail))
        return found[0]


@pytest.fixture
def mailbox(smtp_server: Any, django_capture_on_commit_callbacks: Any) -> Mailbox:
    return Mailbox(smtp_server, django_capture_on_commit_callbacks)


@pytest.fixture
def make_participant() -> Any:
    def make(email: str, first_name: str = "Camille", last_name: str = "Durand", *,
             verified: bool = True, password: str = PASSWORD) -> User:
        return create_account(email, password, first_name=first_name, last_name=last_name,
                              verified=verified, language="en", actor="test")

    return make


def masked(response: HttpResponse) -> bytes:
    """The body with the per-request CSRF tokens masked: what a visitor could compare."""
    return _CSRF.sub(b'name="csrfmiddlewaretoken" value=""', response.content)


def sign_in(email: str, password: str = PASSWORD, **headers: Any) -> tuple[Browser,
                                                                           HttpResponse]:
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en", **headers)
    response = browser.post("/accounts/login/", {"email": email, "password": password})
    return browser, response


def open_link(browser: Browser, path: str) -> str:
    """Open a mailed account link as a browser does: its token moves to the session and the
    answer sends the browser to an address without it, which is returned."""
    opened = browser.get(path)
    assert opened.status_code == 302, opened.status_code
    target = str(opened["Location"])
    token = path.rstrip("/").rsplit("/", 1)[1]
    assert token not in target
    return target
