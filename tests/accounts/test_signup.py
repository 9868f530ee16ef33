"""Sign-up, email verification and password rules (issue 3 point 9; P0.2, P3.3)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.test import Client as Browser
from django.utils import translation

from livesession.accounts import services
from livesession.accounts.models import User
from livesession.audit.models import AuditEntry
from livesession.core.clock import freeze, now
from livesession.core.models import Client
from livesession.protection.crypto import email_index
from tests.accounts.conftest import PASSWORD, Mailbox, masked, open_link, sign_in

FORM = {"email": "Nour.Haddad@Example.org", "first_name": "Nour", "last_name": "Haddad",
        "password": PASSWORD, "password2": PASSWORD}
ADDRESS = "nour.haddad@example.org"


def _account(address: str = ADDRESS) -> User | None:
    return User.objects.filter(email_index=email_index(address)).first()


def test_p0_2_sign_up_mails_a_link_that_verifies_the_address(mailbox: Mailbox) -> None:
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
    assert browser.get("/accounts/signup/").status_code == 200
    with mailbox.deliver():
        response = browser.post("/accounts/signup/", FORM)
    assert response.status_code == 200
    assert "Check your email" in response.content.decode()

    user = _account()
    assert user is not None and not user.is_verified
    assert (user.first_name, user.last_name, user.email) == ("Nour", "Haddad", ADDRESS)
    assert user.check_password(PASSWORD) and not user.is_operator
    [mail] = mailbox.to(ADDRESS)
    assert mailbox.subject(mail) == "Confirm your email address"
    assert "Hello Nour" in mailbox.body(mail)
    link = mailbox.path_to(mail, "/accounts/verify/")

    # Opening the link (a mail scanner does) confirms nothing: the button does. The token
    # leaves the address: the button's page has none.
    page_url = open_link(browser, link)
    assert page_url == "/accounts/verify/"
    page = browser.get(page_url)
    assert page.status_code == 200 and "Confirm my address" in page.content.decode()
    user.refresh_from_db()
    assert not user.is_verified
    done = browser.post(page_url)
    assert done.status_code == 200 and "Address confirmed" in done.content.decode()
    user.refresh_from_db()
    assert user.is_verified
    # Following it again is harmless; the audit trail names the account, never the address.
    assert browser.post(open_link(browser, link)).status_code == 200
    actions = list(AuditEntry.objects.filter(target=f"account:{user.pk}")
                   .values_list("action", flat=True))
    assert "account.signed_up" in actions and "account.email_verified" in actions
    assert not any(ADDRESS in f"{e.target} {e.details}" for e in AuditEntry.objects.all())


def test_p3_3_passwords_are_stored_with_argon2() -> None:
    """The shipped settings hash with Argon2 first (tests use a cheap hasher for speed)."""
    from livesession.config import settings as shipped

    assert shipped.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_p0_2_duplicate_sign_up_answers_the_same_page_and_mails_the_owner(
        mailbox: Mailbox, make_participant: Any) -> None:
    owner = make_participant(ADDRESS, "Nour", "Haddad")
    other = {**FORM, "first_name": "Someone", "last_name": "Else",
             "password": "another long passphrase", "password2": "another long passphrase"}
    with mailbox.deliver():
        taken = Browser(HTTP_ACCEPT_LANGUAGE="en").post("/accounts/signup/", other)
        free = Browser(HTTP_ACCEPT_LANGUAGE="en").post(
            "/accounts/signup/", {**other, "email": "fresh.person@example.org"})

    assert taken.status_code == free.status_code == 200
    assert masked(taken) == masked(free)
    assert sorted(taken.cookies) == sorted(free.cookies)
    # Nothing changed on the existing account; the free address got its account.
    assert User.objects.filter(email_index=email_index(ADDRESS)).count() == 1
    owner.refresh_from_db()
    assert owner.first_name == "Nour" and owner.check_password(PASSWORD)
    assert _account("fresh.person@example.org") is not None
    # The owner is told, with the ways in; the newcomer gets a verification link.
    [told] = mailbox.to(ADDRESS)
    assert mailbox.subject(told) == "You already have an account"
    assert mailbox.path_to(told, "/accounts/login/")
    assert mailbox.path_to(told, "/accounts/password/reset/")
    assert not [p for p in mailbox.paths(told) if p.startswith("/accounts/verify/")]
    [welcome] = mailbox.to("fresh.person@example.org")
    assert mailbox.subject(welcome) == "Confirm your email address"


def test_p0_2_repeated_sign_up_of_an_unverified_account_resends_the_verification(
        mailbox: Mailbox, make_participant: Any) -> None:
    make_participant(ADDRESS, verified=False)
    with mailbox.deliver():
        Browser().post("/accounts/signup/", FORM)
    [told] = mailbox.to(ADDRESS)
    link = mailbox.path_to(told, "/accounts/verify/")
    confirming = Browser()
    confirming.post(open_link(confirming, link))
    user = _account()
    assert user is not None and user.is_verified


def test_p0_2_sign_up_form_names_each_error_and_keeps_what_was_typed() -> None:
    response = Browser(HTTP_ACCEPT_LANGUAGE="en").post("/accounts/signup/", {
        "email": "not an address", "first_name": "Ana", "last_name": "",
        "password": "short", "password2": "different"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="not an address"' in html and 'value="Ana"' in html
    assert "Enter a valid email address" in html
    assert "This field is required." in html
    assert "The two passwords differ" in html
    assert 'value="short"' not in html  # passwords are never sent back
    assert not User.objects.exclude(is_operator=True).exists()


@pytest.mark.parametrize(("password", "message"), [
    ("Tr0ub4dor", "This password is too short. It must contain at least 10 characters."),
    ("password1234", "This password is too common."),
    ("20242025202620", "This password is entirely numeric."),
    ("haddad-summer-nights", "The password contains your name or the start of your email"),
    ("nour.haddad was here", "The password contains your name or the start of your email"),
    ("my friend ELOÏSE sings", "The password contains your name or the start of your email"),
    ("x" * 129, "Use at most 128 characters for the password."),
])
def test_p3_3_password_strength_messages(password: str, message: str) -> None:
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        services.check_new_password(password, email=ADDRESS, first_name="Éloïse",
                                    last_name="Haddad")
    assert any(message in text for text in caught.value.messages), caught.value.messages


def test_p3_3_a_long_unrelated_passphrase_is_accepted() -> None:
    services.check_new_password("a" * 20 + " tangerine " + "b" * 90, email=ADDRESS,
                                first_name="Nour", last_name="Haddad")
    services.check_new_password("violet kayak at noon", email=ADDRESS, first_name="Nour",
                                last_name="Haddad")


def test_p3_3_password_rules_apply_on_the_page_too() -> None:
    response = Browser(HTTP_ACCEPT_LANGUAGE="en").post(
        "/accounts/signup/", {**FORM, "password": "nour1234567", "password2": "nour1234567"})
    assert response.status_code == 400
    assert "contains your name or the start of your email" in response.content.decode()
    assert _account() is None


def test_p0_2_unverified_account_signs_in_to_its_space_and_is_asked_to_verify(
        mailbox: Mailbox, make_participant: Any) -> None:
    make_participant(ADDRESS, verified=False)
    browser, response = sign_in(ADDRESS)
    assert response.status_code == 302 and response["Location"] == "/me/"
    page = browser.get("/me/").content.decode()
    assert "Confirm your email address." in page
    with mailbox.deliver():
        again = browser.post("/me/verify/")
    assert again.status_code == 302
    [mail] = mailbox.to(ADDRESS)
    browser.post(open_link(browser, mailbox.path_to(mail, "/accounts/verify/")))
    assert "Confirm your email address." not in browser.get("/me/").content.decode()


def test_members_and_staff_still_land_on_their_own_pages(client_a: Client,
                                                        operator: User) -> None:
    from tests.conftest import PASSWORD as MEMBER_PASSWORD

    _b, member = sign_in("owner@alpha.test", MEMBER_PASSWORD)
    assert member["Location"] == "/manager/"
    browser, staff = sign_in("staff@operator.test", MEMBER_PASSWORD)
    # Staff have a second factor (S-02): the code step comes between (tests/accounts/test_mfa.py).
    assert staff.status_code == 200 and b'name="step" value="code"' in staff.content
    from livesession.staffaccess.mfa_services import new_recovery_codes

    code = new_recovery_codes(operator)[0]
    staff = browser.post("/accounts/login/", {"step": "code", "code": code})
    assert staff["Location"] == "/console/"


def test_p0_2_verification_link_expires_after_three_days(make_participant: Any) -> None:
    start = now()
    with freeze(start):
        user = make_participant(ADDRESS, verified=False)
        link = services.verification_url(user)
    path = urlsplit(link).path
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
    with freeze(start + dt.timedelta(days=3, seconds=-1)):
        page_url = open_link(browser, path)
    # Opened in time, confirmed too late: the button refuses.
    with freeze(start + dt.timedelta(days=3, seconds=1)):
        page = browser.post(page_url)
        assert "This link does not work" in page.content.decode()
        late = Browser(HTTP_ACCEPT_LANGUAGE="en").get(path)
    assert late.status_code == 200 and "This link does not work" in late.content.decode()
    user.refresh_from_db()
    assert not user.is_verified
    forged = Browser(HTTP_ACCEPT_LANGUAGE="en").get("/accounts/verify/forged-token/")
    assert forged.status_code == 200 and "This link does not work" in forged.content.decode()


def test_p3_3_sign_up_is_rate_limited(settings: Any) -> None:
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "signup": (2, 3600)}
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
    codes = [browser.post("/accounts/signup/", {**FORM, "email": f"p{i}@example.org"})
             .status_code for i in range(3)]
    assert codes == [200, 200, 429]
    assert _account("p2@example.org") is None
