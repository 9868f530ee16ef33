"""The desk's pages in the Manager and the console: the deadlines dashboard, recording,
identity steps, clear refusals of impossible steps (issue 5 §8, §9; P4.2, P6.3; R-03, R-14)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as Browser
from django.urls import reverse

from livesession.core.models import Role
from livesession.desk import deadlines, services
from livesession.desk.models import IdentityDocument, Request, Status


def _browser(user: Any) -> Browser:
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(user)
    return browser


def _url(name: str, client: Any = None, **kwargs: Any) -> str:
    if client is not None:
        return reverse(f"manager:{name}", kwargs={"client_slug": client.slug, **kwargs})
    return reverse(f"console:{name}", kwargs=kwargs)


def test_p4_2_r14_manager_dashboard_shows_days_left_and_overdue(
        make_request: Any, client_a: Any, owner_a: Any) -> None:
    late = make_request(client_a, email="late@example.org",
                        received_on=deadlines.today() - dt.timedelta(days=40))
    fresh = make_request(client_a, email="fresh@example.org")
    page = _browser(owner_a).get(_url("desk", client_a))
    html = page.content.decode()
    assert page.status_code == 200
    assert "late@example.org" in html and "fresh@example.org" in html
    assert "1 request is overdue." in html and 'role="alert"' in html
    assert "overdue by" in html
    assert str(deadlines.days_left(fresh.deadline)) in html
    assert html.index("late@example.org") < html.index("fresh@example.org")
    assert late.pk


def test_p6_3_viewer_and_organizer_cannot_open_the_desk(make_member: Any, client_a: Any,
                                                        make_request: Any) -> None:
    req = make_request(client_a)
    for role in (Role.VIEWER, Role.ORGANIZER):
        browser = _browser(make_member(client_a, role, f"{role}@alpha.test"))
        assert browser.get(_url("desk", client_a)).status_code == 403
        assert browser.get(_url("desk-request", client_a, request_id=req.pk)).status_code == 403


def test_p4_2_record_a_request_from_the_manager_keeps_what_was_typed_on_error(
        client_a: Any, owner_a: Any) -> None:
    browser = _browser(owner_a)
    bad = browser.post(_url("desk-new", client_a), {
        "type": "access", "channel": "post", "email": "not-an-address",
        "received_on": deadlines.today().isoformat(), "language": "en",
        "postal_address": "12 rue des Lilas, 75011 Paris"})
    assert bad.status_code == 400
    html = bad.content.decode()
    assert 'role="alert"' in html and "12 rue des Lilas" in html and "not-an-address" in html
    good = browser.post(_url("desk-new", client_a), {
        "type": "access", "channel": "post", "email": "writer@example.org",
        "received_on": deadlines.today().isoformat(), "language": "en"})
    req = Request.objects.get(client=client_a)
    assert good.status_code == 302 and good["Location"] == _url("desk-request", client_a,
                                                                request_id=req.pk)
    assert req.due_on == deadlines.due_date(deadlines.today())


def test_p4_2_r03_wrong_code_page_says_how_many_tries_are_left(
        make_request: Any, client_a: Any, owner_a: Any) -> None:
    req = make_request(client_a)
    browser = _browser(owner_a)
    sent = browser.post(_url("desk-action", client_a, request_id=req.pk, action="send-code"))
    assert sent.status_code == 302
    wrong = browser.post(_url("desk-action", client_a, request_id=req.pk,
                              action="verify-code"), {"code": "not the code"})
    html = wrong.content.decode()
    assert wrong.status_code == 200 and "4 attempts left" in html and 'role="alert"' in html
    assert 'value="not the code"' in html  # what was typed is kept


def test_p4_2_r03_document_upload_is_forbidden_without_a_doubt(
        make_request: Any, client_a: Any, owner_a: Any) -> None:
    req = make_request(client_a)
    browser = _browser(owner_a)
    url = _url("desk-action", client_a, request_id=req.pk, action="document")
    upload = SimpleUploadedFile("id.pdf", b"%PDF-1.4 id", content_type="application/pdf")
    assert browser.post(url, {"document": upload}).status_code == 403
    assert not IdentityDocument.objects.exists()
    browser.post(_url("desk-action", client_a, request_id=req.pk, action="doubt"),
                 {"reason": "The postal letter carries another name."})
    upload = SimpleUploadedFile("id.pdf", b"%PDF-1.4 id", content_type="application/pdf")
    assert browser.post(url, {"document": upload}).status_code == 302
    assert IdentityDocument.objects.filter(request=req).count() == 1
    browser.post(_url("desk-action", client_a, request_id=req.pk, action="document-accept"))
    assert not IdentityDocument.objects.exists()
    assert Request.objects.get(pk=req.pk).status == Status.IN_PROGRESS


def test_p4_2_extension_after_due_date_page_says_why(make_request: Any, client_a: Any,
                                                     owner_a: Any) -> None:
    req = make_request(client_a, received_on=deadlines.today() - dt.timedelta(days=35))
    page = _browser(owner_a).post(
        _url("desk-action", client_a, request_id=req.pk, action="extend"),
        {"until": deadlines.latest_extension(req.received_on).isoformat(),
         "reason": "Complex"})
    html = page.content.decode()
    assert page.status_code == 200 and "has passed" in html and "12(3)" in html
    assert Request.objects.get(pk=req.pk).extended_until is None


def test_p4_2_console_forwards_to_a_client_and_exports_an_account(
        make_request: Any, operator: Any, client_a: Any) -> None:
    from livesession.accounts.services import create_account

    browser = _browser(operator)
    req = make_request(email="someone@example.org")
    page = browser.get(_url("desk-request", request_id=req.pk))
    assert page.status_code == 200 and "Forward to the organizer" in page.content.decode()
    moved = browser.post(_url("desk-action", request_id=req.pk, action="forward"),
                         {"client": client_a.pk})
    assert moved.status_code == 302
    assert Request.objects.get(pk=req.pk).status == Status.AWAITING_CONTROLLER
    assert Request.objects.filter(client=client_a, forwarded_from=req).exists()
    # An account's copy, downloaded by staff.
    create_account("holder@example.org", "a long enough passphrase", actor="test")
    own = make_request(type="copy", email="holder@example.org")
    services.verify_code(own, services.start_identity_check(own, actor="t"), actor="t")
    archive = browser.post(_url("desk-action", request_id=own.pk, action="export"))
    assert archive.status_code == 200 and archive["Content-Type"] == "application/zip"
    assert archive.content[:2] == b"PK" and archive["Cache-Control"] == "no-store"


def test_console_action_unknown_or_manager_only_is_404(make_request: Any, client_a: Any,
                                                       owner_a: Any) -> None:
    req = make_request(client_a)
    browser = _browser(owner_a)
    for action in ("forward", "export", "nothing"):
        assert browser.post(_url("desk-action", client_a, request_id=req.pk,
                                 action=action)).status_code == 404


def test_p6_3_client_desk_links_to_the_persons_page(make_request: Any, client_a: Any,
                                                    owner_a: Any, event_a: Any) -> None:
    from livesession.registrations.services import register

    register(event_a, email="known@example.org", first_name="Kim", last_name="Lee")
    req = make_request(client_a, type="copy", email="known@example.org")
    services.verify_code(req, services.start_identity_check(req, actor="t"), actor="t")
    html = _browser(owner_a).get(_url("desk-request", client_a, request_id=req.pk)
                                 ).content.decode()
    person = reverse("manager:person", kwargs={"client_slug": client_a.slug,
                                               "subject_id": req.subject_id})
    assert person in html
