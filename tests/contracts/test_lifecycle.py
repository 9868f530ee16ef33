"""Contract lifecycle (issue 6 §2): termination from the console, the read-only space, closed
registration, messages that stop, and nothing processed 12 months after the end of services
(P4.4, P6.9, P6.10; D-03)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client as Browser
from django.urls import reverse

from livesession.audit.models import AuditEntry
from livesession.contracts import guard
from livesession.contracts.models import Contract, State
from livesession.core.clock import freeze, now
from livesession.events.models import Event
from livesession.messaging.models import OutboxMessage, OutboxStatus
from livesession.messaging.services import queue_email
from livesession.registrations.models import Registration
from tests.contracts.conftest import DAY, Filled, terminate

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def test_p6_9_operator_terminates_from_the_console(filled_a: Filled, operator: Any,
                                                   smtp_server: Any,
                                                   django_capture_on_commit_callbacks: Any
                                                   ) -> None:
    """A reason and the client's short name typed again; the owners are mailed (real SMTP),
    pending messages stop, the termination is audited with pseudonymous ids only."""
    client = filled_a.client
    OutboxMessage.objects.filter(client=client).update(status=OutboxStatus.QUEUED)
    browser = Browser()
    browser.force_login(operator)
    url = reverse("console:contract", kwargs={"client_id": client.pk})
    refused = browser.post(url, {"reason": "Notice received", "confirm_slug": "beta"}, **EN)
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "This is not the client" in page and "Notice received" in page  # nothing lost
    missing = browser.post(url, {"reason": "  ", "confirm_slug": client.slug}, **EN)
    assert missing.status_code == 400 and 'role="alert"' in missing.content.decode()
    assert not Contract.objects.filter(client=client).exists()

    with django_capture_on_commit_callbacks(execute=True):
        done = browser.post(url, {"reason": "Notice received on 2026-10-01",
                                  "confirm_slug": client.slug}, **EN)
    assert done.status_code == 302
    contract = Contract.objects.get(client=client)
    assert contract.state == State.TERMINATED and contract.terminated_by == f"account:{operator.pk}"
    assert not OutboxMessage.objects.filter(
        client=client, status__in=[OutboxStatus.QUEUED, OutboxStatus.DEFERRED]).exists()
    mails = [m for m in smtp_server.messages if "contract" in str(m["Subject"]).lower()
             or "contrat" in str(m["Subject"]).lower()]
    assert [m["X-Envelope-To"] for m in mails] == ["owner@alpha.test"]
    entry = AuditEntry.objects.filter(action="contract.terminated").get()
    assert entry.target == f"client:{client.pk}" and "@" not in json.dumps(entry.details)
    again = browser.post(url, {"reason": "twice", "confirm_slug": client.slug}, **EN)
    assert again.status_code == 400 and "already ended" in again.content.decode()
    listing = browser.get(reverse("console:contracts"), **EN)
    assert "Terminated (read-only)" in listing.content.decode()


def test_p6_9_manager_is_read_only_after_termination(filled_a: Filled, owner_a: Any,
                                                     owner_b: Any) -> None:
    client = filled_a.client
    browser = Browser()
    browser.force_login(owner_a)
    create = reverse("manager:event-create", kwargs={"client_slug": client.slug})
    form = {"title": "After the end", "description": "", "time_zone": "Europe/Paris",
            "starts_at": "2031-03-01T10:00", "ends_at": "2031-03-01T11:00",
            "room_url": "https://room.example/x"}
    terminate(client)
    refused = browser.post(create, form, **EN)
    assert refused.status_code == 403
    assert "read-only" in refused.content.decode()
    assert not Event.objects.filter(title="After the end").exists()
    revoke = browser.post(reverse("manager:tokens", kwargs={"client_slug": client.slug}),
                          {"name": "new token"}, **EN)
    assert revoke.status_code == 403
    # Reads stay open, with the state shown.
    listing = browser.get(reverse("manager:events", kwargs={"client_slug": client.slug}), **EN)
    assert listing.status_code == 200 and filled_a.event.title in listing.content.decode()
    assert "Read-only: contract ended" in listing.content.decode()
    page = browser.get(reverse("manager:contract", kwargs={"client_slug": client.slug}), **EN)
    assert "Your contract has ended" in page.content.decode()
    # The return package may still be asked for.
    asked = browser.post(reverse("manager:contract-package", kwargs={"client_slug": client.slug}))
    assert asked.status_code == 302
    # Someone else's member learns nothing: 404, not the read-only page.
    other = Browser()
    other.force_login(owner_b)
    assert other.post(create, form).status_code == 404


def test_p6_9_active_client_writes_normally(filled_a: Filled, owner_a: Any) -> None:
    """The guard can tell: before termination the same write goes through."""
    browser = Browser()
    browser.force_login(owner_a)
    made = browser.post(reverse("manager:tokens", kwargs={"client_slug": filled_a.client.slug}),
                        {"name": "new token"})
    assert made.status_code in {200, 302}


def test_p6_9_api_writes_refused_reads_kept(filled_a: Filled, filled_b: Filled) -> None:
    terminate(filled_a.client)
    api = Browser()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {filled_a.token}", **EN}
    body = json.dumps({"title": "Via API", "starts_at": "2031-03-01T10:00:00+01:00",
                       "ends_at": "2031-03-01T11:00:00+01:00", "time_zone": "Europe/Paris",
                       "room_url": "https://room.example/api"})
    refused = api.post(reverse("api:events"), body, content_type="application/json", **auth)
    assert refused.status_code == 403
    assert refused.json()["code"] == "client_read_only"
    assert not Event.objects.filter(title="Via API").exists()
    assert api.get(reverse("api:events"), **auth).status_code == 200
    # Client B's token still writes.
    other = api.post(reverse("api:events"), body, content_type="application/json",
                     HTTP_AUTHORIZATION=f"Bearer {filled_b.token}")
    assert other.status_code == 201


def test_p6_9_registration_and_joins_closed(filled_a: Filled, filled_b: Filled) -> None:
    terminate(filled_a.client)
    browser = Browser()
    person = {"email": "late@example.org", "first_name": "Late", "last_name": "Comer"}
    page = browser.get(reverse("portal:event", kwargs={"event_id": filled_a.event.pk}), **EN)
    assert page.status_code == 410 and "Registration closed" in page.content.decode()
    posted = browser.post(reverse("portal:event", kwargs={"event_id": filled_a.event.pk}),
                          person, **EN)
    assert posted.status_code == 410
    joined = browser.get(reverse("portal:join", kwargs={"token": filled_a.links[0]}), **EN)
    assert joined.status_code == 410 and joined["Referrer-Policy"] == "same-origin"
    assert "Registration closed" in joined.content.decode()
    assert browser.post(reverse("portal:confirm", kwargs={"token": filled_a.links[1]})
                        ).status_code == 410
    # An unknown link is still just unknown (404): nothing said about any client.
    assert browser.get(reverse("portal:join", kwargs={"token": "x" * 43})).status_code == 404
    api = browser.post(reverse("api:event-registrations", kwargs={"event_id": filled_a.event.pk}),
                       json.dumps(person), content_type="application/json")
    assert api.status_code == 403
    assert not Registration.objects.filter(client=filled_a.client).exclude(
        pk__in=[r.pk for r in filled_a.registrations]).exists()
    # Client B's pages are untouched.
    assert browser.get(reverse("portal:event", kwargs={"event_id": filled_b.event.pk})
                       ).status_code == 200
    assert browser.get(reverse("portal:join", kwargs={"token": filled_b.links[0]})
                       ).status_code in {200, 302}


def test_p6_9_messages_stop_but_contract_notices(filled_a: Filled) -> None:
    row = filled_a.registrations[0]
    args = {"subject": row.subject, "to": filled_a.emails[0], "subject_line": "Reminder",
            "body": "Soon", "client_id": filled_a.client.pk}
    assert queue_email(kind="reminder", **args) is not None  # active: it goes
    contract = terminate(filled_a.client)
    assert queue_email(kind="reminder", **args) is None
    assert queue_email(kind="contract_package_ready", **args) is not None
    assert contract.terminated_at is not None
    with freeze(contract.terminated_at + dt.timedelta(days=366)):
        assert queue_email(kind="contract_package_ready", **args) is None


def test_p6_10_nothing_processed_12_months_after_end(filled_a: Filled) -> None:
    contract = terminate(filled_a.client)
    assert contract.terminated_at is not None
    with freeze(contract.terminated_at + dt.timedelta(days=364)):
        guard.ensure_may_process(filled_a.client.pk)  # still allowed
    with freeze(contract.terminated_at + dt.timedelta(days=365)), \
            pytest.raises(guard.ServicesEnded):
        guard.ensure_may_process(filled_a.client.pk)
    guard.ensure_may_process(None)  # the platform's own processing is not a client's


def test_p4_4_return_period_is_the_setting_never_beyond_the_rule(filled_a: Filled,
                                                                 settings: Any) -> None:
    from livesession.contracts.services import destroy_on, return_days

    settings.CONTRACT_RETURN_DAYS = 30
    contract = terminate(filled_a.client, at=now())
    assert contract.terminated_at is not None
    assert destroy_on(contract) == contract.terminated_at + 30 * DAY
    settings.CONTRACT_RETURN_DAYS = 90  # longer than the retention rule (60): capped
    assert return_days(filled_a.client) == 60


def test_p6_10_reads_stop_too_12_months_after_the_end(filled_a: Filled, owner_a: Any) -> None:
    """A legal hold may keep the data past the return period; 12 months after the end of
    services even reading it through the Manager and the API stops (the contract page
    stays, to say why)."""
    from livesession.retention.services import place_hold

    place_hold(filled_a.client, reason="Court order 2026-7", actor="account:1")
    contract = terminate(filled_a.client)
    assert contract.terminated_at is not None
    browser = Browser()
    browser.force_login(owner_a)
    events = reverse("manager:events", kwargs={"client_slug": filled_a.client.slug})
    auth = {"HTTP_AUTHORIZATION": f"Bearer {filled_a.token}", **EN}
    with freeze(contract.terminated_at + dt.timedelta(days=364)):
        assert browser.get(events).status_code == 200
        assert Browser().get(reverse("api:events"), **auth).status_code == 200
    with freeze(contract.terminated_at + dt.timedelta(days=365)):
        refused = browser.get(events, **EN)
        assert refused.status_code == 403 and "Services ended" in refused.content.decode()
        assert filled_a.event.title not in refused.content.decode()
        assert browser.get(reverse("manager:contract", kwargs={
            "client_slug": filled_a.client.slug})).status_code == 200
        api = Browser().get(reverse("api:events"), **auth)
        assert api.status_code == 403 and "12 months" in api.json()["detail"]
