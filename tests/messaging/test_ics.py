"""The confirmation's calendar invitation, RFC 5545 written by hand (issue 4 §7)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

from livesession.access.services import link_url
from livesession.core.clock import freeze
from livesession.events.services import create_event, publish_event
from livesession.messaging import ics
from livesession.messaging.models import OutboxMessage
from livesession.registrations import services as reg
from livesession.registrations.sessions import add_session

TITLE = "Atelier RGPD; données, sécurité et conformité — une très longue après-midi d'étude"


def unfold(text: str) -> list[str]:
    """Content lines of ``text``, after checking the folding rules on the raw bytes."""
    assert text.endswith("\r\n")
    raw_lines = text.split("\r\n")[:-1]
    for line in raw_lines:
        assert "\n" not in line and "\r" not in line
        assert len(line.encode("utf-8")) <= 75, line
    lines: list[str] = []
    for line in raw_lines:
        if line.startswith(" "):
            lines[-1] += line[1:]
        else:
            lines.append(line)
    return lines


def props(lines: list[str]) -> list[tuple[str, str]]:
    return [(line.split(":", 1)[0], line.split(":", 1)[1]) for line in lines]


def unescape(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def _event(client: Any, **extra: Any) -> Any:
    # 10:00 in Paris on 1 March 2031 (winter time, UTC+1) is 09:00 UTC.
    starts = dt.datetime(2031, 3, 1, 9, 0, tzinfo=dt.UTC)
    return publish_event(create_event(
        client, actor="t", title=TITLE, description="", starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2), time_zone="Europe/Paris",
        room_url="https://room.example/x", **extra), actor="t")


def test_issue4_7_confirmation_carries_an_rfc5545_invitation(client_a: Any) -> None:
    event = _event(client_a)
    with freeze(dt.datetime(2031, 2, 1, 12, 0, tzinfo=dt.UTC)):
        made = reg.register(event, email="lea@example.org", first_name="Léa",
                            last_name="Martin", language="fr")
    row = OutboxMessage.objects.get()
    assert (row.attachment_name, row.attachment_type) == ("invite.ics", "text/calendar")
    assert made.token not in row.attachment_enc  # sealed like the body
    lines = unfold(row.attachment)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    found = dict(props(lines))
    assert found["VERSION"] == "2.0" and found["METHOD"] == "PUBLISH"
    assert found["PRODID"] and found["X-WR-TIMEZONE"] == "Europe/Paris"
    assert [name for name, _ in props(lines)].count("BEGIN") == 2  # calendar + one event
    assert found["UID"] == f"{made.registration.pk}@livesession"
    assert found["DTSTAMP"] == "20310201T120000Z"
    assert found["DTSTART"] == "20310301T090000Z" and found["DTEND"] == "20310301T110000Z"
    assert unescape(found["SUMMARY"]) == TITLE
    assert "\\;" in found["SUMMARY"] and "\\," in found["SUMMARY"]
    assert "\\n" in found["DESCRIPTION"]  # its lines, escaped
    link = link_url(made.token)
    assert found["URL"] == link and unescape(found["LOCATION"]) == link
    assert link in unescape(found["DESCRIPTION"])


def test_issue4_7_invitation_is_stable_per_registration(client_a: Any) -> None:
    event = _event(client_a)
    made = reg.register(event, email="lea@example.org", first_name="Léa", last_name="M")
    reg.send_link_again(made.registration)
    first, second = OutboxMessage.objects.order_by("id")
    uids = {dict(props(unfold(m.attachment)))["UID"] for m in (first, second)}
    assert len(uids) == 1  # the calendar updates its entry instead of adding a second


def test_issue4_7_one_vevent_per_session_of_a_series(client_a: Any) -> None:
    event = _event(client_a)
    starts = [dt.datetime(2031, 3, d, 9, 0, tzinfo=dt.UTC) for d in (1, 8)]
    # 29 March 2031 is after the change to summer time: 10:00 in Paris is 08:00 UTC.
    starts.append(dt.datetime(2031, 4, 5, 8, 0, tzinfo=dt.UTC))
    sessions = [add_session(event, actor="t", title=f"Séance {i}", starts_at=s,
                            ends_at=s + dt.timedelta(hours=1), capacity=None, room_url="")
                for i, s in enumerate(starts, 1)]
    made = reg.register(event, email="lea@example.org", first_name="Léa", last_name="M",
                        language="en")
    row = OutboxMessage.objects.get()
    lines = props(unfold(row.attachment))
    uids = [v for k, v in lines if k == "UID"]
    assert uids == [f"{made.registration.pk}-s{s.pk}@livesession" for s in sessions]
    assert [v for k, v in lines if k == "DTSTART"] == [
        "20310301T090000Z", "20310308T090000Z", "20310405T080000Z"]
    assert "Séance 3" in row.body and "April 5, 2031, 10 a.m." in row.body  # local time
    # Each session's time names its zone, as the event's start does.
    assert f"- Séance 3: April 5, 2031, 10 a.m. ({event.time_zone})" in row.body, row.body


def test_issue4_7_add_to_calendar_links_in_the_confirmation(client_a: Any) -> None:
    event = _event(client_a)
    made = reg.register(event, email="lea@example.org", first_name="Léa", last_name="M",
                        language="en")
    body = OutboxMessage.objects.get().body
    google = re.search(r"https://calendar\.google\.com/calendar/render\?\S+", body)
    outlook = re.search(r"https://outlook\.live\.com/calendar/0/deeplink/compose\?\S+", body)
    assert google and outlook, body
    query = parse_qs(urlsplit(google.group(0)).query)
    assert query["action"] == ["TEMPLATE"] and query["text"] == [TITLE]
    assert query["dates"] == ["20310301T090000Z/20310301T110000Z"]
    assert query["location"] == [link_url(made.token)]
    query = parse_qs(urlsplit(outlook.group(0)).query)
    assert query["startdt"] == ["2031-03-01T09:00:00+00:00"] and query["rru"] == ["addevent"]
    # The start in the event's zone, in the registration's language.
    assert "10:00" in body or "10 a.m." in body


def test_issue4_7_no_invitation_for_messages_that_confirm_nothing(event_a: Any) -> None:
    from livesession.events.services import update_event

    event = update_event(event_a, actor="t", approval_required=True)
    reg.register(event, email="lea@example.org", first_name="Léa", last_name="M")
    assert OutboxMessage.objects.get().attachment_name == ""


def test_folding_never_splits_a_character() -> None:
    line = "SUMMARY:" + "é" * 100
    folded = ics.fold(line)
    parts = folded.split("\r\n")
    assert all(len(p.encode()) <= 75 for p in parts) and len(parts) == 3
    assert "".join([parts[0], *(p[1:] for p in parts[1:])]) == line
