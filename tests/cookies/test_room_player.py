"""A room embedded from another site is that site's tracker (issue 7 §1, P2.3, P7.4): its
iframe loads only after the visitor allowed the room player; until then a click-to-load
placeholder stands in its place. Our own player needs nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client as Browser
from django.urls import reverse

from livesession.events.models import Event, RoomKind
from livesession.registrations.services import register
from tests.cookies.conftest import choose


def _open_room(client: Any, make_event: Any, url: str) -> str:
    event = make_event(client, starts_in=dt.timedelta(minutes=-5), title="Embedded")
    Event.objects.filter(pk=event.pk).update(room_kind=RoomKind.EMBED, room_url=url)
    made = register(Event.objects.get(pk=event.pk), email="room@example.org",
                    first_name="Ro", last_name="Om")
    return reverse("portal:join", args=[made.token])


def test_p2_3_third_party_player_waits_for_consent(client_a: Any, make_event: Any,
                                                   visitor: Browser) -> None:
    join = _open_room(client_a, make_event, "https://player.video.example/live/42")
    page = visitor.get(join).content.decode()
    assert 'id="room-player"' not in page and "player.video.example/live/42\"" not in \
        page.split('id="player-gate"')[0]
    assert 'id="player-gate"' in page and 'value="room_player"' in page
    choose(visitor, "reject")
    assert 'id="room-player"' not in visitor.get(join).content.decode()
    answer = choose(visitor, "grant", tracker="room_player", surface="placeholder", next=join)
    assert answer["Location"] == join
    page = visitor.get(join).content.decode()
    assert 'id="room-player" src="https://player.video.example/live/42"' in page


def test_p7_4_our_own_player_loads_without_a_choice(client_a: Any, make_event: Any,
                                                    visitor: Browser) -> None:
    join = _open_room(client_a, make_event, "/static/livesession/demo-player.html")
    page = visitor.get(join).content.decode()
    assert 'id="room-player" src="/static/livesession/demo-player.html"' in page
    assert 'id="player-gate"' not in page
