"""The request desk through the API (issue 5 §11): a client token sees and acts on its own
client's requests only (P6.1), with the same rules as the pages."""

from __future__ import annotations

from typing import Any

from django.test import Client as Browser
from django.urls import reverse

from livesession.api.services import create_token
from livesession.desk import deadlines
from livesession.desk.models import Request, Status


def _api(client: Any) -> Browser:
    secret = create_token(client, "desk", actor="test").secret
    return Browser(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE="en")


def test_p6_1_token_records_lists_reads_and_acts_on_its_own_requests(
        client_a: Any, client_b: Any, make_request: Any) -> None:
    api = _api(client_a)
    made = api.post(reverse("api:desk-requests"), {
        "type": "erasure", "channel": "email", "received_on": deadlines.today().isoformat(),
        "email": "writer@example.org"}, content_type="application/json")
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["due_on"] == deadlines.due_date(deadlines.today()).isoformat()
    assert body["status"] == "received" and body["email"] == "writer@example.org"
    theirs = make_request(client_b, email="other@example.org")
    listed = api.get(reverse("api:desk-requests")).json()
    assert [row["id"] for row in listed] == [body["id"]]
    assert api.get(reverse("api:desk-request", kwargs={"request_id": theirs.pk})
                   ).status_code == 404
    assert api.post(reverse("api:desk-request-action", kwargs={
        "request_id": theirs.pk, "action": "withdraw"})).status_code == 404
    assert Request.objects.get(pk=theirs.pk).status == Status.RECEIVED
    sent = api.post(reverse("api:desk-request-action", kwargs={
        "request_id": body["id"], "action": "send-code"}))
    assert sent.status_code == 200 and sent.json()["status"] == "verifying_identity"
    wrong = api.post(reverse("api:desk-request-action", kwargs={
        "request_id": body["id"], "action": "verify-code"}), {"code": "1"},
        content_type="application/json")
    assert wrong.status_code == 400 and "attempt" in wrong.json()["errors"]["code"][0]


def test_p4_2_api_refusal_without_reason_and_late_extension_are_400(
        client_a: Any, make_request: Any) -> None:
    import datetime as dt

    api = _api(client_a)
    req = make_request(client_a, received_on=deadlines.today() - dt.timedelta(days=40))
    url = reverse("api:desk-request-action", kwargs={"request_id": req.pk,
                                                     "action": "refuse"})
    assert api.post(url, {}, content_type="application/json").status_code == 400
    late = api.post(reverse("api:desk-request-action", kwargs={
        "request_id": req.pk, "action": "extend"}), {
        "until": deadlines.latest_extension(req.received_on).isoformat(),
        "reason": "Complex"}, content_type="application/json")
    assert late.status_code == 400 and "has passed" in late.json()["errors"]["until"][0]
    refused = api.post(url, {"reason": "Manifestly excessive: the fifth in a week."},
                       content_type="application/json")
    assert refused.status_code == 200 and refused.json()["status"] == "refused"
    assert refused.json()["days_left"] < 0


def test_openapi_documents_the_desk() -> None:
    schema = Browser().get(reverse("api:schema"), HTTP_ACCEPT="application/json")
    text = schema.content.decode()
    assert "/api/v1/desk/requests" in text and "DeskRequest" in text
