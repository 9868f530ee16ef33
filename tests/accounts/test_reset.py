"""Password reset: the page never tells whether an account exists, the link works once and
for one hour, and every session of the account ends (issue 3 point 9; P1.5, P3.3)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit

from django.contrib.sessions.models import Session
from django.test import Client as Browser

from livesession.accounts import services
from livesession.accounts.models import User, UserSession
from livesession.core.clock import freeze, now
from tests.accounts.conftest import PASSWORD, Mailbox, masked, open_link, sign_in

KNOWN = "ines.moreau@example.org"
UNKNOWN = "nobody.here@example.org"
NEW = "orange submarine at midnight"


def test_p1_5_reset_never_reveals_whether_an_account_exists(mailbox: Mailbox,
                                                           make_participant: Any) -> None:
    make_participant(KNOWN, "Inès", "Moreau")
    answers = {}
    with mailbox.deliver():
        for address in (KNOWN, UNKNOWN):
            browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
            assert browser.get("/accounts/password/reset/").status_code == 200
            answers[address] = browser.post("/accounts/password/reset/", {"email": address})
    known, unknown = answers[KNOWN], answers[UNKNOWN]
    assert known.status_code == unknown.status_code == 200
    assert masked(known) == masked(unknown)
    assert sorted(known.cookies) == sorted(unknown.cookies)
    assert "If an account uses this address" in known.content.decode()
    # Mail only for the account, never to an address without one.
    assert [m["X-Envelope-To"] for m in mailbox.messages] == [KNOWN]
    assert mailbox.subject(mailbox.to(KNOWN)[0]) == "Choose a new password"


def test_p1_5_reset_sets_the_password_once_and_ends_every_session(
        mailbox: Mailbox, make_participant: Any) -> None:
    user = make_participant(KNOWN, "Inès", "Moreau")
    elsewhere, _r = sign_in(KNOWN)
    assert elsewhere.get("/me/").status_code == 200
    with mailbox.deliver():
        services.request_password_reset(KNOWN.upper())
    link = mailbox.path_to(mailbox.to(KNOWN)[0], "/accounts/password/reset/")

    browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
    page_url = open_link(browser, link)
    assert page_url == "/accounts/password/new/"
    form = browser.get(page_url)
    assert form.status_code == 200 and "Choose a new password" in form.content.decode()
    weak = browser.post(page_url, {"password": "moreau-rocks-2024",
                                   "password2": "moreau-rocks-2024"})
    assert weak.status_code == 400
    assert "contains your name" in weak.content.decode()
    with mailbox.deliver():
        done = browser.post(page_url, {"password": NEW, "password2": NEW})
    assert done.status_code == 302 and done["Location"] == "/accounts/login/"
    # Nobody is signed in by the reset; the other session is over.
    assert browser.get("/me/").status_code == 302
    assert elsewhere.get("/me/")["Location"].startswith("/accounts/login/")
    assert not UserSession.objects.filter(user=user).exists()
    assert not any(s.get_decoded().get("_auth_user_id") == str(user.pk)
                   for s in Session.objects.all())
    # The link worked once (the reset also ended this browser's session, and the token
    # with it); the owner is told.
    again = browser.post(page_url, {"password": "another fine passphrase",
                                    "password2": "another fine passphrase"})
    assert "This link does not work" in again.content.decode()
    assert "This link does not work" in browser.get(link).content.decode()
    assert mailbox.subject(mailbox.to(KNOWN)[-1]) == "Your password was changed"
    assert sign_in(KNOWN)[1].status_code == 400
    assert sign_in(KNOWN, NEW)[1].status_code == 302


def test_p1_5_reset_link_expires_after_one_hour(make_participant: Any) -> None:
    start = now()
    with freeze(start):
        user = make_participant(KNOWN)
        link = urlsplit(services.reset_url(user)).path
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
    with freeze(start + dt.timedelta(minutes=59)):
        page_url = open_link(browser, link)
        assert "This link does not work" not in browser.get(page_url).content.decode()
    # Opened in time, sent too late: refused.
    with freeze(start + dt.timedelta(hours=1, seconds=1)):
        late = browser.post(page_url, {"password": NEW, "password2": NEW})
    assert late.status_code == 200 and "This link does not work" in late.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_p1_5_a_sign_in_voids_an_earlier_reset_link(make_participant: Any) -> None:
    user = make_participant(KNOWN)
    link = urlsplit(services.reset_url(user)).path
    sign_in(KNOWN)
    assert "This link does not work" in Browser(HTTP_ACCEPT_LANGUAGE="en").get(
        link).content.decode()


def test_p3_3_reset_mails_to_one_account_are_capped(mailbox: Mailbox,
                                                    make_participant: Any) -> None:
    """Nobody can use the page to flood someone's inbox: three mails an hour at most."""
    make_participant(KNOWN)
    with mailbox.deliver():
        for _i in range(5):
            assert Browser().post("/accounts/password/reset/",
                                  {"email": KNOWN}).status_code == 200
    assert len(mailbox.to(KNOWN)) == services.MAIL_PER_HOUR


def test_p3_3_reset_page_is_rate_limited(settings: Any) -> None:
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "password_reset": (2, 3600)}
    browser = Browser()
    codes = [browser.post("/accounts/password/reset/", {"email": UNKNOWN}).status_code
             for _i in range(3)]
    assert codes == [200, 200, 429]


def test_p1_5_reset_form_names_errors(make_participant: Any) -> None:
    user = make_participant(KNOWN)
    link = urlsplit(services.reset_url(user)).path
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
    response = browser.post(open_link(browser, link), {"password": NEW, "password2": "typo"})
    assert response.status_code == 400
    assert "The two passwords differ" in response.content.decode()
    assert User.objects.get(pk=user.pk).check_password(PASSWORD)
