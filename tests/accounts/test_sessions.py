"""Sessions of an account (P1.5): the list, "sign out everywhere else", and "this was not
me", which ends every session and forces a new password."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.sessions.models import Session
from django.test import Client as Browser

from livesession.accounts import services
from livesession.accounts.models import User, UserSession
from livesession.core.clock import freeze, now
from tests.accounts.conftest import PASSWORD, Mailbox, open_link, sign_in

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
    mine.post(open_link(mine, link), {"password": NEW, "password2": NEW})
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


# --- Issue 5 §7: the list, one session at a time, "not me" in one step ---------------------

def test_p1_5_list_shows_device_network_last_use_and_marks_this_device(
        make_participant: Any) -> None:
    """Device (browser family and system), the place as the truncated network (named so,
    no geolocation), sign-in and last use; "this device" on the current one only."""
    make_participant(OWNER)
    mine, _r = sign_in(OWNER, HTTP_USER_AGENT=FIREFOX_LINUX, REMOTE_ADDR="203.0.113.45")
    sign_in(OWNER, HTTP_USER_AGENT=CHROME_ANDROID, REMOTE_ADDR="198.51.100.7")
    page = mine.get("/me/security/").content.decode()
    assert "network 203.0.113.0/24" in page and "network 198.51.100.0/24" in page
    assert "Approximate place" in page and "Last use" in page
    assert "we ask no location service" in page
    # This device comes first, and is the only one without a sign-out button of its own.
    first, second = page.index("Firefox, Linux"), page.index("Chrome, Android")
    assert first < page.index("this device") < second
    assert page.count("Sign out this session</button>") == 1


def test_p1_5_sign_out_one_session_ends_that_device_only(make_participant: Any) -> None:
    user = make_participant(OWNER)
    mine, _r = sign_in(OWNER, HTTP_USER_AGENT=FIREFOX_LINUX)
    other, _r = sign_in(OWNER, HTTP_USER_AGENT=CHROME_ANDROID)
    third, _r = sign_in(OWNER)
    row = UserSession.objects.get(user=user, user_agent_family="Chrome, Android")

    answer = mine.post(f"/me/security/sessions/{row.pk}/sign-out/", follow=True)
    assert answer.redirect_chain == [("/me/security/", 302)]
    page = answer.content.decode()
    assert "That session has ended" in page and "Chrome, Android" not in page
    assert other.get("/me/").status_code == 302  # signed out
    assert mine.get("/me/").status_code == 200 and third.get("/me/").status_code == 200
    assert not UserSession.objects.filter(pk=row.pk).exists()
    assert len(_sessions_of(user)) == 2
    # Once gone, the same id is a 404.
    assert mine.post(f"/me/security/sessions/{row.pk}/sign-out/").status_code == 404
    # GET never signs anything out.
    kept = UserSession.objects.filter(user=user).exclude(
        session_key=mine.session.session_key).get()
    assert mine.get(f"/me/security/sessions/{kept.pk}/sign-out/").status_code == 405
    assert third.get("/me/").status_code == 200


def test_p1_5_another_accounts_session_is_a_404_and_stays(make_participant: Any) -> None:
    """P6.1 for sessions: ids of another account's sessions lead nowhere."""
    make_participant(OWNER)
    stranger = make_participant("sam.martin@example.org", "Sam", "Martin")
    mine, _r = sign_in(OWNER)
    theirs, _r = sign_in("sam.martin@example.org")
    row = UserSession.objects.get(user=stranger)
    answer = mine.post(f"/me/security/sessions/{row.pk}/sign-out/")
    assert answer.status_code == 404
    assert "Sam" not in answer.content.decode()
    assert theirs.get("/me/").status_code == 200
    assert UserSession.objects.filter(pk=row.pk).exists()


def test_p1_5_signing_out_this_very_session_signs_this_browser_out(
        make_participant: Any) -> None:
    user = make_participant(OWNER)
    mine, _r = sign_in(OWNER)
    row = UserSession.objects.get(user=user)
    answer = mine.post(f"/me/security/sessions/{row.pk}/sign-out/")
    assert answer.status_code == 302 and answer["Location"] == "/accounts/login/"
    assert mine.get("/me/").status_code == 302
    assert not UserSession.objects.filter(user=user).exists()


def test_p1_5_not_me_in_one_step_opens_an_incident_and_retires_the_password(
        mailbox: Mailbox, make_participant: Any) -> None:
    """One POST from the security page's button: every session ends, the sign-in page says
    how to get a new password, the old password never works again (not even chosen anew),
    and the operator has an incident naming the account by its id only."""
    from livesession.audit.models import AuditEntry
    from livesession.incidents.models import Incident, Nature, Source, Status

    user = make_participant(OWNER, "Lou", "Bernard")
    mine, _r = sign_in(OWNER, HTTP_USER_AGENT=FIREFOX_LINUX)
    thief, _r = sign_in(OWNER, HTTP_USER_AGENT=CHROME_ANDROID)
    page = mine.get("/me/security/").content.decode()
    assert 'action="/me/security/not-me/"' in page and 'method="post"' in page

    with mailbox.deliver():
        answer = mine.post("/me/security/not-me/", follow=True)
    login = answer.content.decode()
    assert answer.redirect_chain[-1][0] == "/accounts/login/"
    assert "choose a new password with the link we just sent" in login
    assert "Forgot your password?" in login
    assert thief.get("/me/").status_code == 302

    [incident] = Incident.objects.all()
    assert incident.source == Source.NOT_ME and incident.status == Status.OPEN
    assert incident.nature == Nature.CONFIDENTIALITY and incident.client_id is None
    assert incident.refs == [f"account:{user.pk}"]
    assert incident.aware_at == incident.detected_at
    for personal in (OWNER, "Lou", "Bernard"):
        assert personal not in incident.summary
    assert AuditEntry.objects.filter(action="incident.opened",
                                     target=f"incident:{incident.pk}").exists()

    # The old password is refused at sign-in, and refused as the new one.
    assert sign_in(OWNER)[1].status_code == 400
    [mail] = mailbox.to(OWNER)
    link = mailbox.path_to(mail, "/accounts/password/reset/")
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
    link = open_link(browser, link)
    again = browser.post(link, {"password": PASSWORD, "password2": PASSWORD})
    assert again.status_code == 400
    assert "the password that was used without you" in again.content.decode()
    assert browser.post(link, {"password": NEW, "password2": NEW}).status_code == 302
    assert sign_in(OWNER, NEW)[1].status_code == 302
    assert sign_in(OWNER)[1].status_code == 400


def test_p1_5_a_second_report_keeps_the_first_password_retired(
        make_participant: Any) -> None:
    user = make_participant(OWNER)
    services.report_not_me(user)
    services.report_not_me(user)
    user.refresh_from_db()
    assert not user.has_usable_password()
    assert services.is_retired_password(user, PASSWORD)
    assert not services.is_retired_password(user, NEW)
    # Django's own unusable mark (an account made without a password) retires nothing.
    user.set_unusable_password()
    assert not services.is_retired_password(user, PASSWORD)


def test_p1_5_a_wrong_password_is_said_even_with_no_other_session(
        make_participant: Any) -> None:
    """The error of "sign out everywhere else" shows even when the other sessions ended
    meanwhile (the form is otherwise hidden when this is the only session)."""
    make_participant(OWNER)
    mine, _r = sign_in(OWNER)
    assert "signed in on this device only" in mine.get("/me/security/").content.decode()
    wrong = mine.post("/me/security/sign-out-everywhere/", {"password": "not my password"})
    page = wrong.content.decode()
    assert wrong.status_code == 400 and "This is not your password." in page
    assert 'role="alert"' in page
