"""The time zones an organizer chooses from: the zones of French-speaking clients first,
then every other canonical zone, grouped by region, each labelled with a readable place and
its offset from UTC ("Paris (UTC+01:00 / +02:00)").

Canonical names come from the zone tables of the ``tzdata`` package, ``zone.tab`` and
``zone1970.tab``, read at first use: they list the zones meant to be offered to people, one
or more per country, and leave out the backward-compatibility aliases that
``zoneinfo.available_timezones()`` also returns (``Africa/Asmera``, ``US/Eastern``,
``America/Montreal``…). The package is a dependency, so the list is the same on every host
whatever its own time-zone files. An alias is still a valid zone: an event saved on one
keeps it, and its form offers it as it is (``choices(current=…)``).
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.resources
import zoneinfo
from collections.abc import Iterable

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# The zones French-speaking clients use most, in this order, with the place people name.
COMMON: dict[str, str | Promise] = {
    "Europe/Paris": _("Paris"),
    "Europe/Brussels": _("Brussels"),
    "Europe/Luxembourg": _("Luxembourg"),
    "Europe/Zurich": _("Zurich, Geneva"),
    "Europe/London": _("London"),
    "America/Toronto": _("Montreal, Toronto"),
    "America/New_York": _("New York"),
    "Africa/Casablanca": _("Casablanca"),
    "Africa/Algiers": _("Algiers"),
    "Africa/Tunis": _("Tunis"),
    "Africa/Dakar": _("Dakar"),
    "Africa/Abidjan": _("Abidjan"),
    "Indian/Reunion": _("Réunion"),
    "Indian/Mayotte": _("Mayotte"),
    "America/Martinique": _("Martinique"),
    "America/Guadeloupe": _("Guadeloupe"),
    "America/Cayenne": _("French Guiana (Cayenne)"),
    "America/Miquelon": _("Saint Pierre and Miquelon"),
    "Pacific/Noumea": _("New Caledonia (Nouméa)"),
    "Pacific/Tahiti": _("Tahiti"),
    "UTC": _("UTC (coordinated universal time)"),
}
REGIONS: dict[str, str | Promise] = {
    "Europe": _("Europe"), "Africa": _("Africa"), "America": _("Americas"),
    "Asia": _("Asia"), "Atlantic": _("Atlantic Ocean"), "Indian": _("Indian Ocean"),
    "Pacific": _("Pacific Ocean"), "Australia": _("Australia"),
    "Antarctica": _("Antarctica"), "Arctic": _("Arctic"),
}
_TABLES = ("zone.tab", "zone1970.tab")


def _table_names(text: str) -> set[str]:
    """The zone names (third column) of a ``zone.tab``-style table."""
    return {line.split("\t")[2].strip() for line in text.splitlines()
            if line.strip() and not line.startswith("#") and line.count("\t") >= 2}


@functools.cache
def canonical() -> frozenset[str]:
    """Every zone offered to people: the names of the zone tables that this Python can load,
    plus ``UTC``."""
    folder = importlib.resources.files("tzdata.zoneinfo")
    names: set[str] = set()
    for table in _TABLES:
        names |= _table_names(folder.joinpath(table).read_text(encoding="utf-8"))
    return frozenset((names & zoneinfo.available_timezones()) | {"UTC"})


def is_known(name: str) -> bool:
    """Any zone this Python can load, aliases included (an old event keeps its zone)."""
    return name in zoneinfo.available_timezones() or name == "UTC"


def _utc(offset: dt.timedelta | None) -> str:
    minutes = int((offset or dt.timedelta()).total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{rest:02d}"


@functools.cache
def offsets(name: str, year: int) -> str:
    """``"UTC+01:00 / +02:00"``: the offsets of a zone in January and July of ``year`` (one
    when it does not change), so the label holds for an event in any season."""
    zone = zoneinfo.ZoneInfo(name)
    found = sorted({dt.datetime(year, month, 15, 12, tzinfo=zone).utcoffset() or dt.timedelta()
                    for month in (1, 7)})
    return "UTC" + " / ".join(_utc(offset) for offset in found)


def _place(name: str) -> str:
    """``"America/Argentina/Buenos_Aires"`` → ``"Buenos Aires (Argentina)"``."""
    parts = name.replace("_", " ").split("/")[1:] or [name]
    return parts[-1] + (f" ({', '.join(parts[:-1])})" if len(parts) > 1 else "")


def label(name: str, year: int | None = None) -> str:
    year = year or dt.date.today().year
    place = str(COMMON[name]) if name in COMMON else _place(name)
    return f"{place} ({offsets(name, year)})"


Choices = list[tuple[str, list[tuple[str, str]]]]


def choices(current: Iterable[str] = ()) -> Choices:
    """Grouped choices for a ``<select>``: the common zones, then each region's canonical
    zones sorted by place; a zone in ``current`` that is not canonical (an alias an event was
    saved with) is offered at the top, under its own name, so it shows and saves as it is."""
    year = dt.date.today().year
    names = canonical()
    groups: Choices = []
    kept = [name for name in dict.fromkeys(current)
            if name and name not in names and is_known(name)]
    if kept:
        groups.append((str(_("Current zone")),
                       [(name, f"{name} ({offsets(name, year)})") for name in kept]))
    groups.append((str(_("Most used")), [(name, label(name, year)) for name in COMMON
                                         if name in names]))
    by_region: dict[str, list[tuple[str, str]]] = {}
    for name in names - COMMON.keys():
        region = name.split("/")[0]
        if region in REGIONS:
            by_region.setdefault(region, []).append((name, label(name, year)))
    for region, title in REGIONS.items():
        rows = sorted(by_region.get(region, []), key=lambda row: row[1].casefold())
        if rows:
            groups.append((str(title), rows))
    return groups
