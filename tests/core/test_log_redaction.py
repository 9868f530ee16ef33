"""No secret, token or personal value in any log line (P6.5): Django's loggers through the
handlers of ``settings.LOGGING``, and the web server's access log through its own config."""

from __future__ import annotations

import copy
import io
import logging
import logging.config
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client as Browser
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from livesession.core import serve_logging
from livesession.core.logging import RedactPersonalData, redact

SECRET = "Zq9SeCrEtToKeN_x-1"


def _token_names(resolver: URLResolver | None = None, prefix: str = "") -> Iterator[str]:
    """Every named URL with a ``token`` parameter, with its namespace."""
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            space = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            yield from _token_names(entry, space)
        elif isinstance(entry, URLPattern) and entry.name and (
                "token" in entry.pattern.regex.groupindex):
            yield prefix + entry.name


TOKEN_URLS = sorted(set(_token_names()))


def _path(name: str) -> str:
    kwargs: dict[str, Any] = {"token": SECRET}
    if name == "portal:replay-session":
        kwargs["key"] = 1
    return reverse(name, kwargs=kwargs)


def test_the_inventory_of_token_urls_is_complete() -> None:
    # Each app that mails or shows a secret link; a new one must be masked too (below).
    assert {"portal:join", "portal:cancel", "messaging:unsubscribe", "accounts:verify",
            "accounts:password-reset-confirm", "accounts:data-download",
            "console:desk-delivery"} <= set(TOKEN_URLS)


@pytest.mark.parametrize("name", TOKEN_URLS)
def test_p6_5_every_token_url_is_masked(name: str) -> None:
    path = _path(name)
    assert SECRET in path
    for line in (f"Forbidden (CSRF): {path}", f'"GET {path} HTTP/1.1" 404',
                 f"http://testserver{path}?a=1"):
        masked = redact(line)
        assert SECRET not in masked and "<token>" in masked, masked


def test_p6_5_query_strings_and_addresses_are_masked() -> None:
    line = ('"GET /cookies/settings/?next=%2Fj%2FAbCdEf%2F&q=jeanne.dupont%40example.org '
            'HTTP/1.1" 200 sent to a.person@example.org')
    masked = redact(line)
    assert "AbCdEf" not in masked and "jeanne" not in masked and "a.person" not in masked
    assert "/cookies/settings/?next=<token>&q=<token>" in masked
    # Pages that are no secret keep their path: the log stays useful.
    assert redact("GET /j/resend/ 200") == "GET /j/resend/ 200"
    assert redact("GET /accounts/verify/ 200") == "GET /accounts/verify/ 200"


@pytest.fixture
def shipped_logging(capsys: pytest.CaptureFixture[str]) -> Iterator[None]:
    """The project's LOGGING, its handlers writing to the captured stderr, Django's request
    logger lowered to WARNING so 404s are written too (an operator may lower it)."""
    config = copy.deepcopy(settings.LOGGING)
    config["loggers"]["django.request"]["level"] = "WARNING"
    logging.config.dictConfig(config)
    try:
        yield
    finally:
        logging.config.dictConfig(settings.LOGGING)


def test_every_handler_of_the_settings_has_the_filter() -> None:
    filters = settings.LOGGING["filters"]
    assert filters["redact"]["()"] == "livesession.core.logging.RedactPersonalData"
    for name, handler in settings.LOGGING["handlers"].items():
        assert "redact" in handler.get("filters", []), name


@pytest.mark.django_db
@pytest.mark.parametrize("name", TOKEN_URLS)
def test_p6_5_403_and_404_on_token_urls_log_no_token(
        name: str, shipped_logging: None, capsys: pytest.CaptureFixture[str]) -> None:
    path = _path(name)
    browser = Browser(enforce_csrf_checks=True)
    browser.get(path)
    # A post the CSRF check refuses (django.security.csrf writes the path).
    refused = browser.post(path, {"x": "1"}, HTTP_ORIGIN="null")
    assert refused.status_code >= 400
    browser.get(path + "missing/")  # a 404 (django.request writes the path)
    written = capsys.readouterr().err
    if refused.status_code == 403:
        assert "Forbidden" in written, written
    assert "Not Found" in written, written
    assert SECRET not in written, written


def test_p6_5_exceptions_and_mapping_arguments_are_masked() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactPersonalData())
    log = logging.getLogger("livesession.test.redaction")
    log.addHandler(handler)
    log.propagate = False
    try:
        log.warning("%(path)s for %(who)s", {"path": f"/u/{SECRET}/", "who": "x@example.org"})
        try:
            raise ValueError(f"bad link /accounts/password/reset/{SECRET}/")
        except ValueError:
            log.exception("failed")
    finally:
        log.removeHandler(handler)
    written = stream.getvalue()
    assert SECRET not in written and "x@example.org" not in written
    assert "/u/<token>/" in written and "ValueError" in written


def test_p6_5_web_server_access_log_is_masked(capsys: pytest.CaptureFixture[str]) -> None:
    """granian writes its access lines itself (granian.log); with the config ``serve``
    gives it, each line goes through the filter."""
    from granian.log import DEFAULT_ACCESSLOG_FMT, configure_logging, log_request_builder

    configure_logging("info", serve_logging.config())  # type: ignore[arg-type]
    try:
        write = log_request_builder(DEFAULT_ACCESSLOG_FMT)
        for name in TOKEN_URLS:
            write(0.0, 0.0, {"addr_remote": "127.0.0.1", "path": _path(name),
                             "qs": "next=%2Fj%2Fabc", "method": "GET", "scheme": "http",
                             "protocol": "HTTP/1.1"}, 200)
    finally:
        logging.config.dictConfig(settings.LOGGING)
    written = capsys.readouterr().out
    assert len(re.findall(r"GET /\S*<token>", written)) == len(TOKEN_URLS), written
    assert SECRET not in written


def test_serve_hands_the_log_config_to_the_web_server(monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    from django.core.management import call_command

    from livesession.core import runlock
    from livesession.core.management.commands import serve

    started: list[list[str]] = []
    monkeypatch.setattr(runlock, "hold_shared", lambda **_kw: None)
    monkeypatch.setattr(serve.os, "execv", lambda _path, argv: started.append(argv))
    call_command("serve", "--port", "8123")
    [argv] = started
    path = argv[argv.index("--log-config") + 1]
    config = json.loads(Path(path).read_text())
    assert config["filters"]["redact"]["()"] == "livesession.core.logging.RedactPersonalData"
    assert all("redact" in h["filters"] for h in config["handlers"].values())
    assert {"_granian", "granian.access"} <= set(config["loggers"])
