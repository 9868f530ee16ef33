"""Destruction at T0 + 60 days (issue 6 §2; P4.4, P6.9; D-03, D-05): the day before, the
data is there and read-only; on the day, zero rows of the client in every client-scoped
table (found by introspection, independently of the code under test), keys destroyed,
mail copies gone, the erasure journalled for restores, and a certificate with categories,
counts and key ids. A legal hold blocks it; an interrupted run resumes."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models
from django.test import Client as Browser
from django.urls import reverse

from livesession.audit.models import AuditEntry
from livesession.audit.services import verify
from livesession.contracts import destruction, guard
from livesession.contracts.models import Contract, DestructionCertificate, State
from livesession.core.clock import freeze
from livesession.core.models import Client, Membership
from livesession.messaging import delivery
from livesession.messaging.models import OutboxMessage
from livesession.protection import journal
from livesession.protection.models import DataKey, Subject
from livesession.registrations.models import Registration
from livesession.retention.services import lift_hold, place_hold
from tests.contracts.conftest import DAY, Filled, terminate


def client_scoped_counts(client_id: int) -> dict[str, int]:
    """Rows pointing at the client through any foreign key, per model; the audit trail
    (append-only, pseudonymous, kept by design) and the contract row are left out."""
    counts = {}
    for model in apps.get_models():
        label = model._meta.label
        if label in {"audit.AuditEntry", "contracts.Contract"}:
            continue
        for f in model._meta.concrete_fields:
            if isinstance(f, models.ForeignKey) and f.related_model is Client:
                n = model._default_manager.filter(**{f.name: client_id}).count()
                if n:
                    counts[f"{label}.{f.name}"] = n
    return counts


def _mail_copy(filled: Filled, settings_fixture: Any) -> Path:
    settings_fixture.EMAIL_HOST = ""
    message = OutboxMessage.objects.filter(client=filled.client).order_by("pk").first()
    assert message is not None
    delivery.deliver_now(message.pk)
    copies = list(Path(settings.EMAIL_FILE_PATH).glob(f"{message.pk:08d}-*.eml"))
    assert copies, "the outbox kept no file copy"
    return copies[0]


def test_d_03_day_59_present_day_60_gone(filled_a: Filled, filled_b: Filled,
                                         settings: Any) -> None:
    copy = _mail_copy(filled_a, settings)
    client_id = filled_a.client.pk
    contract = terminate(filled_a.client)
    assert contract.terminated_at is not None
    t0 = contract.terminated_at
    before_b = client_scoped_counts(filled_b.client.pk)
    registrations = Registration.objects.filter(client_id=client_id).count()
    subjects = set(Subject.objects.filter(client_id=client_id).values_list("pk", flat=True))
    assert registrations == 3 and len(subjects) == 3

    with freeze(t0 + 60 * DAY - dt.timedelta(minutes=1)):
        assert destruction.destroy_due() == []
    assert client_scoped_counts(client_id)["registrations.Registration.client"] == 3
    assert guard.is_read_only(client_id)

    with freeze(t0 + 60 * DAY):
        (cert,) = destruction.destroy_due(batch=2)
    assert client_scoped_counts(client_id) == {}
    assert client_scoped_counts(filled_b.client.pk) == before_b  # client B untouched
    # Keys: every key filed under the client is destroyed; B's are intact.
    keys = DataKey.objects.filter(controller=f"client:{client_id}")
    assert keys.exists() and not keys.filter(wrapped__isnull=False).exists()
    assert DataKey.objects.filter(controller=f"client:{filled_b.client.pk}",
                                  wrapped__isnull=False).count() == 3
    assert subjects <= set(DataKey.objects.filter(pk__in=subjects, wrapped__isnull=True)
                           .values_list("subject_id", flat=True))
    assert not copy.exists()
    # Journalled for restores (outside the main database).
    journalled = {e.subject for e in journal.entries() if e.scope == "contract_end"}
    assert subjects <= journalled
    # The certificate: counts as they were, key ids only, categories.
    assert cert.done and cert.counts["registrations.Registration"] == 3
    assert cert.counts["protection.Subject"] == 3
    assert subjects <= set(map(uuid.UUID, cert.key_ids))
    assert cert.files_deleted >= 1
    categories = {c["category"] for c in cert.categories()}
    assert "registrations" in categories
    document = destruction.certificate_document(cert)
    text = json.dumps(document)
    assert "@" not in text and "alphaco" not in text  # no value of anyone
    # The shell: inactive, no member; the contract says destroyed; audited.
    shell = Client.objects.get(pk=client_id)
    assert not shell.is_active and not Membership.objects.filter(client_id=client_id).exists()
    assert Contract.objects.get(client_id=client_id).state == State.DESTROYED
    assert AuditEntry.objects.filter(action="contract.destroyed").count() == 1
    assert verify() is None  # the trail stays intact
    # Run again: nothing more to do, the same certificate.
    with freeze(t0 + 61 * DAY):
        assert destruction.destroy_due() == []
    assert DestructionCertificate.objects.count() == 1


def test_p4_4_a_legal_hold_blocks_the_destruction(filled_a: Filled) -> None:
    contract = terminate(filled_a.client)
    assert contract.terminated_at is not None
    hold = place_hold(filled_a.client, reason="Court order 2026-123", actor="account:1")
    with freeze(contract.terminated_at + 90 * DAY):
        assert destruction.destroy_due() == []
        assert Registration.objects.filter(client=filled_a.client).count() == 3
        assert AuditEntry.objects.filter(action="contract.destruction_held").exists()
        lift_hold(hold, reason="Case closed", actor="account:1")
        (cert,) = destruction.destroy_due()
    assert cert.done and client_scoped_counts(filled_a.client.pk) == {}


def test_d_03_an_interrupted_destruction_resumes(filled_a: Filled) -> None:
    """A run that died after destroying the keys (its steps recorded) finishes the rows
    and the certificate on the next day's run, without doing the first steps twice."""
    contract = terminate(filled_a.client)
    assert contract.terminated_at is not None
    client_id = filled_a.client.pk
    with freeze(contract.terminated_at + 60 * DAY):
        destruction._journal(client_id)
        destruction._keys(client_id, 2)
        DestructionCertificate.objects.create(
            client_ref=client_id, client_name=filled_a.client.name,
            terminated_at=contract.terminated_at, started_at=contract.terminated_at,
            steps=["journal", "files", "keys"])
        mine = set(Subject.objects.filter(client_id=client_id).values_list("pk", flat=True))

        def lines() -> int:  # the journal file may be shared with parallel test workers
            return sum(1 for entry in journal.entries() if entry.subject in mine)

        before = lines()
        (cert,) = destruction.destroy_due()
    assert before == 3 and lines() == before  # not journalled twice
    assert cert.done and cert.steps == ["journal", "files", "keys", "rows", "shell"]
    assert cert.counts["registrations.Registration"] == 3
    assert client_scoped_counts(client_id) == {}


def test_p6_9_certificate_for_the_operator(filled_a: Filled, operator: Any) -> None:
    contract = terminate(filled_a.client)
    assert contract.terminated_at is not None
    with freeze(contract.terminated_at + 60 * DAY):
        (cert,) = destruction.destroy_due()
    browser = Browser()
    browser.force_login(operator)
    url = reverse("console:contract-certificate", kwargs={"certificate_id": cert.pk})
    page = browser.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Destruction certificate" in body and cert.key_ids[0] in body
    downloaded = browser.get(url + "?format=json")
    assert downloaded["Content-Disposition"].startswith("attachment")
    assert json.loads(downloaded.content)["keys_destroyed"] == cert.key_ids
    # The shell's contract page links to it.
    shell = browser.get(reverse("console:contract", kwargs={"client_id": filled_a.client.pk}),
                        HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert url in shell and "Data destroyed" in shell
