"""Reminder offsets as people say them, in French and in English: typed as "1 jour, 1 h,
30 min" or "1 day, 1 hour", shown in words with plurals right, read back to the same
minutes."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client as Browser
from django.utils import translation

from livesession.accounts.models import User
from livesession.events.models import Event
from livesession.messaging.offsets import describe, describe_all, parse

pytestmark = pytest.mark.no_db


@pytest.mark.parametrize(("text", "minutes"), [
    ("1 jour, 1 heure", [1440, 60]),
    ("1 day, 1 hour", [1440, 60]),
    ("1 jour, 1 h, 30 min", [1440, 60, 30]),
    ("2 jours; 3 heures", [2880, 180]),
    ("1 semaine", [10080]),
    ("1 h 30", [90]),
    ("1h30", [90]),
    ("1 jour et 2 heures", [1560]),
    ("1 day and 2 hours before", [1560]),
    ("1.5 h", [90]),
    ("1440, 60", [1440, 60]),  # bare numbers are minutes, as the field once asked
    ("  ", []),
    ("", []),
    ("15 MINUTES", [15]),
])
def test_offsets_are_read_as_people_write_them(text: str, minutes: list[int]) -> None:
    assert parse(text) == minutes


@pytest.mark.parametrize("text", ["bientôt", "1 jour 3", "2 2 h", "h", "1 fortnight",
                                  "0.5 min", "1 jour, demain"])
def test_what_is_not_a_duration_is_refused_with_an_example(text: str) -> None:
    with translation.override("fr"), pytest.raises(ValidationError) as refused:
        parse(text)
    assert "1 jour, 1 heure" in refused.value.messages[0] or "minutes" in \
        refused.value.messages[0]


@pytest.mark.parametrize(("language", "minutes", "words"), [
    ("fr", [1440, 60], "1 jour, 1 heure"),
    ("en", [1440, 60], "1 day, 1 hour"),
    ("fr", [2880, 120, 30], "2 jours, 2 heures, 30 minutes"),
    ("en", [2880, 120, 1], "2 days, 2 hours, 1 minute"),
    ("fr", [1530], "1 jour 1 heure 30 minutes"),
    ("en", [90], "1 hour 30 minutes"),
    ("fr", [0], "0 minute"),
    ("en", [], ""),
])
def test_offsets_are_shown_in_words_with_plurals(language: str, minutes: list[int],
                                                 words: str) -> None:
    with translation.override(language):
        assert describe_all(minutes) == words
        assert parse(words) == minutes  # what is shown reads back as it was


def test_every_offset_shown_reads_back() -> None:
    for language in ("fr", "en"):
        with translation.override(language):
            for minutes in range(5, 60 * 24 * 30 + 1, 17):
                assert parse(describe(minutes)) == [minutes]


@pytest.mark.django_db(databases="__all__")
def test_the_settings_page_speaks_french(owner_a: User, event_a: Event) -> None:
    browser = Browser(HTTP_ACCEPT_LANGUAGE="fr")
    browser.force_login(owner_a)
    address = f"/manager/alpha/events/{event_a.pk}/messages/settings/"
    assert 'value="1 jour, 1 heure"' in browser.get(address).content.decode()
    assert browser.post(address, {"reminder_offsets": "3 jours, 2 h"}).status_code == 302
    page = browser.get(f"/manager/alpha/events/{event_a.pk}/messages/").content.decode()
    assert "3 jours, 2 heures" in page
    refused = browser.post(address, {"reminder_offsets": "bientôt"})
    assert refused.status_code == 400 and "n’est pas une durée" in refused.content.decode()
