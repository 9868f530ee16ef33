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
from tests.accounts.conftest import PASSWORD, make_participant  # noqa: F401 - fixture

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
    # (other workers of a parallel run may share the journal: look at this subject only)
    entries = [e for e in _journal()[before:] if e["subject"] in (str(a.subject_id),
                                                                   str(b.subject_id))]
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
    journal_len = len([e for e in _journal() if e["subject"] == str(subject.pk)])
    audit_len = AuditEntry.objects.count()

    again = erasure.erase_person(subject, actor="operator")

    assert again.nothing_done
    assert len([e for e in _journal() if e["subject"] == str(subject.pk)]) == journal_len
    assert AuditEntry.objects.count() == audit_len
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
    assert {e["scope"] for e in _journal() if e["subject"] in map(str, ids)} == {"everywhere"}
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


# --- From the personal space (/me/) ------------------------------------------------------

def _signed_in(email: str) -> Any:
    from tests.accounts.conftest import sign_in

    browser, response = sign_in(email)
    assert response.status_code == 302
    return browser


def test_p4_3_delete_my_data_at_one_organizer_from_the_personal_space(
        event_a: Any, event_b: Any, client_a: Any, make_participant: Any,  # noqa: F811
        make_client: Any) -> None:
    user = make_participant(EMAIL, "Noa", "Lemaire")
    a = register(event_a, email=EMAIL, first_name="Noa", last_name="Lemaire").registration
    b = register(event_b, email=EMAIL, first_name="Noa", last_name="Lemaire").registration
    claim_registrations(user)
    stranger = make_client("stranger")
    browser = _signed_in(EMAIL)

    listing = browser.get("/me/erase/")
    assert listing.status_code == 200
    assert b"Delete my data at this organizer" in listing.content
    assert f"?client={client_a.pk}".encode() in listing.content
    assert browser.get(f"/me/erase/organizer/?client={stranger.pk}").status_code == 404
    assert browser.get("/me/erase/organizer/?client=x").status_code == 404
    page = browser.get(f"/me/erase/organizer/?client={client_a.pk}")
    assert page.status_code == 200 and b'name="password"' in page.content

    wrong = browser.post("/me/erase/organizer/", {"client": client_a.pk,
                                                  "password": "not my password at all"})
    assert wrong.status_code == 400 and Registration.objects.filter(pk=a.pk).exists()
    done = browser.post("/me/erase/organizer/", {"client": client_a.pk, "password": PASSWORD})

    assert done.status_code == 200
    assert b"encryption keys destroyed: 1" in done.content
    assert not Registration.objects.filter(pk=a.pk).exists()
    assert Registration.objects.filter(pk=b.pk).exists() and User.objects.filter(pk=user.pk)
    assert browser.get("/me/").status_code == 200  # still signed in
    entry = AuditEntry.objects.filter(action="person.erased").get()
    assert entry.actor == f"account:{user.pk}" and entry.target == f"subject:{a.subject_id}"


def test_p4_3_delete_my_account_and_everything_signs_out_everywhere(
        event_a: Any, make_participant: Any) -> None:  # noqa: F811
    user = make_participant(EMAIL, "Noa", "Lemaire")
    a = register(event_a, email=EMAIL, first_name="Noa", last_name="Lemaire").registration
    claim_registrations(user)
    here, elsewhere = _signed_in(EMAIL), _signed_in(EMAIL)
    assert b"Delete my account and everything" in here.get("/me/").content
    assert here.get("/me/erase/everything/").status_code == 200

    assert here.post("/me/erase/everything/", {"password": "wrong"}).status_code == 400
    done = here.post("/me/erase/everything/", {"password": PASSWORD})

    assert done.status_code == 200
    assert b"Your account and your data were deleted" in done.content
    assert not User.objects.filter(pk=user.pk).exists()
    assert not Registration.objects.filter(pk=a.pk).exists()
    for browser in (here, elsewhere):
        response = browser.get("/me/")
        assert response.status_code == 302 and response["Location"].startswith(
            "/accounts/login/")
    from tests.accounts.conftest import sign_in

    assert sign_in(EMAIL)[1].status_code != 302
