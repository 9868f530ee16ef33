"""The bulk import path writes what ``register()`` line by line writes (issue 9, S7).

The same file is imported into two identically configured events of two clients: once
through ``registrations.bulk`` (``imports.run``), once line by line through
``registrations.services.register`` (``imports.run(line_by_line=True)``). Every stored
value is compared, decrypted: registrations, subjects and keys, search tokens, session
places, personal links, consent records, outbox messages (body and calendar attachment),
audit entries, the report by line number, places taken; and the audit chain stays intact.
Ids that differ by construction (tokens, registration and event ids, the organizer's name)
are replaced by placeholders before comparing.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from livesession.access.models import AccessLink
from livesession.audit.models import AuditEntry
from livesession.audit.services import check
from livesession.core.clock import freeze, now
from livesession.events.services import update_event
from livesession.messaging.models import OutboxMessage
from livesession.privacy.models import ConsentRecord
from livesession.protection import keystore, restriction
from livesession.protection.crypto import token_digest
from livesession.protection.models import DataKey, Subject
from livesession.registrations import imports, search, sessions
from livesession.registrations import services as reg
from livesession.registrations.fields_services import add_custom_field
from livesession.registrations.models import Registration, SearchToken, SessionSeat

FILE = (
    "email;prénom;nom;entreprise;langue\n"
    "a1@example.org;Ana;Alpha;ACME;\n"                 # confirmed
    "a2@example.org;Ben;Beta;;en\n"                   # confirmed, English
    "not-an-email;Bad;Line;;\n"                       # invalid
    "A1@example.org;Ana;Again;;\n"                    # duplicate of line 2
    "a3@example.org;Cal;;;\n"                         # last name missing: invalid
    "already@example.org;Al;Ready;;\n"                # already registered
    "restricted@example.org;Res;Tricted;;fr\n"        # registered, no message (art. 18)
    "a4@example.org;Élodie;Œuvre;Zeta;klingon\n"      # unknown language: invalid
    "a5@example.org;Dan;Delta;;\n"                    # last place
    "a6@example.org;Eve;Epsilon;;english\n"           # waiting list
    "a7@example.org;Fay;Phi;;\n"                      # waiting list
    "a3@example.org;Cal;Gamma;;\n"                    # valid now (line 6 was not): waits
)


def _setup(client: Any, make_event: Any) -> Any:
    """Capacity 5 with a waiting list, a series of two sessions (2 places, unlimited), one
    optional question, a person already registered and a restricted person."""
    event = make_event(client)
    add_custom_field(event, {"key": "company", "kind": "short_text",
                             "label_fr": "Entreprise", "label_en": "Company",
                             "purpose": "know the audience"}, actor="test")
    update_event(event, actor="test", capacity=5, waitlist_enabled=True)
    start = now() + dt.timedelta(days=3)
    for number, capacity in ((1, 2), (2, None)):
        sessions.add_session(event, actor="test", title=f"Module {number}",
                             starts_at=start + dt.timedelta(days=7 * number),
                             ends_at=start + dt.timedelta(days=7 * number, hours=2),
                             capacity=capacity, room_url=f"https://room.example/m{number}")
    reg.register(event, email="already@example.org", first_name="Al", last_name="Ready")
    other = make_event(client, title="Other")
    held = reg.register(other, email="restricted@example.org", first_name="Res",
                        last_name="Tricted").registration
    restriction.restrict([held.subject_id], actor="test", source="manager")
    event.refresh_from_db()
    return event


def _import(event: Any, *, line_by_line: bool) -> Any:
    imp = imports.create_import(event, FILE.encode(), actor="test", language="en")
    assert imp.status == "ready", imp.error
    imports.confirm(imp, "contract", actor="test")
    imports.run(imp.pk, line_by_line=line_by_line)
    imp.refresh_from_db()
    return imp


def _plain(text: str, swaps: dict[str, str]) -> str:
    text = text.replace("\r\n ", "")  # unfold calendar lines before replacing ids
    text = re.sub(r"DTSTAMP:\d{8}T\d{6}Z", "DTSTAMP:<now>", text)
    for old, new in swaps.items():
        text = text.replace(old, new)
    return text


def _snapshot(event: Any, imp: Any) -> dict[str, Any]:
    """Everything the import stored for ``event``, decrypted, by address."""
    client = event.client
    people: dict[str, Any] = {}
    with keystore.unit_of_work():
        rows = Registration.objects.filter(event=event, channel="import").order_by(
            "created_at", "id")
        for position, row in enumerate(rows):
            links = list(AccessLink.objects.filter(registration=row))
            tokens = [link.token for link in links]
            swaps = {token: "<token>" for token in tokens}
            swaps.update({str(row.pk): "<registration>", str(event.pk): "<event>",
                          client.name: "<organizer>"})
            swaps.update({f"-s{s.pk}@": f"-s<{n}>@"
                          for n, s in enumerate(sessions.sessions_of(event))})
            subject = Subject.objects.get(pk=row.subject_id)
            people[row.email] = {
                "position": position,
                "values": {name: getattr(row, name) for name in (
                    "email", "first_name", "last_name", "mobile_phone", "city",
                    "postal_code", "job_function")},
                "answers": row.answers, "status": row.status, "language": row.language,
                "notice": row.notice_version, "confirmed": row.confirmed_at is not None,
                "cancelled_at": row.cancelled_at, "note": row.decision_note,
                "subject": (subject.controller == f"client:{client.pk}",
                            subject.client_id == client.pk,
                            DataKey.objects.filter(subject_id=subject.pk,
                                                   wrapped__isnull=False).count()),
                "search": set(SearchToken.objects.filter(registration=row).values_list(
                    "token", flat=True)) == search.tokens_for(client.pk, row.email,
                                                              row.first_name, row.last_name),
                "search_rows": SearchToken.objects.filter(registration=row).count(),
                "seats": [(s.session.title, s.status) for s in SessionSeat.objects
                          .filter(registration=row).select_related("session")
                          .order_by("session__starts_at")],
                "links": [(link.revoked_at is None, link.token_digest == token_digest(
                    link.token), link.subject_id == row.subject_id,
                           link.client_id == client.pk) for link in links],
                "consents": ConsentRecord.objects.filter(registration=row).count(),
                "outbox": [(m.kind, m.to, _plain(m.subject_line, swaps), _plain(m.body, swaps),
                            m.attachment_name, m.attachment_type,
                            _plain(m.attachment, swaps), m.unsubscribe_url, m.status,
                            m.subject_id == row.subject_id, m.event_id == event.pk,
                            m.client_id == client.pk)
                           for m in OutboxMessage.objects.filter(registration=row)],
                "audit": [(e.actor == f"import:{imp.pk}", e.action, e.client_id == client.pk,
                           {k: _plain(str(v), swaps) for k, v in e.details.items()})
                          for e in AuditEntry.objects.filter(
                              target=f"registration:{row.pk}")],
            }
    event.refresh_from_db()
    return {
        "people": people, "outcomes": imp.outcomes, "reasons": imp.reasons,
        "status": imp.status, "seats_taken": event.seats_taken,
        "session_seats": [s.seats_taken for s in sessions.sessions_of(event)],
        "subjects": Subject.objects.filter(client=client).count(),
        "messages": OutboxMessage.objects.filter(client=client).count(),
    }


def test_issue_9_bulk_import_stores_what_register_stores_line_by_line(
        client_a: Any, client_b: Any, make_event: Any) -> None:
    """Issue 9 (S7): the bulk path is indistinguishable from register() per line, and
    keeps P0.1 (link and email for each), P1.3 (no consent invented), R-10 (no message to a
    restricted person), P6.6 (one audit entry per registration, chain intact)."""
    with freeze(now()):  # the same dates in both events' messages and calendars
        bulk_event = _setup(client_a, make_event)
        line_event = _setup(client_b, make_event)
    bulk = _snapshot(bulk_event, _import(bulk_event, line_by_line=False))
    line = _snapshot(line_event, _import(line_event, line_by_line=True))

    assert bulk["outcomes"] == line["outcomes"] == "IIEDEAIEIWWW"
    assert bulk["reasons"] == line["reasons"] and "4" in bulk["reasons"]
    assert set(bulk["people"]) == set(line["people"]) == {
        "a1@example.org", "a2@example.org", "restricted@example.org", "a5@example.org",
        "a6@example.org", "a7@example.org", "a3@example.org"}
    for address, stored in line["people"].items():
        assert bulk["people"][address] == stored, address
    assert {k: v for k, v in bulk.items() if k != "people"} == {
        k: v for k, v in line.items() if k != "people"}
    # What the comparison rests on, so it cannot pass on two empty or wrong sides.
    people = bulk["people"]
    assert people["a1@example.org"]["status"] == "confirmed"
    assert people["a1@example.org"]["answers"] == {"company": "ACME"}
    assert people["a2@example.org"]["language"] == "en"
    assert people["a6@example.org"]["status"] == "waitlisted"
    assert people["a3@example.org"]["values"]["last_name"] == "Gamma"
    assert people["a1@example.org"]["seats"] == [("Module 1", "confirmed"),
                                                 ("Module 2", "confirmed")]
    assert people["a2@example.org"]["seats"] == [("Module 1", "waitlisted"),
                                                 ("Module 2", "confirmed")]
    assert people["a7@example.org"]["seats"] == [("Module 1", "requested"),
                                                 ("Module 2", "requested")]
    assert people["restricted@example.org"]["outbox"] == []
    confirmation = people["a1@example.org"]["outbox"]
    assert len(confirmation) == 1 and confirmation[0][0] == "registration.confirmation"
    assert "<token>" in confirmation[0][3] and "BEGIN:VCALENDAR" in confirmation[0][6]
    assert people["a7@example.org"]["outbox"][0][0] == "registration.waitlisted"
    assert all(p["search"] and p["links"] == [(True, True, True, True)]
               and len(p["audit"]) == 1 and p["subject"] == (True, True, 1)
               for p in people.values())
    assert bulk["seats_taken"] == 5 and bulk["session_seats"] == [2, 5]
    assert check().intact



def test_issue9_an_import_batch_rings_once_and_every_mail_reaches_smtp(
        client_a: Any, make_event: Any, smtp_server: Any,
        django_capture_on_commit_callbacks: Any) -> None:
    """The batch's mails go out through one doorbell (``messaging.jobs.deliver_many``):
    each message queued by the import reaches a real SMTP server once, none for the
    restricted person, and every outbox row of the import ends sent."""
    event = _setup(client_a, make_event)
    smtp_server.messages.clear()
    before = set(OutboxMessage.objects.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True) as rung:
        _import(event, line_by_line=False)
    rows = OutboxMessage.objects.exclude(pk__in=before)
    assert rows.count() == 6  # 3 confirmed, 3 waiting; none to the restricted person
    assert set(rows.values_list("status", flat=True)) == {"sent"}
    recipients = sorted(m["X-Envelope-To"] for m in smtp_server.messages)
    assert recipients == sorted(["a1@example.org", "a2@example.org", "a5@example.org",
                                 "a6@example.org", "a7@example.org", "a3@example.org"])
    # enqueue_on_commit's callbacks hold the huey task they ring (its wrapped function).
    rung_tasks = [cell.cell_contents.func.__name__ for c in rung
                  for cell in (c.__closure__ or ()) if hasattr(cell.cell_contents, "func")]
    # One batch (fewer lines than bulk.BATCH): one doorbell, no per-message one.
    assert rung_tasks.count("deliver_many") == 1
    assert "deliver" not in rung_tasks
