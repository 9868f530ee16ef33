"""Soft lock after repeated failures (issue 3 point 9; P3.3, reference AUTH-4): five wrong
passwords lock the account for 15 minutes, the answer stays the generic one, and the owner
learns why by email."""

from __future__ import annotations

import datetime as dt
from typing import Any

from livesession.accounts.models import User
from livesession.core.clock import freeze, now
from tests.accounts.conftest import PASSWORD, Mailbox, masked, sign_in

OWNER = "yanis.petit@example.org"
GENERIC = "Email or password is wrong. Check both and try again."


def test_p3_3_five_failures_lock_for_15_minutes_with_the_generic_answer(
        mailbox: Mailbox, make_participant: Any) -> None:
    user = make_participant(OWNER, "Yanis", "Petit")
    start = now()
    with freeze(start), mailbox.deliver():
        for attempt in range(5):
            _b, wrong = sign_in(OWNER, f"wrong password {attempt}")
            assert wrong.status_code == 400 and GENERIC in wrong.content.decode()
        _b, locked = sign_in(OWNER)  # the right password, on a locked account
        _b, unknown = sign_in("no.account@example.org", "whatever it is")
    assert locked.status_code == 400
    # A lock looks like any wrong password (the typed address is kept in the form).
    assert masked(locked).replace(OWNER.encode(), b"@") == masked(unknown).replace(
        b"no.account@example.org", b"@")
    user.refresh_from_db()
    assert user.locked_until == start + dt.timedelta(minutes=15)
    [mail] = mailbox.to(OWNER)
    assert mailbox.subject(mail) == "Your account is locked for 15 minutes"
    assert "15 minutes" in mailbox.body(mail)
    assert mailbox.path_to(mail, "/accounts/password/reset/")

    with freeze(start + dt.timedelta(minutes=14, seconds=59)):
        assert sign_in(OWNER)[1].status_code == 400
    with freeze(start + dt.timedelta(minutes=15, seconds=1)):
        _b, back = sign_in(OWNER)
    assert back.status_code == 302
    # One mail for the lock, not one per refused attempt.
    assert len(mailbox.to(OWNER)) == 1


def test_p3_3_attempts_during_the_lock_do_not_extend_it(make_participant: Any) -> None:
    user = make_participant(OWNER)
    start = now()
    with freeze(start):
        for _i in range(5):
            sign_in(OWNER, "wrong password")
    with freeze(start + dt.timedelta(minutes=10)):
        for _i in range(10):
            sign_in(OWNER, "wrong password")
    user.refresh_from_db()
    assert user.locked_until == start + dt.timedelta(minutes=15)


def test_p3_3_failures_far_apart_do_not_lock(make_participant: Any) -> None:
    user = make_participant(OWNER)
    start = now()
    for minutes in (0, 16, 32, 48, 64, 80):
        with freeze(start + dt.timedelta(minutes=minutes)):
            sign_in(OWNER, "wrong password")
    with freeze(start + dt.timedelta(minutes=81)):
        assert sign_in(OWNER)[1].status_code == 302
    user.refresh_from_db()
    assert user.locked_until is None


def test_p3_3_a_success_starts_the_count_again(make_participant: Any) -> None:
    user = make_participant(OWNER)
    for _i in range(4):
        sign_in(OWNER, "wrong password")
    assert sign_in(OWNER)[1].status_code == 302
    for _i in range(4):
        sign_in(OWNER, "wrong password")
    assert sign_in(OWNER)[1].status_code == 302
    assert user.locked_until is None and User.objects.get(pk=user.pk).locked_until is None


def test_p3_3_a_reset_lifts_the_lock(mailbox: Mailbox, make_participant: Any) -> None:
    from livesession.accounts import services

    user = make_participant(OWNER)
    for _i in range(5):
        sign_in(OWNER, "wrong password")
    services.reset_password(services.tokens.make(services.tokens.RESET,
                                                 User.objects.get(pk=user.pk)),
                            "orange submarine at midnight")
    assert sign_in(OWNER, "orange submarine at midnight")[1].status_code == 302
    assert sign_in(OWNER, PASSWORD)[1].status_code == 400
