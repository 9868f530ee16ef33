"""Sessions of an account (P1.5): the list, "sign out everywhere else", and "this was not
me", which ends every session and forces a new password."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.sessions.models import Session

from livesession.accounts import services
from livesession.accounts.models import User, UserSession
from livesession.core.clock import freeze, now
from tests.accounts.conftest import PASSWORD, Mailbox, sign_in

OWNER = "lou.bernard@example.org"
FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
CHROME_ANDROID = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like "
                  "Gecko) Chrome/126.0.0.0 Mobile Safari/537.36")
NEW = "orange submarine at midnight"


def _sessions_of(user: User) -> list[Session]:
    return [s for s in Session.objects.all()
            if s.get_decoded().get("_auth_user_id") == str(user.pk)]


def test_p1_5_not_me_ends_every_session_and_forces_a_new_password(
        mailbox: Mailbox, make_participant: Any) -> None:
    user = make_participant(OWNER, "Lou", "Bernard")
    mine, _r = sign_in(OWNER, HTTP_USER_AGENT=FIREFOX_LINUX)
    thief, _r = sign_in(OWNER, HTTP_USER_AGENT=CHROME_ANDROID)
    assert thief.get("/me/").status_code == 200 and len(_sessions_of(user)) == 2

    assert mine.get("/me/security/not-me/").status_code == 200
    with mailbox.deliver():
        answer = mine.post("/me/security/not-me/")
    assert answer.status_code == 302 and answer["Location"] == "/accounts/login/"

    # Both browsers are signed out, the thief's first.
    for browser in (thief, mine):
        response = browser.get("/me/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
    assert _sessions_of(user) == [] and not UserSession.objects.filter(user=user).exists()
    # The password no longer works; the mailbox gets the way back in.
    user.refresh_from_db()
    assert not user.has_usable_password()
    assert sign_in(OWNER)[1].status_code == 400
    [mail] = mailbox.to(OWNER)
    assert mailbox.subject(mail) == "Your account is secured: choose a new password"
    link = mailbox.path_to(mail, "/accounts/password/reset/")
    mine.post(link, {"password": NEW, "password2": NEW})
    assert sign_in(OWNER, NEW)[1].status_code == 302


def test_p1_5_session_list_is_coarse_and_sign_out_everywhere_else_keeps_this_one(
        make_participant: Any) -> None:
    user = make_participant(OWNER)
    mine, _r = sign_in(OWNER, HTTP_USER_AGENT=FIREFOX_LINUX, REMOTE_ADDR="203.0.113.45")
    other, _r = sign_in(OWNER, HTTP_USER_AGENT=CHROME_ANDROID,
                        REMOTE_ADDR="2001:db8:abcd:12::1")
    page = mine.get("/me/security/").content.decode()
    assert "Firefox, Linux" in page and "Chrome, Android" in page
    assert "203.0.113.0/24" in page and "2001:db8:abcd::/48" in page
    # Never the whole user agent or address.
    assert "203.0.113.45" not in page and "2001:db8:abcd:12::1" not in page
    assert "Pixel 8" not in page and "rv:128.0" not in page
    assert page.count("this device") == 1

    wrong = mine.post("/me/security/sign-out-everywhere/", {"password": "not my password"})
    assert wrong.status_code == 400 and "This is not your password." in wrong.content.decode()
    assert other.get("/me/").status_code == 200

    done = mine.post("/me/security/sign-out-everywhere/", {"password": PASSWORD})
    assert done.status_code == 302
    assert other.get("/me/").status_code == 302
    assert mine.get("/me/").status_code == 200
    assert len(_sessions_of(user)) == 1 and UserSession.objects.filter(user=user).count() == 1


def test_p1_5_last_activity_is_written_at_most_once_a_minute(make_participant: Any) -> None:
    user = make_participant(OWNER)
    start = now()
    with freeze(start):
        browser, _r = sign_in(OWNER)
    row = UserSession.objects.get(user=user)
    assert row.last_seen_at == start
    with freeze(start + dt.timedelta(seconds=30)):
        browser.get("/me/")
    assert UserSession.objects.get(pk=row.pk).last_seen_at == start
    with freeze(start + dt.timedelta(seconds=61)):
        browser.get("/me/")
    assert UserSession.objects.get(pk=row.pk).last_seen_at == start + dt.timedelta(seconds=61)


def test_p1_5_ended_sessions_leave_the_list(make_participant: Any, settings: Any) -> None:
    user = make_participant(OWNER)
    start = now()
    with freeze(start):
        browser, _r = sign_in(OWNER)
        sign_in(OWNER)
    browser.post("/accounts/logout/")  # its session row is gone
    assert len(services.active_sessions(user)) == 1
    with freeze(start + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE + 1)):
        assert services.purge_ended_sessions() == 1
    assert not UserSession.objects.filter(user=user).exists()


def test_p1_5_session_keys_are_followed_after_a_password_change(make_participant: Any) -> None:
    """Django rotates the key when a signed-in person changes the password in place: the
    list follows, so "sign out everywhere" still reaches that session."""
    user = make_participant(OWNER)
    browser, _r = sign_in(OWNER)
    row = UserSession.objects.get(user=user)
    session = browser.session
    old = session.session_key
    session.cycle_key()
    session.save()
    browser.cookies["sessionid"] = session.session_key
    assert browser.get("/me/").status_code == 200
    row.refresh_from_db()
    assert row.session_key == session.session_key != old
