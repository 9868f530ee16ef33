"""Processor routing to the controller client (R-12, P6.3, P6.7) and deadline alerts
at D-7, D-2 and overdue, once each (R-14), with the controllable clock."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client as Browser
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from livesession.core.clock import freeze, now
from livesession.core.models import Role
from livesession.desk import alerts, deadlines, services
from livesession.desk.models import Alert, Channel, Request, Status
from tests.accounts.conftest import Mailbox


def _said(user: Any, text: str) -> str:
    """``text`` as the alert's recipient reads it: mails go out in the account's language."""
    with translation.override(user.language):
        return gettext(text)

ADDRESS = "participant.writes@example.org"


def _at_days_left(req: Request, left: int) -> Any:
    """Freeze the clock at noon (Paris) ``left`` days before the request's deadline."""
    day = req.deadline - dt.timedelta(days=left)
    return freeze(dt.datetime(day.year, day.month, day.day, 11, 0, tzinfo=dt.UTC))


def test_p6_3_r12_request_about_client_data_goes_to_that_client_only(
        make_request: Any, make_member: Any, client_a: Any, client_b: Any, owner_a: Any,
        owner_b: Any, mailbox: Mailbox) -> None:
    admin = make_member(client_a, Role.ADMIN, "admin@alpha.test")
    organizer = make_member(client_a, Role.ORGANIZER, "organizer@alpha.test")
    req = make_request(type="erasure", email=ADDRESS)
    with mailbox.deliver():
        forwarded = services.forward_to_client(req, client_a, actor="account:1")
    req.refresh_from_db()
    assert req.status == Status.AWAITING_CONTROLLER and req.routed_to_id == client_a.pk
    assert forwarded.client_id == client_a.pk and forwarded.channel == Channel.FORWARDED
    assert forwarded.received_on == req.received_on and forwarded.due_on == req.due_on
    assert forwarded.email == ADDRESS and forwarded.subject.controller == f"client:{client_a.pk}"
    told = {m["X-Envelope-To"] for m in mailbox.messages
            if mailbox.subject(m) == _said(owner_a, "A rights request was forwarded to you")}
    assert told == {owner_a.email, admin.email}
    assert organizer.email not in told and owner_b.email not in told
    with translation.override(req.language):
        line = gettext("Your request was forwarded to %(client)s") % {"client": client_a.name}
    person = [m for m in mailbox.to(ADDRESS) if mailbox.subject(m) == line]
    assert len(person) == 1 and client_a.name in mailbox.body(person[0])
    # A's Manager has it; B's owner gets a 404 on it.
    url = reverse("manager:desk-request", kwargs={"client_slug": client_a.slug,
                                                  "request_id": forwarded.pk})
    mine, theirs = Browser(HTTP_ACCEPT_LANGUAGE="en"), Browser(HTTP_ACCEPT_LANGUAGE="en")
    mine.force_login(owner_a)
    theirs.force_login(owner_b)
    assert mine.get(url).status_code == 200
    assert theirs.get(url).status_code == 404
    assert theirs.get(reverse("manager:desk-request", kwargs={
        "client_slug": client_b.slug, "request_id": forwarded.pk})).status_code == 404
    # The client erases its participant with the same service; the operator closes its copy.
    services.verify_code(forwarded, services.start_identity_check(forwarded, actor="t"),
                         actor="t")
    services.fulfil_erasure(Request.objects.get(pk=forwarded.pk), actor="t")
    services.close_forwarded(req, actor="t")
    assert Request.objects.get(pk=req.pk).status == Status.DONE


def test_a_client_request_cannot_be_forwarded(make_request: Any, client_a: Any,
                                              client_b: Any) -> None:
    req = make_request(client_a)
    try:
        services.forward_to_client(req, client_b, actor="t")
    except services.DeskError as exc:
        assert "operator" in exc.message
    else:  # pragma: no cover - the assertion below explains
        raise AssertionError("a client's request was forwarded")


def test_p4_2_r14_alerts_at_d7_d2_and_overdue_once_each(
        make_request: Any, make_member: Any, client_a: Any, owner_a: Any,
        mailbox: Mailbox) -> None:
    viewer = make_member(client_a, Role.VIEWER, "viewer@alpha.test")
    req = make_request(client_a)
    with _at_days_left(req, 10), mailbox.deliver():
        assert alerts.send_due_alerts() == 0
    with _at_days_left(req, 7), mailbox.deliver():
        assert alerts.send_due_alerts() == 1
        assert alerts.send_due_alerts() == 0  # a second run sends nothing
    with _at_days_left(req, 6), mailbox.deliver():
        assert alerts.send_due_alerts() == 0
    with _at_days_left(req, 2), mailbox.deliver():
        assert alerts.send_due_alerts() == 1
    with _at_days_left(req, -1), mailbox.deliver():
        assert alerts.send_due_alerts() == 1
    with _at_days_left(req, -5), mailbox.deliver():
        assert alerts.send_due_alerts() == 0
    assert sorted(Alert.objects.filter(request=req).values_list("key", flat=True)) == [
        "d-2", "d-7", "overdue"]
    to_owner = [mailbox.subject(m) for m in mailbox.to(owner_a.email)]
    assert to_owner.count(_said(owner_a, "A rights request is due soon")) == 2
    assert to_owner.count(_said(owner_a, "A rights request is overdue")) == 1
    assert mailbox.to(viewer.email) == []


def test_p4_2_r14_alerts_follow_the_extension_and_stop_when_done(
        make_request: Any, operator: Any, mailbox: Mailbox) -> None:
    req = make_request()  # the operator's: its staff are alerted
    services.extend(req, until=deadlines.add_months(req.received_on, 3),
                    reason="Complex request", actor="t")
    req.refresh_from_db()
    with _at_days_left(Request(received_on=req.received_on, due_on=req.due_on), 2):
        assert alerts.send_due_alerts() == 0  # the original date no longer counts
    with _at_days_left(req, 2), mailbox.deliver():
        assert alerts.send_due_alerts() == 1
    assert [mailbox.subject(m) for m in mailbox.to(operator.email)] == [
        _said(operator, "A rights request is due soon")]
    services.refuse(req, reason="Manifestly unfounded, see our letter.", actor="t")
    with _at_days_left(req, -1):
        assert alerts.send_due_alerts() == 0


def test_job_runs_hourly() -> None:
    from livesession.desk import jobs

    job = jobs.desk_deadline_alerts
    task = job.task_class()
    assert task.validate_datetime(dt.datetime(2026, 1, 1, 10, 5))
    assert not task.validate_datetime(dt.datetime(2026, 1, 1, 10, 6))
    job.call_local()  # runs on an empty desk without error
    assert now()
