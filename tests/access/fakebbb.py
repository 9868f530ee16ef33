"""A small BigBlueButton-like HTTP server for the tests (an external service, so a real
server on loopback rather than a mock)."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.core.cache import cache

SECRET = "a-shared-secret-of-this-test-server"


@dataclass
class FakeBBB:
    """Answers ``create`` like BigBlueButton: checks the checksum, keeps meetings in memory
    (a restart forgets them), answers XML."""

    secret: str
    meetings: dict[str, dict[str, str]] = field(default_factory=dict)
    calls: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bigbluebutton/"

    def restart(self) -> None:
        self.meetings.clear()

    def answer(self, path: str, query: str) -> str:
        call = path.rsplit("/", 1)[-1]
        base, _, given = query.rpartition("&checksum=")
        params = dict(parse_qsl(base))
        self.calls.append((call, params))
        if given != hashlib.sha1(  # noqa: S324 - the BBB protocol
                (call + base + self.secret).encode()).hexdigest():
            return ("<response><returncode>FAILED</returncode><messageKey>checksumError"
                    "</messageKey><message>Checksums do not match</message></response>")
        if call == "create":
            duplicate = params["meetingID"] in self.meetings
            self.meetings[params["meetingID"]] = params
            extra = "<messageKey>duplicateWarning</messageKey>" if duplicate else ""
            return (f"<response><returncode>SUCCESS</returncode><meetingID>"
                    f"{params['meetingID']}</meetingID>{extra}</response>")
        if call == "getMeetings":
            return "<response><returncode>SUCCESS</returncode><meetings/></response>"
        return "<response><returncode>FAILED</returncode><messageKey>unknown</messageKey>" \
               "</response>"


@pytest.fixture(name="bbb_server")
def bbb_server_fixture() -> Iterator[FakeBBB]:
    fake = FakeBBB(SECRET)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            body = fake.answer(parts.path, parts.query).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    cache.clear()
    try:
        yield fake
    finally:
        httpd.shutdown()
        httpd.server_close()
        cache.clear()
