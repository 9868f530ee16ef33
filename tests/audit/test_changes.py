"""Configuration changes are recorded with their diff (P6.6): field names with old and new
values, the client's own texts by digest (P3.4) and secrets never."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from livesession.access import rooms
from livesession.audit.models import AuditEntry
from livesession.audit.services import REDACTED, record_change, verify
from livesession.events.services import update_event
from livesession.messaging.services import save_template


def _last(action: str) -> dict[str, Any]:
    entry = AuditEntry.objects.filter(action=action).order_by("-id").first()
    assert entry is not None
    return entry.details


def test_p6_6_record_change_stores_names_old_and_new_values() -> None:
    entry = record_change("account:1", "test.settings",
                          {"capacity": 10, "flag": True, "same": "x", "token": "old-secret"},
                          {"capacity": 20, "flag": True, "same": "x", "token": "new-secret",
                           "added": dt.date(2031, 3, 1)},
                          redact=("token",), target="client:1")
    assert entry.details["fields"] == ["added", "capacity", "token"]
    assert entry.details["changes"]["capacity"] == {"old": 10, "new": 20}
    assert entry.details["changes"]["added"] == {"old": None, "new": "2031-03-01"}
    assert entry.details["changes"]["token"] == {"old": REDACTED, "new": REDACTED}
    assert "secret" not in json.dumps(entry.details) and verify() is None


def test_p6_6_long_or_opaque_values_are_kept_as_digests() -> None:
    entry = record_change("account:1", "test.texts", {"title": "Old title", "body": "a" * 500},
                          {"title": "New title", "body": "b" * 500}, opaque=("title",))
    text = json.dumps(entry.details)
    assert "Old title" not in text and "New title" not in text and "aaaa" not in text
    old, new = entry.details["changes"]["title"]["old"], entry.details["changes"]["title"]["new"]
    assert old.startswith("sha256:") and new.startswith("sha256:") and old != new
    assert entry.details["changes"]["body"]["new"].endswith("(502 chars)")


def test_p6_6_event_settings_change_has_its_diff(event_a: Any) -> None:
    new_start = event_a.starts_at + dt.timedelta(days=1)
    update_event(event_a, actor="account:7", capacity=50, starts_at=new_start,
                 ends_at=new_start + dt.timedelta(hours=2), title="Renamed webinar")
    details = _last("event.updated")
    assert details["fields"] == ["capacity", "ends_at", "starts_at", "title"]
    assert details["changes"]["capacity"] == {"old": None, "new": 50}
    assert details["changes"]["starts_at"]["new"] == new_start.astimezone(dt.UTC).isoformat()
    assert "Renamed" not in json.dumps(details)  # the client's text: digest only
    # Unchanged values submitted again are not a change.
    update_event(event_a, actor="account:7", capacity=50)
    assert _last("event.updated")["fields"] == []


def test_p6_6_room_settings_change_names_secrets_without_values(client_a: Any) -> None:
    rooms.save_room_settings(client_a, actor="account:1", jitsi_domain="meet.example.org",
                             jitsi_app_id="app", jitsi_secret="a-very-private-secret")
    details = _last("room_settings.updated")
    assert details["changes"]["jitsi_domain"]["new"] == "meet.example.org"
    assert details["changes"]["jitsi_secret"] == {"old": "", "new": REDACTED}
    assert "a-very-private" not in json.dumps(details)
    rooms.save_room_settings(client_a, actor="account:1", jitsi_domain="meet.example.org",
                             jitsi_app_id="app", jitsi_secret="another-secret")
    assert _last("room_settings.updated")["fields"] == ["jitsi_secret"]


def test_p6_6_message_template_change_is_recorded_by_digest(client_a: Any) -> None:
    save_template(client_a, "confirmation", "en", subject="Welcome aboard",
                  body="Hello {first_name}, see you soon.", actor="account:3")
    first = _last("message_template.saved")
    assert first["fields"] == ["body", "subject"] and first["kind"] == "confirmation"
    save_template(client_a, "confirmation", "en", subject="Welcome aboard",
                  body="Hello {first_name}, see you later.", actor="account:3")
    second = _last("message_template.saved")
    assert second["fields"] == ["body"]
    assert second["changes"]["body"]["old"] == first["changes"]["body"]["new"]
    assert "see you" not in json.dumps(second)
