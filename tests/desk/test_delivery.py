"""A requested copy answered electronically (R-06, R-07; P4.1, P4.2): a link mailed to the
address on file, a one-time code mailed when the person opens it, one download, then the
archive is gone."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from typing import Any

from django.test import Client as Browser
from django.urls import reverse

from livesession.accounts.services import create_account
from livesession.core.clock import freeze, now
from livesession.desk import services
from livesession.desk.models import Delivery, Request
from tests.accounts.conftest import Mailbox

ADDRESS = "copy.asker@example.org"


def _ready(make_request: Any) -> Request:
    create_account(ADDRESS, "a long enough passphrase", first_name="Dominique", actor="t")
    req = make_request(type="copy", email=ADDRESS)
    services.verify_code(req, services.start_identity_check(req, actor="t"), actor="t")
    return Request.objects.get(pk=req.pk)


def _code(mailbox: Mailbox) -> str:
    mail = [m for m in mailbox.to(ADDRESS) if "download your data" in mailbox.subject(m)]
    found = re.search(r"(\d{4}) (\d{4})", mailbox.body(mail[-1]))
    assert found is not None
    return found.group(1) + found.group(2)


def test_p4_1_r07_link_and_code_give_the_archive_once(make_request: Any,
                                                     mailbox: Mailbox) -> None:
    req = _ready(make_request)
    with mailbox.deliver():
        delivery = services.send_export_link(req, actor="account:9")
    stored = Delivery.objects.get(pk=delivery.pk)
    assert "Dominique" not in stored.archive_enc  # sealed at rest
    link = [m for m in mailbox.to(ADDRESS) if "Your data from" in mailbox.subject(m)]
    path = mailbox.path_to(link[0], "/console/desk/delivery/")
    visitor = Browser(HTTP_ACCEPT_LANGUAGE="en")
    page = visitor.get(path)
    assert page.status_code == 200 and "Send me a code" in page.content.decode()
    assert page["Referrer-Policy"] == "same-origin"
    # The link alone opens nothing.
    refused = visitor.post(path, {"action": "open", "code": "00000000"})
    assert refused.status_code == 200 and b"Ask for a code first" in refused.content
    with mailbox.deliver():
        visitor.post(path, {"action": "send"})
    got = visitor.post(path, {"action": "open", "code": _code(mailbox)})
    assert got.status_code == 200 and got["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(got.content)) as archive:
        assert "Dominique" in archive.read("data.json").decode()
    # Once: the archive is gone, the link says it does not work.
    assert not Delivery.objects.exists()
    again = visitor.get(path)
    assert b"This link does not work" in again.content
    assert "desk.export_delivered" in [e.action for e in
                                       __import__("livesession.audit.models", fromlist=["x"])
                                       .AuditEntry.objects.filter(
                                           target=f"desk_request:{req.pk}")]


def test_r06_wrong_codes_then_lockout_delete_the_archive(make_request: Any,
                                                         mailbox: Mailbox,
                                                         settings: Any) -> None:
    req = _ready(make_request)
    delivery = services.send_export_link(req, actor="t")
    code = services.send_delivery_code(delivery)
    wrong = "00000000" if code != "00000000" else "11111111"
    for _ in range(settings.DESK_CODE_MAX_ATTEMPTS - 1):
        try:
            services.open_delivery(Delivery.objects.get(pk=delivery.pk), wrong)
        except services.DeskError as exc:
            assert "left" in exc.message and "attempt(s)" not in exc.message
    try:
        services.open_delivery(Delivery.objects.get(pk=delivery.pk), wrong)
    except services.DeskError as exc:
        assert "no longer works" in exc.message
    assert not Delivery.objects.exists()


def test_r06_expired_link_is_purged(make_request: Any, settings: Any) -> None:
    req = _ready(make_request)
    delivery = services.send_export_link(req, actor="t")
    later = now() + dt.timedelta(days=settings.DESK_DELIVERY_DAYS, seconds=1)
    with freeze(later):
        assert services.delivery_for(delivery.raw_token) is None
        page = Browser(HTTP_ACCEPT_LANGUAGE="en").get(
            reverse("console:desk-delivery", kwargs={"token": delivery.raw_token}))
        assert b"This link does not work" in page.content
        assert services.purge_deliveries() == 1
    assert not Delivery.objects.exists()


def test_code_cannot_be_resent_within_a_minute(make_request: Any) -> None:
    delivery = services.send_export_link(_ready(make_request), actor="t")
    services.send_delivery_code(delivery)
    try:
        services.send_delivery_code(Delivery.objects.get(pk=delivery.pk))
    except services.DeskError as exc:
        assert "less than a minute" in exc.message
    else:  # pragma: no cover
        raise AssertionError("a second code went out at once")
