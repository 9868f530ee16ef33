"""Shared fixtures: two clients with members, events, an operator, a real SMTP server."""

from __future__ import annotations

import datetime as dt
import logging
import socket
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from livesession.accounts.models import User
from livesession.accounts.services import create_account
from livesession.core.clock import now
from livesession.core.models import Client, Role
from livesession.core.services import add_member, create_client
from livesession.events.models import Event
from livesession.events.services import create_event, publish_event

PASSWORD = "correct horse battery staple"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test may use both databases (main and keystore) unless it says otherwise."""
    for item in items:
        if item.get_closest_marker("django_db") is None and not item.get_closest_marker("no_db"):
            item.add_marker(pytest.mark.django_db(databases="__all__"))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "no_db: the test touches no database")
    config.addinivalue_line("markers", "real_mfa: force_login does not stand for the code step")


@pytest.fixture
def make_client() -> Any:
    def make(slug: str, owner_email: str | None = None) -> Client:
        made = create_client(slug.upper(), owner_email or f"owner@{slug}.test", slug=slug,
                             actor="test", owner_password=PASSWORD)
        return made.client

    return make


@pytest.fixture
def client_a(make_client: Any) -> Client:
    return make_client("alpha")


@pytest.fixture
def client_b(make_client: Any) -> Client:
    return make_client("beta")


@pytest.fixture
def owner_a(client_a: Client) -> User:
    return client_a.memberships.get(role=Role.OWNER).user


@pytest.fixture
def owner_b(client_b: Client) -> User:
    return client_b.memberships.get(role=Role.OWNER).user


@pytest.fixture
def make_member() -> Any:
    def make(client: Client, role: str, email: str) -> User:
        user = create_account(email, PASSWORD, actor="test")
        add_member(client, user, role, actor="test")
        return user

    return make


def enroll_mfa(user: User) -> str:
    """Set up and confirm a second factor for ``user`` through the real services; returns
    its secret (base32), so a test can compute codes with ``accounts.mfa.totp``."""
    from livesession.accounts import mfa
    from livesession.staffaccess import mfa_services

    device = mfa_services.start_enrollment(user)
    secret = device.secret
    mfa_services.confirm_enrollment(user, mfa.totp(mfa._key(secret), now().timestamp()))
    return str(secret)


@pytest.fixture(autouse=True)
def _signed_in_with_second_factor(request: pytest.FixtureRequest) -> Iterator[None]:
    """``force_login`` skips the sign-in page, so it skips the code step too: for an account
    that has a second factor, mark its test session as having proved it, as the code step
    would. Tests of the second factor itself opt out with ``@pytest.mark.real_mfa``."""
    if request.node.get_closest_marker("real_mfa"):
        yield
        return
    from django.contrib.auth.signals import user_logged_in

    from livesession.accounts import mfa
    from livesession.staffaccess import mfa_services

    def mark(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
        if mfa_services.has_mfa(user) and mfa.SESSION_KEY not in request.session:
            mfa.mark_verified(request.session, user)

    user_logged_in.connect(mark, dispatch_uid="tests-second-factor")
    try:
        yield
    finally:
        user_logged_in.disconnect(dispatch_uid="tests-second-factor")


@pytest.fixture
def operator() -> User:
    """Operator staff as the console needs them: second factor on (S-02), confidentiality
    acknowledged (P3.5)."""
    user = create_account("staff@operator.test", PASSWORD, is_operator=True, actor="test")
    user.confidentiality_ack_at = now()
    user.save()
    enroll_mfa(user)
    return user


@pytest.fixture
def make_event() -> Any:
    def make(client: Client, *, published: bool = True, starts_in: dt.timedelta | None = None,
             duration: dt.timedelta = dt.timedelta(hours=1), title: str = "Webinaire") -> Event:
        starts = now() + (starts_in if starts_in is not None else dt.timedelta(days=1))
        event = create_event(client, actor="test", title=title, description="",
                             starts_at=starts, ends_at=starts + duration,
                             time_zone="Europe/Paris", room_url="https://room.example/abc")
        return publish_event(event, actor="test") if published else event

    return make


@pytest.fixture
def event_a(client_a: Client, make_event: Any) -> Event:
    return make_event(client_a)


@pytest.fixture
def event_b(client_b: Client, make_event: Any) -> Event:
    return make_event(client_b)


class _Collector:
    """aiosmtpd handler: keeps every message the server accepted."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.refuse = 0  # answer 451 to this many next messages
        self.reject = 0  # answer 550 (permanent) to this many next messages

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse:
            self.refuse -= 1
            return "451 try again later"
        if self.reject:
            self.reject -= 1
            return "550 5.1.1 mailbox unavailable"
        msg = message_from_bytes(envelope.content)
        msg["X-Envelope-To"] = ",".join(envelope.rcpt_tos)
        self.messages.append(msg)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[_Collector]:
    """A real SMTP server on loopback; settings point the outbox at it."""
    # aiosmtpd logs each connection (peer, lost connections) at INFO from its own thread,
    # which may outlive the test's captured log stream ("I/O operation on closed file").
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    handler = _Collector()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    try:
        yield handler
    finally:
        controller.stop()
