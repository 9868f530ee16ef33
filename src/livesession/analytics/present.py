"""Figures as people read them (issue 7 §7): figure sets with a title, a text summary, a
chart, a table, a CSV, and the JSON of the API. One place, so the page, the CSV and the API
cannot disagree.

A figure set is identified by its slug (``registrations``, ``sources-utm_source``,
``conversion``, ``durations``, ``sessions`` or ``events``, ``breakdown-city``...): the CSV
route takes that slug.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext

from livesession.analytics import charts, normalize, suppression
from livesession.analytics.figures import SOURCE_FIELDS, Figures, Timeline
from livesession.core.numbers import number, ratio_percent

SOURCE_TITLES = {
    "referrer_host": gettext_lazy("Sites that linked to the form"),
    "utm_source": gettext_lazy("Campaign sources (utm_source)"),
    "utm_medium": gettext_lazy("Campaign media (utm_medium)"),
    "utm_campaign": gettext_lazy("Campaigns (utm_campaign)"),
}
BREAKDOWN_TITLES = {
    "job_function": gettext_lazy("Registrations by job function"),
    "city": gettext_lazy("Registrations by city"),
    "postal_code": gettext_lazy("Registrations by department"),
}


@dataclass
class FigureSet:
    slug: str
    title: str
    summary: str
    header: list[str]
    rows: list[list[Any]]
    chart: charts.Chart | None = None
    notes: list[str] = field(default_factory=list)


def suppressed_text(reason: str) -> str:
    if reason == suppression.SMALL:
        return _("fewer than %(k)s") % {"k": number(suppression.threshold())}
    return _("hidden (protects a smaller group)")


def _registrations(total: int | None) -> str:
    """"1 234 registrations", or "fewer than 10 registrations" when the total is hidden."""
    if total is None:
        k = suppression.threshold()
        return ngettext("fewer than %(k)s registration", "fewer than %(k)s registrations",
                        k) % {"k": number(k)}
    return ngettext("%(n)s registration", "%(n)s registrations", total) % {"n": number(total)}


def _group_label(key: str, *, dimension: str, source: bool, merged: int) -> str:
    if key == suppression.OTHER:
        return ngettext("Other groups (%(n)s group, under %(k)s people each)",
                        "Other groups (%(n)s groups, under %(k)s people each)", merged) % {
            "n": number(merged), "k": number(suppression.threshold())}
    if key == suppression.NONE:
        return _("None (direct or unknown)") if source else _("Not given")
    if source or dimension == "postal_code":
        return key
    return normalize.label(key)


def _period(point: Any, granularity: str) -> str:
    if granularity == "hour":
        return formats.date_format(point, "SHORT_DATETIME_FORMAT")
    if granularity == "week":
        return _("week of %(date)s") % {"date": formats.date_format(point, "SHORT_DATE_FORMAT")}
    return formats.date_format(point, "SHORT_DATE_FORMAT")


def _timeline_set(timeline: Timeline) -> FigureSet:
    names = {"hour": _("hour"), "day": _("day"), "week": _("week")}
    labels = [(_period(p.start, timeline.granularity), p.count) for p in timeline.points]
    if timeline.points:
        peak = max(timeline.points, key=lambda p: p.count)
        summary = ngettext(
            "%(total)s registration received, per %(unit)s; the most on %(peak)s (%(n)s).",
            "%(total)s registrations received, per %(unit)s; the most on %(peak)s (%(n)s).",
            timeline.total) % {"total": number(timeline.total),
                               "unit": names[timeline.granularity],
                               "peak": _period(peak.start, timeline.granularity),
                               "n": number(peak.count)}
    else:
        summary = _("No registration received yet.")
    title = _("Registrations received")
    return FigureSet("registrations", title, summary,
                     [pgettext("span of time shown", "Period"), _("Registrations")],
                     [[label, n] for label, n in labels],
                     charts.columns("registrations", title, summary, labels))


def _table_set(slug: str, title: str, table: suppression.Table, *, dimension: str,
               source: bool) -> FigureSet:
    rows: list[list[Any]] = []
    items = []
    for cell in table.cells:
        label = _group_label(cell.key, dimension=dimension, source=source, merged=cell.merged)
        text = (number(cell.count) if cell.count is not None
                else suppressed_text(cell.suppressed))
        rows.append([label, cell.count, _("yes") if cell.suppressed else ""])
        items.append((label, cell.count, text))
    rows.append([_("Total"), table.total, _("yes") if table.total_suppressed else ""])
    shown = [c for c in table.cells if c.count is not None and c.key not in
             (suppression.OTHER, suppression.NONE)]
    if shown:
        top = shown[0]
        summary = ngettext(
            "%(registrations)s in %(n)s group; the largest: %(label)s (%(count)s).",
            "%(registrations)s in %(n)s groups; the largest: %(label)s (%(count)s).",
            len(table.cells)) % {
            "registrations": _registrations(table.total), "n": number(len(table.cells)),
            "label": _group_label(top.key, dimension=dimension, source=source, merged=0),
            "count": number(top.count or 0)}
    else:
        summary = _("%(registrations)s; no group is large enough to be shown.") % {
            "registrations": _registrations(table.total)}
    notes = []
    if table.any_suppressed:
        k = suppression.threshold()
        notes.append(ngettext(
            "Groups under %(k)s person are not shown on their own, and a second value is "
            "hidden when one alone could be worked out from the total.",
            "Groups under %(k)s people are not shown on their own, and a second value is "
            "hidden when one alone could be worked out from the total.", k) % {"k": number(k)})
    return FigureSet(slug, title, summary, [_("Group"), _("Registrations"), _("Hidden")], rows,
                     charts.rows(slug, title, summary, items), notes)


def figure_sets(figures: Figures, *, per: str) -> list[FigureSet]:
    """Every figure set of a page; ``per`` is "sessions" (an event) or "events" (a client)."""
    sets = [_timeline_set(figures.timeline)]
    c = figures.conversion
    rate = ratio_percent(c.rate)
    # One sentence per count, so each noun agrees with its own number.
    conv_summary = " ".join([
        ngettext("%(present)s present out of %(registered)s registered (%(rate)s).",
                 "%(present)s present out of %(registered)s registered (%(rate)s).",
                 c.registered) % {"present": number(c.present), "registered": number(c.registered),
                               "rate": rate},
        _("%(received)s, %(confirmed)s.") % {
            "received": ngettext("%(n)s registration received", "%(n)s registrations received",
                                 c.received) % {"n": number(c.received)},
            "confirmed": ngettext("%(n)s confirmed", "%(n)s confirmed",
                                  c.confirmed) % {"n": number(c.confirmed)}}])
    conv_title = _("From registration to presence")
    # Counts of people at each step: "Registered" here is a number, not the date column of
    # the registrants list.
    conv_rows: list[list[Any]] = [
        [pgettext("count of registrations", "Received"), c.received],
        [pgettext("count of registrations", "Confirmed"), c.confirmed],
        [pgettext("count of people", "Registered"), c.registered],
        [pgettext("count of people", "Present"), c.present]]
    sets.append(FigureSet("conversion", conv_title, conv_summary, [_("Step"), _("People")],
                          [*conv_rows, [_("Presence rate"), rate]],
                          charts.rows("conversion", conv_title, conv_summary,
                                      [(str(r[0]), int(r[1]), number(r[1]))
                                       for r in conv_rows])))
    d = figures.durations
    dur_title = _("Time present")
    dur_items = []
    for low, high, n in d.buckets:
        label = (_("%(low)s to %(high)s min") % {"low": number(low), "high": number(high)}
                 if high is not None else _("%(low)s min or more") % {"low": number(low)})
        dur_items.append((label, n, number(n)))
    median = number(d.median_minutes) if d.median_minutes is not None else "—"
    dur_summary = " ".join([
        ngettext("%(measured)s attendance measured, median %(median)s min.",
                 "%(measured)s attendances measured, median %(median)s min.",
                 d.measured) % {"measured": number(d.measured), "median": median},
        ngettext("%(unmeasured)s not measured (rooms on another site: only the access is "
                 "known).",
                 "%(unmeasured)s not measured (rooms on another site: only the access is "
                 "known).", d.unmeasured) % {"unmeasured": number(d.unmeasured)}])
    sets.append(FigureSet("durations", dur_title, dur_summary, [_("Minutes present"),
                                                                 _("Attendances")],
                          [[label, n] for label, n, _text in dur_items]
                          + [[_("Not measured"), d.unmeasured]],
                          charts.rows("durations", dur_title, dur_summary, dur_items)))
    per_title = _("Per session") if per == "sessions" else _("Per event")
    per_rows = [[r.title, formats.date_format(r.starts_at, "SHORT_DATETIME_FORMAT"),
                 r.registered, r.present,
                 "" if r.median_minutes is None else number(r.median_minutes)]
                for r in figures.rows]
    per_summary = ngettext("%(n)s session.", "%(n)s sessions.", len(per_rows)) % {
        "n": number(len(per_rows))} if per == "sessions" else ngettext(
        "%(n)s event in the range.", "%(n)s events in the range.", len(per_rows)) % {
        "n": number(len(per_rows))}
    sets.append(FigureSet(per, per_title, per_summary,
                          [_("Title"), _("Start"), pgettext("count of people", "Registered"),
                           pgettext("count of people", "Present"),
                           _("Median minutes present")], per_rows))
    for name in SOURCE_FIELDS:
        sets.append(_table_set(f"sources-{name}", str(SOURCE_TITLES[name]),
                               figures.sources[name], dimension=name, source=True))
    for key, table in figures.breakdowns.items():
        fs = _table_set(f"breakdown-{key}", str(BREAKDOWN_TITLES[key]), table,
                        dimension=key, source=False)
        if figures.pending_facts:
            fs.notes.append(ngettext(
                "%(n)s registration is not counted yet: it is being analysed.",
                "%(n)s registrations are not counted yet: they are being analysed.",
                figures.pending_facts) % {"n": number(figures.pending_facts)})
        sets.append(fs)
    return sets


# --- JSON (the API) -----------------------------------------------------------------------

def _table_json(table: suppression.Table) -> dict[str, Any]:
    groups = []
    for cell in table.cells:
        kind = ("other" if cell.key == suppression.OTHER
                else "none" if cell.key == suppression.NONE else "value")
        groups.append({"value": cell.key if kind == "value" else None, "kind": kind,
                       "count": cell.count, "suppressed": bool(cell.suppressed),
                       "reason": cell.suppressed or None,
                       "merged_groups": cell.merged if kind == "other" else None})
    return {"groups": groups, "total": table.total,
            "total_suppressed": table.total_suppressed}


def _moment(value: Any) -> str:
    return value.isoformat() if isinstance(value, dt.date | dt.datetime) else str(value)


def as_json(figures: Figures, *, per: str) -> dict[str, Any]:
    c, d = figures.conversion, figures.durations
    return {
        "min_group": suppression.threshold(),
        "registrations": {"granularity": figures.timeline.granularity,
                          "total": figures.timeline.total,
                          "points": [{"start": _moment(p.start), "count": p.count}
                                     for p in figures.timeline.points]},
        "sources": {name: _table_json(t) for name, t in figures.sources.items()},
        "conversion": {"received": c.received, "confirmed": c.confirmed,
                       "registered": c.registered, "present": c.present, "rate": c.rate},
        "durations": {"buckets": [{"from_minutes": low, "to_minutes": high, "count": n}
                                  for low, high, n in d.buckets],
                      "measured": d.measured, "unmeasured": d.unmeasured,
                      "median_minutes": d.median_minutes},
        per: [{"id": r.key, "title": r.title, "starts_at": r.starts_at.isoformat(),
               "registered": r.registered, "present": r.present,
               "median_minutes": r.median_minutes} for r in figures.rows],
        "breakdowns": {key: _table_json(t) for key, t in figures.breakdowns.items()},
        "pending_facts": figures.pending_facts,
    }
