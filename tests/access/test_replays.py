"""Replays (issue 4 §2, §6): per event or session, reached through the same personal link
after the end, with an optional expiry."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client as Browser

from livesession.access import services as access
from livesession.audit.models import AuditEntry
from livesession.core.clock import freeze
from livesession.events.models import Event
from livesession.registrations import services as reg
from livesession.registrations.sessions import add_session

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _token(event: Event) -> str:
    return reg.register(event, email="ana@example.org", first_name="Ana", last_name="B").token


def _after(target: Any, **delta: float) -> Any:
    return freeze(target.ends_at + dt.timedelta(**delta))


def test_issue4_6_event_replay_through_the_personal_link(event_a: Event) -> None:
    token = _token(event_a)
    access.set_replay(event_a, "https://video.example/replay/1", None, actor="account:1")
    browser = Browser(**EN)
    with freeze(event_a.starts_at - dt.timedelta(hours=1)):
        assert "Watch the replay" not in browser.get(f"/j/{token}/").content.decode()
        early = browser.get(f"/j/{token}/replay/")
    assert early.status_code == 200 and "no replay" in early.content.decode()
    with _after(event_a, minutes=5):
        page = browser.get(f"/j/{token}/").content.decode()
        assert "This event is over." in page and f'href="/j/{token}/replay/"' in page
        replay = browser.get(f"/j/{token}/replay/")
    assert replay.status_code == 302 and replay["Location"] == "https://video.example/replay/1"
    assert replay["Referrer-Policy"] == "same-origin"
    entry = AuditEntry.objects.get(action="replay.set")
    assert entry.target == f"event:{event_a.pk}"


def test_issue4_6_expired_replay_says_so(event_a: Event) -> None:
    token = _token(event_a)
    until = event_a.ends_at + dt.timedelta(days=7)
    access.set_replay(event_a, "https://video.example/replay/2", until, actor="account:1")
    browser = Browser(**EN)
    with _after(event_a, days=6):
        assert browser.get(f"/j/{token}/replay/").status_code == 302
        assert "available until" in browser.get(f"/j/{token}/").content.decode()
    with _after(event_a, days=8):
        page = browser.get(f"/j/{token}/").content.decode()
        gone = browser.get(f"/j/{token}/replay/")
    assert "The replay has expired." in page and "/replay/" not in page.split("Replays")[1]
    assert gone.status_code == 410 and "This replay has expired." in gone.content.decode()
    assert "video.example" not in gone.content.decode()


def test_issue4_6_session_replays_for_confirmed_sessions(event_a: Event) -> None:
    modules = [add_session(event_a, actor="t", title=f"Module {i}",
                           starts_at=event_a.starts_at + dt.timedelta(days=i),
                           ends_at=event_a.starts_at + dt.timedelta(days=i, hours=1),
                           capacity=None, room_url="https://room.example/m")
               for i in range(2)]
    token = _token(event_a)
    for i, module in enumerate(modules):
        access.set_replay(module, f"https://video.example/m{i}", None, actor="account:1")
    browser = Browser(**EN)
    # Module 0 is over, module 1 to come: the waiting page already offers module 0's replay.
    with _after(modules[0], hours=2):
        page = browser.get(f"/j/{token}/").content.decode()
        assert 'id="countdown"' in page and f"/j/{token}/replay/{modules[0].pk}/" in page
        assert f"/replay/{modules[1].pk}/" not in page
        first = browser.get(f"/j/{token}/replay/{modules[0].pk}/")
        assert first["Location"] == "https://video.example/m0"
        assert browser.get(f"/j/{token}/replay/{modules[1].pk}/").status_code == 200
    with _after(modules[1], minutes=1):
        assert browser.get(f"/j/{token}/replay/{modules[1].pk}/")["Location"] == \
            "https://video.example/m1"


def test_issue4_6_no_replay_for_an_unconfirmed_registration(event_a: Event) -> None:
    made = reg.register(event_a, email="bo@example.org", first_name="Bo", last_name="C")
    reg.cancel(made.registration, actor="participant", by_participant=True)
    access.set_replay(event_a, "https://video.example/replay/3", None, actor="account:1")
    with _after(event_a, minutes=5):
        answer = Browser().get(f"/j/{made.token}/replay/")
    assert answer.status_code == 200 and "video.example" not in answer.content.decode()


def test_issue4_6_clearing_a_replay(event_a: Event) -> None:
    token = _token(event_a)
    access.set_replay(event_a, "https://video.example/x", None, actor="account:1")
    access.set_replay(event_a, "", None, actor="account:1")
    event_a.refresh_from_db()
    assert event_a.replay_url == "" and event_a.replay_expires_at is None
    with _after(event_a, minutes=5):
        assert Browser().get(f"/j/{token}/replay/").status_code == 200
    assert AuditEntry.objects.filter(action="replay.cleared").exists()
