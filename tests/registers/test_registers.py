"""The register of processing generated from the live configuration (issue 6 §3; P3.2,
A-01, A-02; GDPR art. 30): its contents follow each client's settings and no other's, every
registry category appears, the JSON validates against its published schema, the exports
(CSV, printable HTML) say the same, and each record keeps its creation and update dates."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import jsonschema
import pytest
from django.conf import settings
from django.test import Client as Browser
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from livesession.audit.models import AuditEntry
from livesession.core.clock import freeze, now
from livesession.core.models import Client
from livesession.events.models import Event
from livesession.privacy.services import add_purpose
from livesession.processors.services import add_subprocessor
from livesession.protection.registry import Controller, register_of_processing
from livesession.registers import build, exports, services
from livesession.registers.jobs import snapshot_register
from livesession.registers.models import RecordVersion
from livesession.registrations.fields_services import (
    add_custom_field,
    set_client_scope,
    set_event_scope,
)
from livesession.retention.services import set_client_period

SCHEMA = json.loads(exports.schema_text())
TSHIRT = {"key": "tshirt", "kind": "short_text", "label_fr": "Taille de T-shirt",
          "label_en": "T-shirt size", "purpose": "order the T-shirts"}


def doc_for(client: Client | None = None) -> dict[str, Any]:
    with translation.override("en"):
        return services.register_document(client)


def record_of(client: Client) -> dict[str, Any]:
    return doc_for(client)["processor_records"][0]


def field(record: dict[str, Any], key: str) -> dict[str, Any]:
    return next(f for f in record["standard_fields"] if f["key"] == key)


def as_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


# --- contents against the live configuration -----------------------------------------------

def test_p3_2_a_field_enabled_with_its_purpose_is_in_that_clients_record_only(
        client_a: Client, client_b: Client) -> None:
    purpose = "send an SMS reminder one hour before the session"
    before = field(record_of(client_a), "mobile_phone")
    assert not before["collected"] and purpose not in as_text(record_of(client_a))
    set_client_scope(client_a, {"mobile_phone": {"enabled": True, "required": False,
                                                 "purpose": purpose}}, actor="test")
    mine, other = record_of(client_a), record_of(client_b)
    assert field(mine, "mobile_phone") == {**field(mine, "mobile_phone"), "collected": True,
                                           "enabled_by_default": True, "purposes": [purpose]}
    assert {"purpose": purpose, "legal_basis": "contract", "source": "field:mobile_phone"}.items() \
        <= next(p for p in mine["purposes"] if p["purpose"] == purpose).items()
    assert not field(other, "mobile_phone")["collected"]
    assert purpose not in as_text(other)


def test_p3_2_an_events_own_scope_brings_its_purpose(client_a: Client, event_a: Event,
                                                     client_b: Client) -> None:
    set_event_scope(event_a, {"city": {"enabled": True, "required": True,
                                       "purpose": "plan the regional breakfast"}},
                    actor="test")
    city = field(record_of(client_a), "city")
    assert city["collected"] and city["events_collecting"] == 1
    assert city["purposes"] == ["plan the regional breakfast"]
    assert city["enabled_by_default"] is False
    assert not field(record_of(client_b), "city")["collected"]


def test_p3_2_fields_not_collected_are_not_listed_as_data(client_a: Client,
                                                           client_b: Client) -> None:
    set_client_scope(client_a, {"job_function": {"enabled": True, "required": False,
                                                 "purpose": "adapt the level of the talk"}},
                     actor="test")

    def registration_data(client: Client) -> list[str]:
        record = record_of(client)
        return next(c for c in record["data_categories"]
                    if c["model"] == "registrations.Registration")["data"]

    assert "job function" in registration_data(client_a)
    assert "job function" not in registration_data(client_b)
    assert "email" in registration_data(client_b)
    # no custom question anywhere at B: no answers stored either
    assert "answers to the organizer's questions" not in registration_data(client_b)


def test_p3_2_custom_questions_appear_with_their_purpose(client_a: Client, event_a: Event,
                                                         client_b: Client) -> None:
    add_custom_field(event_a, TSHIRT, actor="test")
    questions = record_of(client_a)["custom_questions"]
    assert questions == [{"key": "tshirt", "label": "T-shirt size", "kind": "short_text",
                          "purpose": "order the T-shirts", "events": 1, "required": False}]
    assert "order the T-shirts" in [p["purpose"] for p in record_of(client_a)["purposes"]]
    assert record_of(client_b)["custom_questions"] == []
    assert "order the T-shirts" not in as_text(record_of(client_b))


def test_p3_2_a_new_consent_purpose_appears(client_a: Client, client_b: Client) -> None:
    assert {c["key"] for c in record_of(client_a)["consent_purposes"]} \
        == {"organizer_news", "attendee_list"}  # the built-in ones, from the first use
    add_purpose(client_a, "", "Recevoir le programme de la saison",
                "Receive the season programme", actor="test")
    labels = [c["label"] for c in record_of(client_a)["consent_purposes"]]
    assert "Receive the season programme" in labels
    consent = next(p for p in record_of(client_a)["purposes"]
                   if p["purpose"] == "Receive the season programme")
    assert consent["legal_basis"] == "consent"
    assert "Receive the season programme" not in as_text(record_of(client_b))


def test_p3_2_every_registry_category_appears(client_a: Client) -> None:
    """A-01 against M-01: every model of the registry is in the register, the operator's
    in one of its activities, the clients' in each processor record; none is left to the
    'to be classified' activity."""
    document = doc_for()
    activities = document["controller_activities"]
    assert build.OTHER.key not in {a["key"].split(":", 1)[1] for a in activities}
    operator_models = {c["model"] for a in activities for c in a["data_categories"]}
    client_models = {c["model"] for c in document["processor_records"][0]["data_categories"]}
    rows = register_of_processing()
    assert {r["model"] for r in rows if r["controller"] == Controller.OPERATOR} \
        == operator_models
    assert {r["model"] for r in rows if r["controller"] == Controller.CLIENT} == client_models
    purposes = {p["purpose"] for a in activities for p in a["purposes"]}
    with translation.override("en"):
        assert {r["purpose"] for r in register_of_processing()
                if r["controller"] == Controller.OPERATOR} <= purposes


def test_p3_2_controller_activities_follow_the_cnil_template(client_a: Client) -> None:
    activities = {a["key"]: a for a in doc_for()["controller_activities"]}
    assert {"controller:accounts", "controller:security", "controller:requests",
            "controller:incidents", "controller:cookies", "controller:clients"} \
        <= set(activities)
    accounts = activities["controller:accounts"]
    assert accounts["controller"] == settings.PLATFORM_OPERATOR_NAME
    assert accounts["data_subjects"] and accounts["purposes"] and accounts["retention"]
    assert "accounts" in {r["category"] for r in accounts["retention"]}
    # the cookie inventory (cookies.inventory, issue 7), with the reason each
    # functional one is exempt from consent and the others need it
    cookies = {c["name"]: c for c in activities["controller:cookies"]["cookies"]}
    assert {settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME,
            settings.LANGUAGE_COOKIE_NAME, "ls_consent", "ls_aud"} <= set(cookies)
    assert all(("exempt" in c["exempt_reason"]) == c["functional"] for c in cookies.values())


def test_p2_4_sub_processors_and_transfers_follow_the_register(client_a: Client) -> None:
    add_subprocessor({
        "legal_entity": "Cloud Storage Inc.", "service_kind": "hosting_storage",
        "service": "Encrypted backups", "country": "US", "data_categories": ["backups"],
        "mechanism": "dpf", "dpf_checked_on": now().date(),
        "active_from": now().date() + dt.timedelta(days=30)}, actor="test")
    record = record_of(client_a)
    assert "Cloud Storage Inc." in [p["legal_entity"] for p in record["sub_processors"]]
    transfer = next(t for t in record["transfers"] if t["recipient"] == "Cloud Storage Inc.")
    assert "Data Privacy Framework" in transfer["safeguard"]
    accounts = doc_for()["controller_activities"][0]
    assert "Cloud Storage Inc." in accounts["processors"]


def test_p2_5_the_clients_shorter_period_is_its_own(client_a: Client,
                                                    client_b: Client) -> None:
    set_client_period(client_a, "registrations", 30, actor="test")

    def rule(client: Client) -> dict[str, Any]:
        return next(r for r in record_of(client)["retention"]
                    if r["category"] == "registrations")

    assert (rule(client_a)["period_days"], rule(client_a)["bound_days"]) == (30, 365)
    assert (rule(client_b)["period_days"], rule(client_b)["bound_days"]) == (365, 365)


def test_p3_3_security_measures_report_the_configuration(client_a: Client) -> None:
    def tls() -> dict[str, Any]:
        return next(m for m in doc_for(client_a)["security_measures"] if m["id"] == "tls")

    assert tls()["in_force"] is False  # the test site is plain http
    with override_settings(SITE_URL="https://events.example", SECURE_COOKIES=True):
        assert tls()["in_force"] is True
    with override_settings(SECURITY_MEASURES_EXTRA=["Hosting certified ISO 27001"]):
        labels = [m["label"] for m in doc_for(client_a)["security_measures"]]
        assert "Hosting certified ISO 27001" in labels
    ids = {m["id"] for m in doc_for(client_a)["security_measures"]}
    assert {"encryption_at_rest", "keystore_separation", "audit_chain", "backups",
            "mfa_staff"} <= ids


def test_p3_2_the_common_page_names_the_operator_and_its_dpo(client_a: Client) -> None:
    with override_settings(DPO_NAME="Dominique Martin", DPO_EMAIL="dpo@operator.example",
                           PLATFORM_OPERATOR_REPRESENTATIVE="Camille Leroy, CEO"):
        org = doc_for(client_a)["organisation"]
    assert org["dpo"] == {"designated": True, "name": "Dominique Martin",
                          "email": "dpo@operator.example"}
    assert org["representative"] == "Camille Leroy, CEO"
    org = doc_for(client_a)["organisation"]
    assert org["dpo"]["designated"] is False and org["dpo"]["email"] == org["contact_email"]


def test_a_01_a_new_client_has_its_record(client_a: Client, make_client: Any) -> None:
    assert [r["client"]["id"] for r in doc_for()["processor_records"]] \
        == [f"client:{client_a.pk}"]
    gamma = make_client("gamma")
    refs = [r["client"]["id"] for r in doc_for()["processor_records"]]
    assert f"client:{gamma.pk}" in refs
    contacts = record_of(gamma)["client"]["contacts"]
    assert contacts == [{"role": "owner", "email": "owner@gamma.test"}]


# --- JSON, schema, CSV, printable HTML ------------------------------------------------------

def test_p3_2_the_json_validates_against_the_schema(client_a: Client, client_b: Client,
                                                    event_a: Event) -> None:
    add_custom_field(event_a, TSHIRT, actor="test")
    for document in (doc_for(), doc_for(client_a)):
        jsonschema.validate(json.loads(exports.to_json(document)), SCHEMA)
    # the check can fail: a record without its purposes or a sensitive category is refused
    broken = doc_for(client_a)
    broken["processor_records"][0]["purposes"] = []
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(json.loads(exports.to_json(broken)), SCHEMA)
    broken = doc_for(client_a)
    broken["processor_records"][0]["data_categories"][0]["sensitive"] = True
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(json.loads(exports.to_json(broken)), SCHEMA)


def test_p3_2_the_schema_is_published_where_the_document_says(client_a: Client) -> None:
    assert doc_for(client_a)["schema"] == "/static/livesession/schemas/register-v1.json"
    assert SCHEMA["$id"] == doc_for(client_a)["schema"]


def test_p3_2_csv_export_has_a_line_per_fact_and_no_formula(client_a: Client) -> None:
    set_client_scope(client_a, {"city": {"enabled": True, "required": False,
                                         "purpose": "=HYPERLINK(\"http://x\")"}}, actor="test")
    text = exports.to_csv(doc_for(client_a)).decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0].split(",") == list(exports.CSV_COLUMNS)
    assert any(",standard_field,City," in line for line in lines)
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text
    assert any(",security_measure,encryption_at_rest," in line for line in lines)


def test_p3_2_printable_html_stands_alone(client_a: Client) -> None:
    set_client_scope(client_a, {"postal_code": {"enabled": True, "required": False,
                                                "purpose": "<b>regional</b> statistics"}},
                     actor="test")
    with translation.override("en"):
        page = exports.to_html(services.register_document(client_a)).decode()
    assert page.startswith("<!doctype html>") and '<html lang="en">' in page
    assert "@media print" in page and "<script" not in page
    assert "&lt;b&gt;regional&lt;/b&gt; statistics" in page and "<b>regional" not in page
    assert "Processor record: ALPHA" in page


# --- creation and update dates (versions) ---------------------------------------------------

def test_p3_2_each_record_keeps_its_creation_and_update_dates(client_a: Client) -> None:
    start = now()
    with freeze(start + dt.timedelta(days=1)):
        first = record_of(client_a)
    with freeze(start + dt.timedelta(days=2)):
        again = record_of(client_a)
    assert (first["version"], again["version"]) == (1, 1)
    assert again["updated_at"] == first["updated_at"]
    assert first["created_at"] == client_a.created_at.isoformat()
    with freeze(start + dt.timedelta(days=3)):
        set_client_scope(client_a, {"city": {"enabled": True, "required": False,
                                             "purpose": "regional statistics"}}, actor="test")
        changed = record_of(client_a)
    assert changed["version"] == 2 and changed["digest"] != first["digest"]
    assert changed["updated_at"] == (start + dt.timedelta(days=3)).isoformat()
    assert changed["created_at"] == first["created_at"]
    # reading in another language is the same version
    with translation.override("fr"):
        french = services.register_document(client_a)["processor_records"][0]
    assert french["version"] == 2
    stored = RecordVersion.objects.filter(record_key=f"processor:client:{client_a.pk}")
    assert stored.count() == 2
    assert "owner@alpha.test" not in json.dumps(list(stored.values_list("content", flat=True)))


def test_p3_2_the_hourly_job_keeps_versions_without_readers(client_a: Client,
                                                            client_b: Client) -> None:
    snapshot_register.call_local()
    keys = set(RecordVersion.objects.values_list("record_key", flat=True))
    assert {f"processor:client:{client_a.pk}", f"processor:client:{client_b.pk}",
            "controller:accounts", "controller:cookies"} <= keys
    count = RecordVersion.objects.count()
    snapshot_register.call_local()
    assert RecordVersion.objects.count() == count


# --- pages and exports ----------------------------------------------------------------------

def test_p3_2_console_shows_the_whole_register_and_exports_it(operator: Any,
                                                              client_a: Client,
                                                              client_b: Client) -> None:
    browser = Browser()
    browser.force_login(operator)
    page = browser.get(reverse("console:registers"), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Register of processing activities" in body and "ALPHA" in body and "BETA" in body
    answer = browser.get(reverse("console:registers-export"), {"format": "json"})
    assert answer.status_code == 200 and answer["Content-Disposition"].startswith("attachment")
    document = json.loads(answer.content)
    jsonschema.validate(document, SCHEMA)
    assert document["scope"] == "platform" and len(document["processor_records"]) == 2
    assert AuditEntry.objects.filter(action="registers.register_exported").count() == 1
    one = browser.get(reverse("console:registers-client-export",
                              kwargs={"client_id": client_b.pk}), {"format": "csv"})
    assert one.status_code == 200 and "BETA" in one.content.decode("utf-8-sig")
    assert browser.get(reverse("console:registers-export"), {"format": "xml"}
                       ).status_code == 404
    assert browser.get(reverse("console:registers-client", kwargs={"client_id": 999999})
                       ).status_code == 404


def test_p3_2_a_client_sees_only_its_own_record(owner_a: Any, client_a: Client,
                                                client_b: Client) -> None:
    set_client_scope(client_b, {"city": {"enabled": True, "required": False,
                                         "purpose": "beta-only purpose"}}, actor="test")
    browser = Browser()
    browser.force_login(owner_a)
    page = browser.get(reverse("manager:register", kwargs={"client_slug": "alpha"}),
                       HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and "Your processor record" in page.content.decode()
    for fmt in exports.FORMATS:
        answer = browser.get(reverse("manager:register-export",
                                     kwargs={"client_slug": "alpha"}), {"format": fmt})
        assert answer.status_code == 200
        assert "BETA" not in answer.content.decode("utf-8-sig")
        assert "beta-only purpose" not in answer.content.decode("utf-8-sig")
    document = json.loads(browser.get(reverse(
        "manager:register-export", kwargs={"client_slug": "alpha"})).content)  # json: default
    assert document["scope"] == "client" and document["controller_activities"] == []
    assert [r["client"]["id"] for r in document["processor_records"]] \
        == [f"client:{client_a.pk}"]
    for name in ("manager:register", "manager:register-export", "manager:compliance",
                 "manager:compliance-export"):
        other = browser.get(reverse(name, kwargs={"client_slug": "beta"}))
        assert other.status_code == 404, name
        assert b"beta-only purpose" not in other.content
