"""Consent receipts as proof (issue 7 §2, §9; P2.3, P7.4; C-08): every choice writes one with
its fields, no network address is stored, receipts are append-only, the account is linked
only when signed in and cleared by erasure; the API answers the person's receipts and the
browser's current choice."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.db import connection
from django.test import Client as Browser

from livesession.cookies import consent, inventory
from livesession.cookies.models import ConsentReceipt
from livesession.privacy.services import current_notice
from tests.cookies.conftest import IPV4, IPV6, choose


def _cookie_choice(browser: Browser) -> consent.Choice:
    found = consent.decode(browser.cookies[inventory.CONSENT_COOKIE].value)
    assert found is not None
    return found


@pytest.mark.parametrize(("choice", "extra", "action", "expected"), [
    ("accept", {}, "accept_all", {"audience": True, "room_player": True}),
    ("reject", {}, "reject_all", {"audience": False, "room_player": False}),
    ("custom", {"allow": ["audience"]}, "custom", {"audience": True, "room_player": False}),
])
def test_p7_4_each_choice_writes_a_receipt_with_its_fields(
        visitor: Browser, choice: str, extra: dict[str, Any], action: str,
        expected: dict[str, bool]) -> None:
    response = choose(visitor, choice, surface="settings", **extra)
    receipt = ConsentReceipt.objects.get()
    assert receipt.action == action and receipt.surface == "settings"
    assert receipt.choices == expected
    assert receipt.inventory_hash == inventory.inventory_hash()
    assert receipt.notice_version == current_notice().digest
    assert receipt.language == "en" and receipt.account is None and receipt.at
    # The cookie carries the same receipt, choices, hash and time, set for 6 months.
    morsel = response.cookies[inventory.CONSENT_COOKIE]
    assert int(morsel["max-age"]) == inventory.CONSENT_LIFETIME
    assert morsel["httponly"] and morsel["samesite"] == "Lax"
    carried = _cookie_choice(visitor)
    assert carried.receipt_id == str(receipt.receipt_id) and carried.allowed == expected
    assert carried.inventory_hash == receipt.inventory_hash
    assert abs(carried.at - receipt.at.timestamp()) < 2


def test_c_08_no_network_address_is_stored_anywhere_in_the_receipts() -> None:
    for address in (IPV4, IPV6):
        choose(Browser(REMOTE_ADDR=address), "accept")
    assert ConsentReceipt.objects.count() == 2
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM cookies_consentreceipt")
        dump = json.dumps(cursor.fetchall(), default=str)
    for part in (IPV4, "203.0.113", "203.0.", IPV6, "2001:db8"):
        assert part not in dump


def test_c_08_receipts_are_append_only(visitor: Browser) -> None:
    choose(visitor, "accept")
    receipt = ConsentReceipt.objects.get()
    receipt.choices = {"audience": False}
    with pytest.raises(ValueError, match="cannot be changed"):
        receipt.save()


def test_p7_5_withdrawal_records_a_new_receipt_naming_what_was_withdrawn(
        visitor: Browser) -> None:
    choose(visitor, "accept")
    choose(visitor, "custom", allow=["room_player"])
    first, second = ConsentReceipt.objects.order_by("at", "id")
    assert first.withdrawn == [] and second.withdrawn == ["audience"]
    assert second.receipt_id != first.receipt_id


def test_p7_4_the_placeholder_grants_one_tracker_and_keeps_the_rest(visitor: Browser) -> None:
    choose(visitor, "custom", allow=["audience"])
    choose(visitor, "grant", tracker="room_player", surface="placeholder")
    last = ConsentReceipt.objects.order_by("-at", "-id").first()
    assert last is not None and last.action == "grant" and last.surface == "placeholder"
    assert last.choices == {"audience": True, "room_player": True}


def test_c_08_signed_in_receipts_name_the_account_and_erasure_clears_it(owner_a: Any) -> None:
    from livesession.protection.erasure import erase_person

    browser = Browser()
    browser.force_login(owner_a)
    choose(browser, "reject")
    receipt = ConsentReceipt.objects.get()
    assert receipt.account_id == owner_a.pk
    erase_person(owner_a.subject, actor="test", scope="everything")
    receipt.refresh_from_db()
    assert receipt.account_id is None and receipt.choices  # the proof stays, unlinked


def test_p7_4_api_me_consents_lists_own_receipts_only(owner_a: Any, owner_b: Any) -> None:
    mine, theirs = Browser(), Browser()
    mine.force_login(owner_a)
    theirs.force_login(owner_b)
    choose(mine, "accept")
    choose(mine, "custom", allow=["audience"])
    choose(theirs, "reject")
    answer = mine.get("/api/v1/me/consents")
    assert answer.status_code == 200 and answer["Cache-Control"] == "no-store"
    receipts = answer.json()["receipts"]
    assert [r["action"] for r in receipts] == ["custom", "accept_all"]
    own = {str(r.receipt_id) for r in ConsentReceipt.objects.filter(account=owner_a)}
    assert {r["receipt_id"] for r in receipts} == own
    assert set(receipts[0]) == {"receipt_id", "action", "surface", "choices", "withdrawn",
                                "inventory_hash", "notice_version", "language", "at"}
    assert Browser().get("/api/v1/me/consents").status_code in (401, 403)


def test_p7_4_api_current_consent_reads_the_browser_cookie(visitor: Browser) -> None:
    none = visitor.get("/api/v1/consents/current").json()
    assert none["status"] == "no_choice" and none["choice"] is None
    assert none["inventory_hash"] == inventory.inventory_hash()
    choose(visitor, "custom", allow=["audience"])
    answer = visitor.get("/api/v1/consents/current").json()
    assert answer["status"] == "valid"
    assert answer["choice"]["choices"] == {"audience": True, "room_player": False}
    uuid.UUID(answer["choice"]["receipt_id"])
    visitor.cookies[inventory.CONSENT_COOKIE] = "forged"
    assert visitor.get("/api/v1/consents/current").json()["status"] == "no_choice"
