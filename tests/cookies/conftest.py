"""Helpers of the cookie tests: choose through the real consent view, read Set-Cookie."""

from __future__ import annotations

from http.cookies import Morsel
from typing import Any

import pytest
from django.test import Client as Browser

from livesession.cookies import inventory

# A documentation address (RFC 5737) and one of IPv6 (RFC 3849).
IPV4 = "203.0.113.77"
IPV6 = "2001:db8:abcd:12:34:56:78:9a"
CHROME_UA = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
             "Chrome/126.0.6478.126 Safari/537.36")


def choose(browser: Browser, choice: str, **extra: Any) -> Any:
    """Post a choice as the banner does (the test client skips CSRF checks, the banner's
    form carries the token: tests/cookies/test_banner.py reads it)."""
    data = {"choice": choice, "next": extra.pop("next", "/"),
            "surface": extra.pop("surface", "banner"), **extra}
    return browser.post("/cookies/consent/", data, HTTP_ACCEPT_LANGUAGE="en")


def set_cookies(response: Any) -> dict[str, Morsel[str]]:
    return dict(response.cookies.items())


@pytest.fixture
def visitor() -> Browser:
    return Browser(REMOTE_ADDR=IPV4, HTTP_USER_AGENT=CHROME_UA, HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def consent_name() -> str:
    return inventory.CONSENT_COOKIE
