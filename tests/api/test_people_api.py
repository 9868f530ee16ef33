"""The rights API for a client's token (issue 5 §9, §11; P6.3, P6.1, P6.8; GDPR R-12):
find a participant by address, read what the client holds, export, restrict, erase."""

from __future__ import annotations

import io
import json
import zipfile

import jsonschema
import pytest
from django.test import Client as Browser
from django.urls import reverse

from livesession.api.services import create_token
from livesession.audit.models import AuditEntry
from livesession.core.models import Client
from livesession.events.models import Event
from livesession.protection import access_export, restriction
from livesession.registrations.models import Registration
from livesession.registrations.services import register

NOA = "noa.lemaire@example.org"


def _api(client: Client) -> Browser:
    secret = create_token(client, "rights", actor="test").secret
    return Browser(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def api_a(client_a: Client) -> Browser:
    return _api(client_a)


@pytest.fixture
def noa(event_a: Event, event_b: Event) -> dict[str, Registration]:
    return {"a": register(event_a, email=NOA, first_name="Noa",
                          last_name="Lemaire").registration,
            "b": register(event_b, email=NOA, first_name="Noa",
                          last_name="Lemaire-B").registration}


def _person(name: str, registration: Registration) -> str:
    return reverse(f"api:{name}", kwargs={"subject_id": registration.subject_id})


def test_p6_3_search_by_address_in_the_body(api_a: Browser, noa: dict[str, Registration],
                                            client_b: Client) -> None:
    url = reverse("api:people-search")
    found = api_a.post(url, {"email": " NOA.Lemaire@example.org"},
                       content_type="application/json")
    assert found.status_code == 200, found.content
    assert found.json()["results"] == [{"id": str(noa["a"].subject_id), "registrations": 1,
                                        "restricted": False}]
    by_name = api_a.post(url, {"name": "lemaire"}, content_type="application/json")
    assert [r["id"] for r in by_name.json()["results"]] == [str(noa["a"].subject_id)]
    # B's token finds B's person, never A's
    at_b = _api(client_b).post(url, {"email": NOA}, content_type="application/json")
    assert [r["id"] for r in at_b.json()["results"]] == [str(noa["b"].subject_id)]
    # bad input: a clear field error
    empty = api_a.post(url, {}, content_type="application/json")
    assert empty.status_code == 400 and "email" in empty.json()["errors"]
    not_an_address = api_a.post(url, {"email": "noa"}, content_type="application/json")
    assert not_an_address.status_code == 400
    assert "@" in json.dumps(not_an_address.json()["errors"])


def test_p6_3_summary_of_the_person(api_a: Browser, noa: dict[str, Registration]) -> None:
    response = api_a.get(_person("person", noa["a"]))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == str(noa["a"].subject_id) and body["restricted"] is False
    assert body["objections"] == []
    [registration] = body["registrations"]
    assert registration["email"] == NOA and registration["last_name"] == "Lemaire"
    assert registration["id"] == str(noa["a"].pk)
    assert body["messages"] and {"kind", "status"} <= set(body["messages"][0])
    assert "Lemaire-B" not in response.content.decode()


def test_p6_1_another_clients_person_is_404(api_a: Browser,
                                            noa: dict[str, Registration]) -> None:
    for name, method in [("person", "get"), ("person-export", "get"),
                         ("person-restrict", "post"), ("person-lift", "post"),
                         ("person-erase", "post")]:
        response = getattr(api_a, method)(_person(name, noa["b"]))
        assert response.status_code == 404, (name, response.status_code)
    assert Registration.objects.filter(pk=noa["b"].pk).exists()
    assert not restriction.is_restricted(noa["b"].subject_id)


def test_p6_3_export_zip_valid_and_audited(api_a: Browser, noa: dict[str, Registration],
                                           client_a: Client) -> None:
    response = api_a.get(_person("person-export", noa["a"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    document = json.loads(archive.read("data.json"))
    jsonschema.validate(document, json.loads(access_export.schema_text()))
    assert [g["id"] for g in document["controllers"]] == [f"client:{client_a.pk}"]
    assert "Lemaire-B" not in archive.read("data.json").decode()
    entry = AuditEntry.objects.get(action="person.exported")
    assert entry.actor.startswith("api_token:")
    assert entry.target == f"subject:{noa['a'].subject_id}"


def test_r_10_restrict_and_lift_are_idempotent(api_a: Browser,
                                               noa: dict[str, Registration]) -> None:
    first = api_a.post(_person("person-restrict", noa["a"]))
    assert first.json() == {"restricted": True, "changed": True}
    assert api_a.post(_person("person-restrict", noa["a"])).json() == {
        "restricted": True, "changed": False}
    assert api_a.get(_person("person", noa["a"])).json()["restricted"] is True
    assert api_a.post(_person("person-lift", noa["a"])).json() == {
        "restricted": False, "changed": True}
    assert not restriction.is_restricted(noa["a"].subject_id)


def test_p6_8_erase_then_again_is_no_error(api_a: Browser,
                                           noa: dict[str, Registration]) -> None:
    done = api_a.post(_person("person-erase", noa["a"]))
    assert done.status_code == 200
    assert done.json()["status"] == "erased" and done.json()["counts"]["keys"] == 1
    assert not Registration.objects.filter(pk=noa["a"].pk).exists()
    assert Registration.objects.filter(pk=noa["b"].pk).exists()
    again = api_a.post(_person("person-erase", noa["a"]))
    assert again.status_code == 200 and again.json() == {"status": "already_erased",
                                                         "counts": {}}
    gone = api_a.get(_person("person", noa["a"]))
    assert gone.status_code == 410 and "erased" in gone.json()["detail"]
    assert api_a.get(_person("person-export", noa["a"])).status_code == 410


def test_openapi_documents_the_rights_endpoints() -> None:
    schema = Browser().get(reverse("api:schema"), HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    text = schema.content.decode()
    for path in ("/api/v1/people/search", "/api/v1/people/{subject_id}/export",
                 "/api/v1/people/{subject_id}/erase", "/api/v1/me/export",
                 "/api/v1/me/erase"):
        assert path in text, path
    assert "application/zip" in text
