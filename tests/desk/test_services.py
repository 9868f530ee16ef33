"""The request desk's services: recording, identity, deadlines, refusals, outcomes
(issue 5 §8; P4.2, P4.3, P6.8; R-02, R-03, R-07, R-13)."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import zipfile
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from livesession.accounts.models import User
from livesession.accounts.services import create_account
from livesession.audit.models import AuditEntry
from livesession.core.clock import freeze, now
from livesession.desk import deadlines, services
from livesession.desk.models import IdentityCheck, IdentityDocument, Request, Status
from livesession.protection.models import Subject
from livesession.registrations.models import Registration
from livesession.registrations.services import register
from tests.accounts.conftest import Mailbox

ADDRESS = "camille.request@example.org"


def _trail(req: Request) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(target=f"desk_request:{req.pk}").order_by("id"))


def _verified(req: Request) -> Request:
    code = services.start_identity_check(req, actor="test")
    return services.verify_code(req, code, actor="test")


# --- recording ----------------------------------------------------------------------------

def test_p4_2_recorded_request_is_sealed_dated_and_acknowledged(make_request: Any,
                                                                mailbox: Mailbox) -> None:
    with mailbox.deliver():
        req = make_request(email=ADDRESS, name="Camille Requester",
                           received_on=dt.date(2026, 1, 31) if deadlines.today() > dt.date(
                               2026, 1, 31) else deadlines.today())
    req = Request.objects.get(pk=req.pk)
    assert req.due_on == deadlines.due_date(req.received_on)
    assert req.status == Status.RECEIVED and req.client_id is None
    # Sealed at rest: the columns hold ciphertext, the attribute reads the value.
    assert ADDRESS not in req.email_enc and "Camille" not in req.name_enc
    assert req.email == ADDRESS and req.name == "Camille Requester"
    # The person's subject at the operator, which erasure reaches (subject_path).
    assert req.subject is not None and req.subject.controller == "operator"
    # The trail names nobody.
    trail = _trail(req)
    assert [e.action for e in trail] == ["desk.request_recorded"]
    assert ADDRESS not in json.dumps(trail[0].details) and "Camille" not in json.dumps(
        trail[0].details)
    mails = mailbox.to(ADDRESS)
    assert len(mails) == 1 and "free of charge" in mailbox.body(mails[0])


def test_p4_2_request_uses_the_existing_subject_of_an_account(make_request: Any) -> None:
    user = create_account(ADDRESS, "a long enough passphrase", actor="test")
    req = make_request(email=ADDRESS.upper())
    assert req.subject_id == user.subject_id and not req.own_subject
    other = make_request(email="nobody.known@example.org")
    assert other.own_subject


def test_received_date_in_the_future_is_refused(make_request: Any) -> None:
    with pytest.raises(services.DeskError, match="future"):
        make_request(received_on=deadlines.today() + dt.timedelta(days=1))


# --- extension (R-02) ---------------------------------------------------------------------

def test_p4_2_extension_with_reason_tells_the_person_before_the_due_date(
        make_request: Any, mailbox: Mailbox) -> None:
    req = make_request(email=ADDRESS)
    until = deadlines.add_months(req.received_on, 3)
    with mailbox.deliver():
        services.extend(req, until=until, reason="Many years of records to gather",
                        actor="test")
    req.refresh_from_db()
    assert req.extended_until == until and req.deadline == until
    assert req.extension_notified_at is not None
    assert deadlines.today() <= req.due_on  # told within the first month
    notice = [m for m in mailbox.to(ADDRESS) if "more time" in mailbox.subject(m)]
    assert len(notice) == 1 and "Many years of records" in mailbox.body(notice[0])


def test_p4_2_extension_after_the_due_date_is_refused_with_the_reason(
        make_request: Any) -> None:
    req = make_request(received_on=deadlines.today() - dt.timedelta(days=40))
    with pytest.raises(services.DeskError) as refused:
        services.extend(req, until=deadlines.latest_extension(req.received_on),
                        reason="Too late", actor="test")
    assert "has passed" in refused.value.message and "12(3)" in refused.value.message
    req.refresh_from_db()
    assert req.extended_until is None and req.extension_notified_at is None


@pytest.mark.parametrize("months", [4, 0])
def test_p4_2_extension_beyond_two_more_months_or_not_later_is_refused(
        make_request: Any, months: int) -> None:
    req = make_request()
    with pytest.raises(services.DeskError, match="two more months"):
        services.extend(req, until=deadlines.add_months(req.received_on, months),
                        reason="Complex request", actor="test")


def test_p4_2_extension_without_a_reason_is_refused(make_request: Any) -> None:
    req = make_request()
    with pytest.raises(services.DeskError, match="reason"):
        services.extend(req, until=deadlines.add_months(req.received_on, 2), reason="  ",
                        actor="test")
    assert Request.objects.get(pk=req.pk).extended_until is None


# --- identity (R-03) ----------------------------------------------------------------------

def test_p4_2_r03_code_is_mailed_hashed_at_rest_and_purged_after_use(
        make_request: Any, mailbox: Mailbox) -> None:
    req = make_request(email=ADDRESS)
    with mailbox.deliver():
        code = services.start_identity_check(req, actor="test")
    mail = [m for m in mailbox.to(ADDRESS) if "code" in mailbox.subject(m)]
    assert len(mail) == 1 and f"{code[:4]} {code[4:]}" in mailbox.body(mail[0])
    check = IdentityCheck.objects.get(request=req)
    assert code not in check.code_hash
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM desk_identitycheck")
        assert code not in repr(cursor.fetchall())
    assert Request.objects.get(pk=req.pk).status == Status.VERIFYING
    services.verify_code(req, f" {code[:4]}-{code[4:]} ", actor="test")
    req.refresh_from_db()
    assert req.identity_verified_at is not None and req.identity_method == "one_time_code"
    assert req.status == Status.IN_PROGRESS
    assert not IdentityCheck.objects.filter(request=req).exists()


def test_p4_2_r03_code_expires_after_its_lifetime(make_request: Any, settings: Any) -> None:
    req = make_request()
    code = services.start_identity_check(req, actor="test")
    later = now() + dt.timedelta(hours=settings.DESK_CODE_TTL_HOURS, seconds=1)
    with freeze(later), pytest.raises(services.DeskError, match="expired"):
        services.verify_code(req, code, actor="test")
    assert not IdentityCheck.objects.filter(request=req).exists()
    assert Request.objects.get(pk=req.pk).identity_verified_at is None


def test_p4_2_r03_too_many_wrong_codes_purge_the_code_and_go_to_manual_review(
        make_request: Any, settings: Any) -> None:
    req = make_request()
    code = services.start_identity_check(req, actor="test")
    wrong = "00000000" if code != "00000000" else "11111111"
    for attempt in range(1, settings.DESK_CODE_MAX_ATTEMPTS):
        with pytest.raises(services.DeskError, match=f"{5 - attempt} attempt"):
            services.verify_code(req, wrong, actor="test")
    with pytest.raises(services.DeskError, match="manual review"):
        services.verify_code(req, wrong, actor="test")
    assert not IdentityCheck.objects.filter(request=req).exists()
    req.refresh_from_db()
    assert req.status == Status.MANUAL_REVIEW and req.identity_verified_at is None
    # The right code no longer works either: it was purged.
    with pytest.raises(services.DeskError, match="No code"):
        services.verify_code(req, code, actor="test")


def test_p4_2_r03_document_only_with_a_recorded_doubt(make_request: Any) -> None:
    req = make_request()
    with pytest.raises(PermissionDenied):
        services.upload_document(req, b"%PDF-1.4 passport", file_name="id.pdf",
                                 content_type="application/pdf", actor="test")
    assert not IdentityDocument.objects.exists()


def test_p4_2_r03_document_is_sealed_then_deleted_right_after_the_check(
        make_request: Any) -> None:
    marker = b"%PDF-1.4 PASSPORT-MARKER-7Q2"
    req = make_request()
    services.record_doubt(req, "The letter's signature differs from the account's name",
                          actor="test")
    req.refresh_from_db()
    doc = services.upload_document(req, marker, file_name="passport-scan.pdf",
                                   content_type="application/pdf", actor="test")
    stored = IdentityDocument.objects.get(pk=doc.pk)
    assert base64.b64decode(stored.content) == marker
    encoded = base64.b64encode(marker).decode()
    assert marker.decode() not in stored.content_enc and encoded not in stored.content_enc
    ciphertext = stored.content_enc
    services.conclude_document_check(req, accepted=True, actor="test")
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM desk_identitydocument")
        rows = cursor.fetchall()
    assert rows == []
    assert not any(ciphertext in json.dumps(e.details) for e in AuditEntry.objects.all())
    req.refresh_from_db()
    assert req.identity_method == "document" and req.status == Status.IN_PROGRESS


# --- refusal (art. 12(4)) -----------------------------------------------------------------

def test_p4_2_refusal_validator_refuses_a_text_without_the_cnil_route() -> None:
    with pytest.raises(services.DeskError, match="CNIL"):
        services.validate_refusal_text("We refuse: the request is manifestly unfounded.")
    with pytest.raises(services.DeskError, match="court"):
        services.validate_refusal_text(
            f"Complain to the CNIL, {services.CNIL_ADDRESS}, {services.CNIL_URL}.")
    services.validate_refusal_text(
        f"CNIL, {services.CNIL_ADDRESS}, {services.CNIL_URL}; or a court.")


def test_p4_2_refusal_mail_names_the_reason_the_cnil_and_the_court(
        make_request: Any, mailbox: Mailbox) -> None:
    req = make_request(email=ADDRESS)
    with mailbox.deliver():
        services.refuse(req, reason="The same request was answered last week.", actor="test")
    req.refresh_from_db()
    assert req.status == Status.REFUSED and req.responded_at is not None
    assert req.response_channel == "email"  # electronic request, electronic answer
    mail = [m for m in mailbox.to(ADDRESS) if "received" not in mailbox.subject(m)]
    body = mailbox.body(mail[0])
    for part in ("answered last week", "CNIL", services.CNIL_ADDRESS, services.CNIL_URL,
                 "court"):
        assert part in body


def test_closed_request_refuses_further_steps(make_request: Any) -> None:
    req = make_request()
    services.withdraw(req, actor="test")
    with pytest.raises(services.DeskError, match="closed"):
        services.start_identity_check(req, actor="test")


# --- outcomes through the personal space's services ---------------------------------------

def test_p4_3_erasure_request_erases_the_account_and_is_idempotent(
        make_request: Any, mailbox: Mailbox, event_a: Any) -> None:
    user = create_account(ADDRESS, "a long enough passphrase", first_name="Camille",
                          actor="test")
    register(event_a, email=ADDRESS, first_name="Camille", last_name="Durand")
    req = _verified(make_request(type="erasure", email=ADDRESS))
    with mailbox.deliver():
        counts = services.fulfil_erasure(req, actor="account:1")
    assert counts
    assert not User.objects.filter(pk=user.pk).exists()
    assert not Registration.objects.filter(event=event_a).exists()
    req = Request.objects.get(pk=req.pk)
    assert req.status == Status.DONE and req.email == "" and req.email_enc == ""
    assert req.subject_id is None
    erased = [m for m in mailbox.to(ADDRESS) if "erased" in mailbox.subject(m)]
    assert len(erased) == 1
    # The same person asks again: no account, no registration left; only the traces of
    # the new request itself (its subject, its messages) go. Done, no error.
    again = _verified(make_request(type="erasure", email=ADDRESS))
    counts = services.fulfil_erasure(again, actor="account:1")
    assert not any(key.startswith(("accounts.", "registrations.")) for key in counts)
    assert Request.objects.get(pk=again.pk).status == Status.DONE
    # The trail outlives the data and names nobody.
    actions = [e.action for e in _trail(req)]
    assert "desk.erasure_done" in actions
    assert not AuditEntry.objects.filter(details__icontains=ADDRESS).exists()


def test_p4_3_client_erasure_request_erases_the_participant_there_only(
        make_request: Any, client_a: Any, event_a: Any, event_b: Any) -> None:
    register(event_a, email=ADDRESS, first_name="Camille", last_name="Durand")
    register(event_b, email=ADDRESS, first_name="Camille", last_name="Durand")
    req = _verified(make_request(client_a, type="erasure", email=ADDRESS))
    services.fulfil_erasure(req, actor="test")
    assert not Registration.objects.filter(event=event_a).exists()
    assert Registration.objects.filter(event=event_b).count() == 1


def test_p4_1_export_request_gives_the_personal_space_archive_with_its_hash(
        make_request: Any) -> None:
    create_account(ADDRESS, "a long enough passphrase", first_name="Camille", actor="test")
    req = _verified(make_request(type="portability", email=ADDRESS))
    export = services.export_for_operator(req, actor="account:7")
    with zipfile.ZipFile(io.BytesIO(export.archive)) as archive:
        data = json.loads(archive.read("data.json"))
        assert "index.html" in archive.namelist()
    assert "Camille" in json.dumps(data)
    prepared = [e for e in _trail(req) if e.action == "desk.export_prepared"]
    assert prepared[0].details["sha256"] == export.sha256


def test_export_needs_a_verified_identity(make_request: Any) -> None:
    create_account(ADDRESS, "a long enough passphrase", actor="test")
    req = make_request(type="access", email=ADDRESS)
    with pytest.raises(services.DeskError, match="identity"):
        services.export_for_operator(req, actor="test")


def test_p1_5_rectification_by_staff_uses_the_profile_service(make_request: Any) -> None:
    user = create_account(ADDRESS, "a long enough passphrase", first_name="Camile",
                          actor="test")
    req = _verified(make_request(type="rectification", email=ADDRESS))
    assert services.rectify_account(req, {"first_name": "Camille"}, actor="test") == [
        "first_name"]
    assert User.objects.get(pk=user.pk).first_name == "Camille"
    assert AuditEntry.objects.filter(action="account.profile_updated").exists()


def test_restriction_request_restricts_the_subject(make_request: Any) -> None:
    create_account(ADDRESS, "a long enough passphrase", actor="test")
    req = _verified(make_request(type="restriction", email=ADDRESS))
    assert services.fulfil_restriction(req, actor="test") == 1
    assert Subject.objects.get(pk=req.subject_id).restricted_at is not None


def test_objection_request_records_the_objection(make_request: Any) -> None:
    from livesession.protection import objection

    req = _verified(make_request(type="objection", email=ADDRESS))
    services.fulfil_objection(req, "statistics", actor="test")
    assert objection.objects_to(req.subject_id, "statistics")


def test_p4_2_r13_trail_outlives_the_request(make_request: Any) -> None:
    req = make_request()
    services.withdraw(req, actor="test")
    before = len(_trail(req))
    Request.objects.filter(pk=req.pk).delete()
    assert before == 2 and len(_trail(req)) == before


def test_complete_needs_identity_and_answers_electronically(make_request: Any,
                                                             mailbox: Mailbox) -> None:
    req = make_request(email=ADDRESS)
    with pytest.raises(services.DeskError, match="identity"):
        services.complete(req, actor="test")
    _verified(req)
    with mailbox.deliver():
        services.complete(req, actor="test", note="Your data was sent in our reply.")
    req.refresh_from_db()
    assert req.status == Status.DONE and req.response_channel == "email"
    assert any("sent in our reply" in mailbox.body(m) for m in mailbox.to(ADDRESS))
