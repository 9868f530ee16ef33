"""The calendar invitation attached to a confirmation (RFC 5545), written by hand.

Choices (docs/messages.md):
- ``METHOD:PUBLISH``: the file publishes the event. ``REQUEST`` would make mail clients
  offer Accept/Decline and send iTIP replies to an organizer address that nothing reads;
  it also requires ORGANIZER and ATTENDEE properties naming people.
- Times in UTC (``DTSTART:20310301T090000Z``), RFC 5545 §3.3.5 form 2. Each session is its
  own VEVENT without a recurrence rule, so a TZID buys nothing (it matters only to expand
  an RRULE across a daylight-saving change) and a hand-written VTIMEZONE is one more place
  to be wrong. A UTC instant is exact in every client, which shows it in the reader's own
  zone. ``X-WR-TIMEZONE`` names the event's zone as a display hint, and the description
  gives the local time in that zone.
- ``UID`` stable per registration and session: sending the invitation again (a resend, a
  moved session) updates the calendar entry instead of adding a second one; ``SEQUENCE``
  grows with the start time so the update wins.
- CRLF line ends, TEXT values escaped (backslash, semicolon, comma, newline), lines folded
  at 75 octets without splitting a UTF-8 character.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from livesession.core.clock import now

PRODID = "-//livesession//livesession//FR"


@dataclass(frozen=True)
class Occurrence:
    """One date to put in a calendar: the event, or one session of a series."""

    uid: str
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    description: str
    url: str


def escape_text(value: str) -> str:
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def fold(line: str) -> str:
    """Split ``line`` into lines of at most 75 octets, continuation lines starting with one
    space (RFC 5545 §3.1), never inside a UTF-8 sequence."""
    raw = line.encode("utf-8")
    if len(raw) <= 75:
        return line
    parts: list[str] = []
    limit = 75
    current = ""
    size = 0
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append(current)
            current, size, limit = "", 0, 74  # the leading space takes one octet
        current += char
        size += width
    parts.append(current)
    return "\r\n ".join(parts)


def calendar(occurrences: list[Occurrence], *, time_zone: str, name: str) -> str:
    stamp = utc(now())
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH", f"X-WR-CALNAME:{escape_text(name)}",
             f"X-WR-TIMEZONE:{time_zone}"]
    for item in occurrences:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{item.uid}",
            f"DTSTAMP:{stamp}",
            # Minutes since 2020: an INTEGER that grows when the start moves later.
            f"SEQUENCE:{max(int(item.starts_at.timestamp() - 1577836800) // 60, 0)}",
            f"DTSTART:{utc(item.starts_at)}",
            f"DTEND:{utc(item.ends_at)}",
            f"SUMMARY:{escape_text(item.title)}",
            f"DESCRIPTION:{escape_text(item.description)}",
            f"LOCATION:{escape_text(item.url)}",
            f"URL:{item.url}",
            "STATUS:CONFIRMED",
            "TRANSP:OPAQUE",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)


def google_link(item: Occurrence) -> str:
    """Google Calendar's event template URL (calendar.google.com/calendar/render)."""
    query = urlencode({"action": "TEMPLATE", "text": item.title,
                       "dates": f"{utc(item.starts_at)}/{utc(item.ends_at)}",
                       "details": item.description, "location": item.url})
    return f"https://calendar.google.com/calendar/render?{query}"


def outlook_link(item: Occurrence, *, office: bool = False) -> str:
    """Outlook on the web's compose deep link (outlook.live.com, or outlook.office.com for
    work accounts)."""
    host = "outlook.office.com" if office else "outlook.live.com"
    query = urlencode({"path": "/calendar/action/compose", "rru": "addevent",
                       "subject": item.title,
                       "startdt": item.starts_at.astimezone(dt.UTC).isoformat(),
                       "enddt": item.ends_at.astimezone(dt.UTC).isoformat(),
                       "body": item.description, "location": item.url})
    return f"https://{host}/calendar/0/deeplink/compose?{query}"
