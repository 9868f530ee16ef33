"""Second factor (S-02): TOTP per RFC 6238, codes used once, recovery codes once, a limit
on attempts, the sign-in code step, staff MFA before the console, a client's requirement."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client as Browser
from django.utils import translation

from livesession.accounts import mfa
from livesession.accounts.services import create_account
from livesession.core import clock
from livesession.core.models import Role
from livesession.staffaccess import mfa_services
from livesession.staffaccess.models import MfaDevice
from tests.conftest import PASSWORD, enroll_mfa

RFC_SHA1 = b"12345678901234567890"
RFC_SHA256 = b"12345678901234567890123456789012"
RFC_SHA512 = RFC_SHA1 * 3 + b"1234"
MOMENT = dt.datetime(2026, 3, 2, 10, 0, 15, tzinfo=dt.UTC)


@pytest.mark.no_db
@pytest.mark.parametrize(("unix", "sha1", "sha256", "sha512"), [
    (59, "94287082", "46119246", "90693936"),
    (1111111109, "07081804", "68084774", "25091201"),
    (1111111111, "14050471", "67062674", "99943326"),
    (1234567890, "89005924", "91819424", "93441116"),
    (2000000000, "69279037", "90698825", "38618901"),
    (20000000000, "65353130", "77737706", "47863826"),
])
def test_s_02_totp_matches_rfc_6238_test_vectors(unix: int, sha1: str, sha256: str,
                                                sha512: str) -> None:
    """RFC 6238 appendix B, 8 digits, for the three hash functions."""
    assert mfa.totp(RFC_SHA1, unix, digits=8) == sha1
    assert mfa.totp(RFC_SHA256, unix, digits=8, digest="sha256") == sha256
    assert mfa.totp(RFC_SHA512, unix, digits=8, digest="sha512") == sha512


def _code(secret: str, at: dt.datetime) -> str:
    return mfa.totp(mfa._key(secret), at.timestamp())


@pytest.fixture
def member(client_a: Any, make_member: Any) -> Any:
    return make_member(client_a, Role.ORGANIZER, "member@alpha.test")


@pytest.fixture(autouse=True)
def _no_counts() -> None:
    cache.clear()


@pytest.mark.real_mfa
def test_s_02_wrong_code_refused_and_replayed_code_refused_within_its_window(member: Any) -> None:
    with clock.freeze(MOMENT - dt.timedelta(minutes=5)):
        secret = enroll_mfa(member)
    with clock.freeze(MOMENT):
        good = _code(secret, MOMENT)
        wrong = f"{(int(good) + 1) % 10**6:06d}"
        assert not mfa_services.check_code(member, wrong)
        assert mfa_services.check_code(member, good)
        assert not mfa_services.check_code(member, good)  # same 30 s window: refused
    with clock.freeze(MOMENT + dt.timedelta(seconds=20)):  # still accepted by drift: no
        assert not mfa_services.check_code(member, good)
    later = MOMENT + dt.timedelta(seconds=60)
    with clock.freeze(later):
        assert mfa_services.check_code(member, _code(secret, later))


@pytest.mark.real_mfa
def test_s_02_secret_is_sealed_and_recovery_codes_hashed(member: Any) -> None:
    secret = enroll_mfa(member)
    device = MfaDevice.objects.get(user=member)
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret_enc FROM staffaccess_mfadevice WHERE id = %s",
                       [device.pk])
        raw = cursor.fetchone()[0]
    assert secret not in raw and device.secret == secret
    codes = mfa_services.new_recovery_codes(member)
    stored = list(device.recovery_codes.values_list("code_digest", flat=True))
    assert len(stored) == 10 and not set(codes) & set(stored)


@pytest.mark.real_mfa
def test_s_02_recovery_code_works_once(member: Any) -> None:
    enroll_mfa(member)
    codes = mfa_services.new_recovery_codes(member)
    assert mfa_services.check_code(member, codes[0])
    assert not mfa_services.check_code(member, codes[0])
    assert mfa_services.recovery_codes_left(member) == 9


@pytest.mark.real_mfa
def test_s_02_attempts_are_limited_even_a_right_code_after(member: Any,
                                                           settings: Any) -> None:
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "mfa_code": (5, 300)}
    with clock.freeze(MOMENT - dt.timedelta(minutes=10)):
        secret = enroll_mfa(member)
    with clock.freeze(MOMENT):
        for _ in range(5):
            assert not mfa_services.check_code(member, "000000" if _code(
                secret, MOMENT) != "000000" else "111111")
        with pytest.raises(mfa_services.TooManyAttempts):
            mfa_services.check_code(member, _code(secret, MOMENT))


@pytest.mark.real_mfa
def test_s_02_sign_in_asks_the_code_after_the_password(member: Any) -> None:
    with clock.freeze(MOMENT - dt.timedelta(minutes=5)):
        secret = enroll_mfa(member)
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
    with clock.freeze(MOMENT):
        page = browser.post("/accounts/login/", {"email": "member@alpha.test",
                                                 "password": PASSWORD})
        assert page.status_code == 200 and b'name="step" value="code"' in page.content
        assert "_auth_user_id" not in browser.session  # not signed in yet
        refused = browser.post("/accounts/login/", {"step": "code", "code": "12345"})
        assert refused.status_code == 400 and b'role="alert"' in refused.content
        assert "_auth_user_id" not in browser.session
        done = browser.post("/accounts/login/", {"step": "code",
                                                 "code": _code(secret, MOMENT)})
    assert done.status_code == 302 and done["Location"] == "/manager/"
    assert browser.session["_auth_user_id"] == str(member.pk)
    assert browser.session[mfa.SESSION_KEY] == member.pk


@pytest.mark.real_mfa
def test_s_02_staff_without_mfa_cannot_reach_the_console() -> None:
    staff = create_account("fresh@operator.test", PASSWORD, is_operator=True, actor="t")
    staff.confidentiality_ack_at = clock.now()
    staff.save()
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(staff)
    for path in ("/console/", "/console/acknowledge/", "/console/access/", "/console/outbox/"):
        response = browser.get(path)
        assert response.status_code == 302 and response["Location"] == "/console/mfa/", path
    # Setting it up here proves it for this session: the console opens.
    browser.post("/console/mfa/", {"action": "start"})
    secret = MfaDevice.objects.get(user=staff).secret
    page = browser.post("/console/mfa/", {"action": "confirm",
                                          "code": _code(secret, clock.now())})
    assert page.status_code == 200 and b"recovery codes" in page.content
    assert browser.get("/console/").status_code == 200


@pytest.mark.real_mfa
def test_s_02_staff_with_mfa_must_prove_it_in_this_session(operator: Any) -> None:
    """A session that did not pass the code step (force_login here) stays out."""
    browser = Browser()
    browser.force_login(operator)
    response = browser.get("/console/")
    assert response.status_code == 302 and response["Location"] == "/console/mfa/"


@pytest.mark.real_mfa
def test_s_02_staff_cannot_turn_mfa_off(operator: Any) -> None:
    with translation.override("en"), pytest.raises(ValidationError, match="must keep"):
        mfa_services.disable(operator)


@pytest.mark.real_mfa
def test_s_02_client_requiring_mfa_blocks_its_members_until_enrolled(
        client_a: Any, owner_a: Any, member: Any, event_a: Any, client_b: Any) -> None:
    owner = Browser(HTTP_ACCEPT_LANGUAGE="en")
    owner.force_login(owner_a)
    # An owner without a second factor cannot require one (would lock themself out).
    owner.post("/manager/alpha/mfa/requirement/", {"required": "yes"})
    assert not mfa_services.client_requires(client_a)
    owner.post("/manager/alpha/mfa/", {"action": "start"})
    secret = MfaDevice.objects.get(user=owner_a).secret
    owner.post("/manager/alpha/mfa/", {"action": "confirm", "code": _code(secret, clock.now())})
    owner.post("/manager/alpha/mfa/requirement/", {"required": "yes"})
    assert mfa_services.client_requires(client_a)

    browser = Browser()
    browser.force_login(member)
    for path in ("/manager/alpha/", f"/manager/alpha/events/{event_a.pk}/"):
        response = browser.get(path)
        assert response.status_code == 302 and response["Location"] == "/manager/alpha/mfa/"
    assert browser.get("/manager/alpha/mfa/").status_code == 200
    browser.post("/manager/alpha/mfa/", {"action": "start"})
    mine = MfaDevice.objects.get(user=member).secret
    browser.post("/manager/alpha/mfa/", {"action": "confirm", "code": _code(mine, clock.now())})
    assert browser.get("/manager/alpha/").status_code == 200
    # Members may not turn it off while the client requires it.
    with translation.override("en"), pytest.raises(ValidationError,
                                                   match="requires a second factor"):
        mfa_services.disable(member)


@pytest.mark.real_mfa
def test_s_02_only_owners_set_the_requirement(client_a: Any, member: Any,
                                               make_member: Any) -> None:
    admin = make_member(client_a, Role.ADMIN, "admin@alpha.test")
    enroll_mfa(admin)
    browser = Browser()
    browser.force_login(admin)
    assert browser.post("/manager/alpha/mfa/requirement/",
                        {"required": "yes"}).status_code in (302, 403)
    assert not mfa_services.client_requires(client_a)


def test_s_02_mfa_is_optional_for_members(client_a: Any, member: Any) -> None:
    browser = Browser()
    browser.force_login(member)
    assert browser.get("/manager/alpha/").status_code == 200
