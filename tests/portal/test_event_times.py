"""How participants read when an event happens: the wait before the room opens in days,
hours and minutes as people say them, in French and English, the same words the waiting
page's script uses; every date of an event in the event's zone, named."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from livesession.core import clock
from livesession.events import when

D, H, M, S = dt.timedelta(days=1), dt.timedelta(hours=1), dt.timedelta(minutes=1), \
    dt.timedelta(seconds=1)


@pytest.mark.no_db
@pytest.mark.parametrize(("left", "fr", "en"), [
    (37 * D + 3 * H + 13 * M + 40 * S, "37 jours 3 h 13 min", "37 days 3 h 13 min"),
    (D, "1 jour", "1 day"),
    (2 * D, "2 jours", "2 days"),
    (D + 5 * M, "1 jour 5 min", "1 day 5 min"),
    (23 * H + 59 * M + 59 * S, "23 h 59 min 59 s", "23 h 59 min 59 s"),
    (H, "1 h", "1 h"),
    (5 * H + 3 * M, "5 h 3 min", "5 h 3 min"),
    (12 * M + 5 * S, "12 min 5 s", "12 min 5 s"),
    (45 * S, "45 s", "45 s"),
    (S * 0.9, "0 s", "0 s"),
    (-5 * M, "0 s", "0 s"),
])
def test_the_wait_reads_as_people_say_it(left: dt.timedelta, fr: str, en: str) -> None:
    with translation.override("fr"):
        assert when.wait_text(left) == fr
    with translation.override("en"):
        assert when.wait_text(left) == en


@pytest.mark.no_db
@pytest.mark.parametrize(("language", "one", "other"), [("fr", "{n} jour", "{n} jours"),
                                                         ("en", "{n} day", "{n} days")])
def test_the_script_gets_the_same_words(language: str, one: str, other: str) -> None:
    with translation.override(language):
        words = when.script_words()
    assert words == {"day-one": one, "day-other": other, "hour": "{n} h",
                     "minute": "{n} min", "second": "{n} s"}


def _render(source: str, **context: Any) -> str:
    return Template("{% load event_time %}" + source).render(Context(context))


@pytest.mark.no_db
def test_a_date_is_written_in_the_event_zone_named_for_the_script() -> None:
    moment = dt.datetime(2030, 3, 1, 9, 0, tzinfo=dt.UTC)
    with translation.override("fr"):
        html = _render("{% event_time m 'Europe/Paris' 'start' %}", m=moment)
    assert 'id="start"' in html and 'data-zone="Europe/Paris"' in html
    assert 'datetime="2030-03-01T10:00:00+01:00"' in html
    assert re.search(r">1 mars 2030 10:00 \(Europe/Paris\)</time>", html), html
    assert 'data-yours="chez vous\u00a0:"' in html


@pytest.mark.no_db
def test_the_countdown_says_the_wait_without_script() -> None:
    moment = timezone.now()
    with clock.freeze(moment), translation.override("en"):
        html = _render("{% wait_until m %}", m=moment + 37 * D + 3 * H + 13 * M + 30 * S)
    assert re.search(r'role="timer"[^>]*>37 days 3 h 13 min</span>', html), html
    assert 'data-day-one="{n} day"' in html and 'data-day-other="{n} days"' in html
