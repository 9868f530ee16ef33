"""The time-zone list of the event form: common zones of French-speaking clients first, then
every canonical zone grouped by region with readable labels, no backward-compatibility
alias; an event saved on an alias still shows and saves."""

from __future__ import annotations

import re
import zoneinfo
from typing import Any

import pytest
from django.test import Client as Browser
from django.urls import reverse
from django.utils import translation

from livesession.core.models import Client, Role
from livesession.events import zones
from livesession.events.models import Event

ALIASES = ["Africa/Asmera", "US/Eastern", "America/Montreal", "Asia/Calcutta", "Europe/Kiev",
           "GB", "Etc/GMT+5", "America/Buenos_Aires", "Australia/ACT", "Asia/Saigon"]


def _flat(groups: zones.Choices) -> list[str]:
    return [name for _title, rows in groups for name, _label in rows]


@pytest.mark.no_db
def test_no_alias_is_offered_and_every_canonical_zone_is() -> None:
    offered = _flat(zones.choices())
    assert len(offered) == len(set(offered))  # each zone once
    for alias in ALIASES:
        assert alias in zoneinfo.available_timezones() or alias == "UTC"
        assert alias not in offered, alias
    assert set(offered) == set(zones.canonical())
    assert 350 < len(offered) < len(zoneinfo.available_timezones())
    for kept in ("Europe/Amsterdam", "America/Guadeloupe", "Asia/Kolkata", "Europe/Kyiv",
                 "America/Argentina/Buenos_Aires", "Pacific/Noumea"):
        assert kept in offered


@pytest.mark.no_db
def test_common_zones_come_first_with_readable_labels() -> None:
    with translation.override("fr"):
        groups = zones.choices()
    title, first = groups[0]
    assert title == "Les plus utilisés"
    assert first[0][0] == "Europe/Paris"
    names = [name for name, _label in first]
    for common in ("Europe/London", "Europe/Brussels", "Europe/Zurich", "America/Toronto",
                   "America/New_York", "Africa/Casablanca", "Indian/Reunion",
                   "America/Martinique", "America/Guadeloupe", "Pacific/Noumea",
                   "Pacific/Tahiti"):
        assert common in names
    labels = dict(first)
    assert labels["Europe/Paris"] == "Paris (UTC+01:00 / +02:00)"
    assert labels["Europe/London"] == "Londres (UTC+00:00 / +01:00)"
    assert labels["America/Toronto"].startswith("Montréal, Toronto (UTC−05:00")
    assert labels["Indian/Reunion"] == "La Réunion (UTC+04:00)"
    # The other groups are regions, sorted by place, without the common zones again.
    titles = [title for title, _rows in groups[1:]]
    assert titles[:2] == ["Europe", "Afrique"]
    europe = dict(groups[1][1])
    assert "Europe/Paris" not in europe and europe["Europe/Berlin"].startswith("Berlin (")
    places = [label.casefold() for _name, label in groups[1][1]]
    assert places == sorted(places)
    americas = dict(next(rows for title, rows in groups if title == "Amériques"))
    assert americas["America/Argentina/Buenos_Aires"].startswith("Buenos Aires (Argentina)")


@pytest.fixture
def organizer(client_a: Client, make_member: Any) -> Browser:
    browser = Browser(HTTP_ACCEPT_LANGUAGE="fr")
    browser.force_login(make_member(client_a, Role.ORGANIZER, "orga@alpha.test"))
    return browser


def test_the_event_form_groups_zones_and_paris_comes_first(organizer: Browser) -> None:
    html = organizer.get(reverse("manager:event-create",
                                 kwargs={"client_slug": "alpha"})).content.decode()
    select = re.search(r'<select name="time_zone".*?</select>', html, re.S)
    assert select
    first = re.search(r'<optgroup label="([^"]+)">\s*<option value="([^"]+)"', select.group(0))
    assert first and first.groups() == ("Les plus utilisés", "Europe/Paris")
    assert 'value="Europe/Paris" selected' in select.group(0)
    assert "Africa/Asmera" not in select.group(0) and "US/Eastern" not in select.group(0)


def test_an_event_on_an_alias_still_shows_and_saves(organizer: Browser,
                                                    event_a: Event) -> None:
    Event.objects.filter(pk=event_a.pk).update(time_zone="America/Montreal")
    edit = reverse("manager:event-edit", kwargs={"client_slug": "alpha",
                                                 "event_id": event_a.pk})
    html = organizer.get(edit).content.decode()
    assert 'value="America/Montreal" selected' in html
    response = organizer.post(edit, {
        "title": "Renommé", "description": "", "time_zone": "America/Montreal",
        "starts_at": "2030-06-01T09:00", "ends_at": "2030-06-01T10:00",
        "room_url": "https://room.example/atelier"})
    assert response.status_code == 302
    event_a.refresh_from_db()
    assert (event_a.title, event_a.time_zone) == ("Renommé", "America/Montreal")
    assert event_a.starts_at.isoformat() == "2030-06-01T13:00:00+00:00"  # EDT
    response = organizer.post(edit, {
        "title": "Renommé", "description": "", "time_zone": "Mars/Olympus",
        "starts_at": "2030-06-01T09:00", "ends_at": "2030-06-01T10:00",
        "room_url": "https://room.example/atelier"})
    assert response.status_code == 400
