"""The second factor's set-up page draws a QR code of the otpauth:// address, on the server,
inline (no image URL to cache or to send to a QR service), and still writes the secret out
in blocks of four for manual entry; the page is never cached and the secret never logged
(S-02, P6.5)."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
from django.test import Client as Browser

from livesession.accounts import mfa
from livesession.accounts.services import create_account
from livesession.staffaccess import mfa_services, qr
from livesession.staffaccess.models import MfaDevice

pytestmark = pytest.mark.real_mfa

PATH_RUN = re.compile(r"([Mm])(-?\d+(?:\.5)?)[ ,](-?\d+(?:\.5)?)|h(\d+)")


def _matrix_of(svg: str) -> set[tuple[int, int]]:
    """The dark modules of segno's SVG (one path of horizontal strokes, module units): a
    decoder of what the page really drew, to compare with the matrix of the expected URI."""
    drawn = re.search(r'<path stroke="#000" d="([^"]+)"', svg)
    assert drawn, "no QR path in the SVG"
    dark: set[tuple[int, int]] = set()
    x = y = 0.0
    for move, mx, my, run in PATH_RUN.findall(drawn.group(1)):
        if move == "M":
            x, y = float(mx), float(my)
        elif move == "m":
            x, y = x + float(mx), y + float(my)
        else:
            for i in range(int(run)):
                dark.add((int(y - 0.5), int(x) + i))
            x += int(run)
    return dark


def _expected(uri: str) -> set[tuple[int, int]]:
    code = qr.make(uri)
    return {(r + qr.BORDER, c + qr.BORDER)
            for r, row in enumerate(code.matrix) for c, bit in enumerate(row) if bit}


@pytest.fixture
def staff() -> Any:
    return create_account("staff@ops.test", "a long enough pass 1", is_operator=True,
                          actor="test")


def _start(staff: Any) -> tuple[Browser, Any]:
    browser = Browser()
    browser.force_login(staff)
    page = browser.post("/console/mfa/", {"action": "start"})
    return browser, page


def test_s_02_setup_page_draws_the_otpauth_uri_as_an_inline_qr_code(staff: Any) -> None:
    browser, page = _start(staff)
    assert page.status_code == 200
    html = page.content.decode()
    device = MfaDevice.objects.get(user=staff)
    uri = mfa_services.otpauth_uri(device)
    assert uri.startswith("otpauth://totp/") and f"secret={device.secret}" in uri
    svg = re.search(r"<svg[^>]*>.*?</svg>", html, re.S)
    assert svg, "no inline SVG on the set-up page"
    # What the page drew is the QR code of this very address (not of another secret).
    assert _matrix_of(svg.group(0)) == _expected(uri)
    other = mfa.otpauth_uri(mfa.new_secret(), f"account-{staff.pk}", "livesession")
    assert _matrix_of(svg.group(0)) != _expected(other)
    # Inline, named for screen readers, and nothing fetched from elsewhere.
    assert 'role="img"' in svg.group(0) and 'aria-label="' in svg.group(0)
    assert "<img" not in html and "data:image" not in html
    # The same page again (a reload) shows the same, still pending, code.
    again = browser.get("/console/mfa/").content.decode()
    assert _matrix_of(re.search(r"<svg[^>]*>.*?</svg>", again, re.S).group(0)) == _expected(uri)


def test_s_02_secret_written_out_in_blocks_of_four(staff: Any) -> None:
    _browser, page = _start(staff)
    secret = MfaDevice.objects.get(user=staff).secret
    assert len(secret) == 32
    shown = re.search(r'<code id="mfa-secret"[^>]*>(.*?)</code>', page.content.decode(), re.S)
    assert shown
    blocks = re.findall(r"<span>([A-Z2-7]+)</span>", shown.group(1))
    assert blocks == [secret[i:i + 4] for i in range(0, 32, 4)]
    # Spacing, not spaces: a copy of the element's text is the secret itself.
    assert re.sub(r"<[^>]+>", "", shown.group(1)) == secret


def test_p6_5_setup_page_is_never_cached_and_the_secret_never_logged(
        staff: Any, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        browser, page = _start(staff)
        shown_again = browser.get("/console/mfa/")
    cache_control = page["Cache-Control"]
    assert "no-store" in cache_control and "private" in cache_control
    assert "no-store" in shown_again["Cache-Control"]
    secret = MfaDevice.objects.get(user=staff).secret
    assert secret in page.content.decode().replace("<span>", "").replace("</span>", "")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert secret not in logged and secret[:8] not in logged


def test_s_02_the_manager_setup_page_shows_the_qr_code_too(client_a: Any,
                                                         owner_a: Any) -> None:
    browser = Browser()
    browser.force_login(owner_a)
    page = browser.post("/manager/alpha/mfa/", {"action": "start"})
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    uri = mfa_services.otpauth_uri(MfaDevice.objects.get(user=owner_a))
    svg = re.search(r"<svg[^>]*>.*?</svg>", page.content.decode(), re.S)
    assert svg and _matrix_of(svg.group(0)) == _expected(uri)
