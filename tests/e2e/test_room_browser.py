"""The embedded room in a real browser (issue 4 §2, §4): the demo player plays inside our
room page, the page's heartbeat reaches the server with its CSRF token and is counted as
presence, and the waiting page counts down. Same real stack as ``test_browser.py``
(``livesession`` CLI processes, Debian's Chromium through Playwright)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_browser import (  # noqa: F401 - fixtures used by name
    Stack,
    browser,
    chromium_path,
    phone,
    stack,
)

pytestmark = [pytest.mark.slow, pytest.mark.no_db]

# An embedded-player event of the demo client, open now (and one that opens in an hour),
# each with one registration whose token is printed.
EVENTS = """
import datetime as dt
from django.db.models import F
from livesession.core.clock import now
from livesession.core.models import Client
from livesession.events.models import Event, RoomKind
from livesession.events.services import create_event, publish_event
from livesession.registrations.services import register
client = Client.objects.get(slug="demo")
for name, delta in (("OPEN", -1), ("LATER", 60)):
    starts = now() + dt.timedelta(minutes=delta)
    event = create_event(client, actor="e2e", title="Salle " + name, description="",
                         starts_at=starts, ends_at=starts + dt.timedelta(hours=1),
                         time_zone="Europe/Paris", room_url="https://example.org/unused")
    # Our own player page, as the demo event uses it (the Manager asks for https).
    Event.objects.filter(pk=event.pk).update(room_kind=RoomKind.EMBED,
                                             room_url="/static/livesession/demo-player.html")
    publish_event(Event.objects.get(pk=event.pk), actor="e2e")
    made = register(Event.objects.get(pk=event.pk), email=name.lower() + ".room@example.org",
                    first_name="Sam", last_name="Salle")
    print(name + "=" + made.token)
"""

PRESENCE = """
from livesession.access.models import Attendance
row = Attendance.objects.get(registration__event__title="Salle OPEN")
print("MEASURED=%s ACCESSES=%s" % (row.presence_measured, row.accesses))
"""


# The arguments are the fixtures imported above (pytest injects them by name).
def test_embedded_room_plays_and_sends_its_heartbeat(stack: Stack, phone: Page) -> None:  # noqa: F811
    printed = stack.run("manage", "shell", "-c", EVENTS)
    tokens = dict(re.findall(r"^(OPEN|LATER)=(\S+)$", printed, re.MULTILINE))
    assert set(tokens) == {"OPEN", "LATER"}, printed

    response = phone.goto(f"{stack.base}/j/{tokens['OPEN']}/")
    assert response is not None and response.status == 200
    assert response.headers.get("referrer-policy") == "same-origin"
    player = phone.frame_locator("#room-player")
    expect(player.locator("canvas#screen")).to_be_visible()
    # The first beat goes at once; its answer is written on the page for this check.
    presence = phone.locator("#presence")
    expect(presence).to_have_attribute("data-last", "ok")
    printed = stack.run("manage", "shell", "-c", PRESENCE)
    assert "MEASURED=True ACCESSES=1" in printed, printed

    waiting = phone.goto(f"{stack.base}/j/{tokens['LATER']}/")
    assert waiting is not None and waiting.status == 200
    countdown = phone.get_by_role("timer")
    expect(countdown).to_have_text(re.compile(r"\d+ min \d+ s"))
    first = countdown.inner_text()
    phone.wait_for_function("t => document.getElementById('countdown').textContent !== t",
                            arg=first, timeout=3_000)
