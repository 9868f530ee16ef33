"""Fixtures of the request desk tests: a mailbox on the real SMTP server, requests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import translation

from livesession.core.models import Client
from livesession.desk import deadlines, services
from livesession.desk.models import Request
from tests.accounts.conftest import Mailbox


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """The service errors are matched in English. Django's test client leaves the last
    request's language active in the thread, so without this the language of a desk test
    depended on which test ran before it in the same worker."""
    with translation.override("en"):
        yield


@pytest.fixture
def mailbox(smtp_server: Any, django_capture_on_commit_callbacks: Any) -> Mailbox:
    return Mailbox(smtp_server, django_capture_on_commit_callbacks)


@pytest.fixture
def make_request() -> Any:
    def make(client: Client | None = None, *, type: str = "access", channel: str = "email",
             email: str = "writer@example.org", received_on: dt.date | None = None,
             **extra: Any) -> Request:
        return services.record_request(
            client=client, type=type, channel=channel, email=email, actor="test",
            received_on=received_on or deadlines.today(), language="en", **extra)

    return make
