"""The thinnest complete path (issue 2): an organizer creates and publishes an event, a
participant registers, receives the email with a personal link, and joins at event time."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client as Browser

from livesession.access.models import Attendance
from livesession.core.clock import freeze
from livesession.events.models import Event
from livesession.messaging.models import OutboxMessage, OutboxStatus
from tests.conftest import PASSWORD

LINK = re.compile(r"http://[^\s]+/j/([A-Za-z0-9_-]+)/")


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_p0_1_organizer_to_participant_join(client_a: Any, smtp_server: Any) -> None:
    organizer = Browser(enforce_csrf_checks=False)
    response = organizer.post("/accounts/login/", {"email": "owner@alpha.test",
                                                   "password": PASSWORD})
    assert response.status_code == 302
    response = organizer.post("/manager/alpha/events/new/", {
        "title": "Atelier RGPD", "description": "", "time_zone": "Europe/Paris",
        "starts_at": "2030-03-01T10:00", "ends_at": "2030-03-01T11:30",
        "room_url": "https://room.example/rgpd",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    event = Event.objects.get(title="Atelier RGPD")
    # 10:00 in Paris in March is 09:00 UTC.
    assert event.starts_at == dt.datetime(2030, 3, 1, 9, 0, tzinfo=dt.UTC)
    assert organizer.get(f"/e/{event.pk}/").status_code == 404  # a draft is not public
    organizer.post(f"/manager/alpha/events/{event.pk}/publish/")

    visitor = Browser()
    page = visitor.get(f"/e/{event.pk}/")
    assert page.status_code == 200 and "Atelier RGPD" in page.content.decode()
    response = visitor.post(f"/e/{event.pk}/", {"email": "Lea.Martin@Example.org",
                                                "first_name": "Léa", "last_name": "Martin"})
    assert response.status_code == 302

    assert len(smtp_server.messages) == 1
    mail = smtp_server.messages[0]
    assert mail["X-Envelope-To"] == "lea.martin@example.org"
    # Multipart since the confirmation carries its calendar invitation (issue 4 §7).
    plain = next(p for p in mail.walk() if p.get_content_type() == "text/plain")
    body = plain.get_payload(decode=True).decode()
    assert "Léa" in body
    token = LINK.search(body).group(1)
    assert OutboxMessage.objects.get().status == OutboxStatus.SENT

    before = visitor.get(f"/j/{token}/")
    assert before.status_code == 200 and 'id="countdown"' in before.content.decode()
    assert not Attendance.objects.exists()

    with freeze(event.starts_at - dt.timedelta(minutes=5)):
        joined = visitor.get(f"/j/{token}/")
    assert joined.status_code == 302 and joined["Location"] == "https://room.example/rgpd"
    assert Attendance.objects.filter(registration__event=event).count() == 1

    with freeze(event.ends_at + dt.timedelta(minutes=1)):
        after = visitor.get(f"/j/{token}/")
    assert after.status_code == 200 and 'id="countdown"' not in after.content.decode()

    assert visitor.get("/j/not-a-real-token/").status_code == 404
