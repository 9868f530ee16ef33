"""Erasure per organizer and everywhere (issue 5 §5, P4.3, P6.8), driven by the registry."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.apps import apps

from livesession.access.models import AccessLink
from livesession.accounts.models import AccountLink, User
from livesession.accounts.services import claim_registrations
from livesession.audit.models import AuditEntry
from livesession.audit.services import verify
from livesession.protection import erasure, journal, keystore
from livesession.protection.crypto import KeyDestroyed
from livesession.protection.models import DataKey, Subject
from livesession.protection.registry import Erase, all_declarations
from livesession.registrations.models import Registration, SearchToken
from livesession.registrations.services import register
from tests.accounts.conftest import make_participant  # noqa: F401 - fixture

EMAIL = "Noa.Lemaire@Example.org"


@pytest.mark.no_db
def test_p4_3_every_model_with_personal_data_has_a_path_to_its_person() -> None:
    """Erasure reads the registry: a model holding personal data that erasure cannot trace
    to a person must say so (``subject_path``), or this fails (issue 5 §5)."""
    assert erasure.missing_paths() == []


@pytest.mark.no_db
def test_p4_3_the_path_check_catches_a_model_without_one() -> None:
    from livesession.protection.registry import declaration, declare

    decl = declaration("access.Attendance")
    assert decl is not None
    try:
        declare("access.Attendance", personal=decl.personal,
                not_personal=list(decl.not_personal))
        assert erasure.missing_paths() == ["access.Attendance"]
    finally:
        declare("access.Attendance", personal=decl.personal,
                not_personal=list(decl.not_personal), subject_path=decl.subject_path)


def _journal() -> list[dict[str, Any]]:
    path = journal.path()
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_p4_3_erase_at_one_organizer_leaves_the_other(event_a: Any, event_b: Any) -> None:
    """Issue 5 §5, per organizer: the client A registration, its access link, its search
    tokens and the key go; the same address at client B is untouched."""
    a = register(event_a, email=EMAIL, first_name="Noa", last_name="Lemaire").registration
    b = register(event_b, email=EMAIL, first_name="Noa", last_name="Lemaire").registration
    before = len(_journal())

    receipt = erasure.erase_person(a.subject, actor="account:1")

    assert not Registration.objects.filter(pk=a.pk).exists()
    assert not AccessLink.objects.filter(registration_id=a.pk).exists()
    assert not SearchToken.objects.filter(registration_id=a.pk).exists()
    key = DataKey.objects.get(subject_id=a.subject_id)
    assert key.wrapped is None and key.destroyed_at is not None
    # No consent record points at the subject: its row goes too.
    assert not Subject.objects.filter(pk=a.subject_id).exists()
    assert receipt.as_dict()["registrations.Registration"] == 1 and receipt.as_dict()["keys"] == 1
    # Client B keeps its participant, readable.
    assert Registration.objects.get(pk=b.pk).first_name == "Noa"
    # Journal before done, with ids only; audit entry pseudonymous, chain intact.
    entries = _journal()[before:]
    assert [(e["subject"], e["scope"]) for e in entries] == [(str(a.subject_id), "client")]
    assert EMAIL.lower() not in journal.path().read_text().lower()
    entry = AuditEntry.objects.filter(action="person.erased").get()
    assert entry.target == f"subject:{a.subject_id}" and entry.details["scope"] == "client"
    assert "Noa" not in json.dumps(entry.details) and verify() is None


def test_p4_3_erasing_an_erased_person_is_a_quiet_no_op(event_a: Any) -> None:
    """Issue 5, bad input: erasing an already-erased person succeeds, does nothing more."""
    a = register(event_a, email=EMAIL, first_name="Noa", last_name="Lemaire").registration
    subject = a.subject
    erasure.erase_person(subject, actor="operator")
    journal_len, audit_len = len(_journal()), AuditEntry.objects.count()

    again = erasure.erase_person(subject, actor="operator")

    assert again.nothing_done
    assert len(_journal()) == journal_len and AuditEntry.objects.count() == audit_len
    assert erasure.erase_everywhere(EMAIL, actor="operator").nothing_done


def test_p6_8_erase_everywhere_removes_account_and_every_client(
        event_a: Any, event_b: Any, make_participant: Any) -> None:  # noqa: F811
    user = make_participant(EMAIL, "Noa", "Lemaire")
    a = register(event_a, email=EMAIL, first_name="Noa", last_name="Lemaire").registration
    b = register(event_b, email=EMAIL, first_name="Noa", last_name="Lemaire").registration
    claim_registrations(user)
    assert AccountLink.objects.filter(account=user).count() == 2

    receipt = erasure.erase_everywhere(user, actor=f"account:{user.pk}")

    assert not User.objects.filter(pk=user.pk).exists()
    assert not Registration.objects.filter(pk__in=[a.pk, b.pk]).exists()
    assert not AccountLink.objects.exists()
    ids = {user.subject_id, a.subject_id, b.subject_id}
    assert set(DataKey.objects.filter(subject_id__in=ids, wrapped__isnull=True)
               .values_list("subject_id", flat=True)) == ids
    assert receipt.as_dict()["keys"] == 3 and receipt.as_dict()["accounts.User"] == 1
    assert {e["scope"] for e in _journal()[-3:]} == {"everywhere"}
    assert verify() is None


def test_p6_8_purge_subject_after_restore_like_state(event_a: Any) -> None:
    """The replay after a restore (issue 5 §6): the subject row back from an old backup, or
    absent, both end with nothing of the person; running it twice is harmless."""
    a = register(event_a, email=EMAIL, first_name="Noa", last_name="Lemaire").registration
    subject_id = a.subject_id

    first = erasure.purge_subject(subject_id)
    assert not Registration.objects.filter(subject_id=subject_id).exists()
    assert first.as_dict()["keys"] == 1
    # The ciphertext of a copy (a backup) no longer opens: the key is gone.
    assert a.email_enc and Registration(subject_id=subject_id, email_enc=a.email_enc).email == ""
    with pytest.raises(KeyDestroyed):
        keystore.get_key(subject_id)
    assert erasure.purge_subject(str(subject_id)).nothing_done
    # A subject the database never heard of: no error.
    import uuid

    assert erasure.purge_subject(uuid.uuid4()).nothing_done


def test_p4_3_erasure_frees_the_place(event_a: Any) -> None:
    event_a.capacity = 1
    event_a.save()
    a = register(event_a, email=EMAIL, first_name="Noa", last_name="Lemaire").registration
    waiting = register(event_a, email="other@example.org", first_name="Sam",
                       last_name="Roux").registration
    assert waiting.status == "waitlisted"

    erasure.erase_person(a.subject, actor="operator")

    waiting.refresh_from_db()
    event_a.refresh_from_db()
    assert waiting.status == "confirmed" and event_a.seats_taken == 1


@pytest.mark.no_db
def test_p4_3_every_mode_is_applied_somewhere() -> None:
    modes = {item.erase for decl in all_declarations().values()
             for item in decl.personal.values()}
    assert modes == set(Erase)
    assert apps.get_model("protection.DataKey")
