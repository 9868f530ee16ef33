"""The demo event of `make run` has a working embedded-player session (issue 4, Done
when): the player is a page of ours, served by the app, framed by the room page."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.core.management import call_command
from django.test import Client as Browser

from livesession.access.models import Attendance
from livesession.core.clock import freeze, now
from livesession.events.models import Event, Session
from livesession.registrations.services import register


def test_issue4_demo_session_plays_in_the_embedded_player(settings: Any) -> None:
    call_command("demo", stdout=io.StringIO())
    event = Event.objects.get(client__slug="demo")
    session = Session.objects.get(event=event)
    assert session.room_kind == "embed"
    token = register(event, email="visitor@example.org", first_name="Vi",
                     last_name="Sitor").token
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
    with freeze(session.starts_at + dt.timedelta(minutes=1)):
        room = browser.get(f"/j/{token}/")
        html = room.content.decode()
        assert room.status_code == 200
        assert 'src="/static/livesession/demo-player.html"' in html
        beat = browser.post(f"/j/{token}/heartbeat/",
                            HTTP_X_CSRFTOKEN=browser.cookies["csrftoken"].value)
        assert beat.json() == {"status": "ok"}
    assert Attendance.objects.get().session_id == session.pk
    player = browser.get("/static/livesession/demo-player.html")
    body = b"".join(player.streaming_content) if player.streaming else player.content
    assert player.status_code == 200 and b"<canvas" in body
    # Framed by our own room page: no header forbids it (static files skip that middleware).
    assert "X-Frame-Options" not in player


def test_issue4_demo_event_moves_forward_once_over(settings: Any) -> None:
    call_command("demo", stdout=io.StringIO())
    event = Event.objects.get(client__slug="demo")
    with freeze(event.ends_at + dt.timedelta(days=2)):
        moment = now()
        out = io.StringIO()
        call_command("demo", stdout=out)
    event.refresh_from_db()
    session = Session.objects.get(event=event)
    assert event.starts_at > moment and session.starts_at == event.starts_at
    assert session.room_kind == "embed" and "moved" in out.getvalue()
