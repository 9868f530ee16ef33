"""The register's exports: JSON (with its schema), CSV (one line per fact) and a printable
HTML document; and a client's compliance evidence as a ZIP (P3.2, P6.6)."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

SCHEMA_PATH = (Path(__file__).resolve().parents[1] / "static" / "livesession" / "schemas"
               / "register-v1.json")
FORMATS = ("json", "csv", "html")
CONTENT_TYPES = {"json": "application/json", "csv": "text/csv; charset=utf-8",
                 "html": "text/html; charset=utf-8", "zip": "application/zip"}
CSV_COLUMNS = ("record_ref", "record_kind", "record_name", "client", "section", "item",
               "detail", "legal_basis", "created_at", "updated_at")


def schema_text() -> str:
    return SCHEMA_PATH.read_text(encoding="utf-8")


def to_json(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True).encode()


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    # A spreadsheet must not run a cell as a formula (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _retention_text(rule: dict[str, Any]) -> str:
    return ngettext("%(days)s day after %(trigger)s, then %(action)s",
                    "%(days)s days after %(trigger)s, then %(action)s",
                    int(rule["period_days"])) % {
        "days": rule["period_days"], "trigger": rule["trigger_label"],
        "action": rule["action_label"]}


def _record_lines(rec: dict[str, Any]) -> Iterator[tuple[str, str, str, str]]:
    """(section, item, detail, legal basis) of one record."""
    for p in rec.get("processing", []):
        yield "processing", p, "", ""
    for p in rec["purposes"]:
        yield "purpose", p["purpose"], p.get("source", ""), p["legal_basis_label"]
    for f in rec.get("standard_fields", []):
        if f["collected"]:
            yield "standard_field", f["label"], "; ".join(f["purposes"]), ""
    for q in rec.get("custom_questions", []):
        yield "custom_question", q["label"], q["purpose"], ""
    for c in rec.get("consent_purposes", []):
        yield "consent_purpose", c["label"], _("active") if c["active"] else _("inactive"), \
            c["legal_basis_label"]
    for s in rec["data_subjects"]:
        yield "data_subject", s, "", ""
    for c in rec["data_categories"]:
        yield "data_category", c["category"], "; ".join(c["data"]), \
            "; ".join(c["retention_texts"])
    for r in rec["recipients"]:
        yield "recipient", r["name"], r["role"], ""
    for p in rec.get("sub_processors", []):
        yield "sub_processor", p["legal_entity"], f"{p['service']} ({p['country']})", \
            p["safeguard"]
    for t in rec["transfers"]:
        yield "transfer", t["recipient"], t["country"], t["safeguard"]
    for r in rec["retention"]:
        yield "retention", r["label"], _retention_text(r), r["clause"]
    for c in rec.get("cookies", []):
        yield "cookie", c["name"], f"{c['purpose']} ({c['lifetime']})", c["exempt_reason"]


def to_csv(document: dict[str, Any]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    org = document["organisation"]
    for item, detail in (("name", org["name"]), ("address", org["address"]),
                         ("contact_email", org["contact_email"]),
                         ("representative", org["representative"]),
                         ("dpo", " ".join(filter(None, (org["dpo"]["name"],
                                                        org["dpo"]["email"]))))):
        writer.writerow([_cell(v) for v in ("ORG", "organisation", org["name"], "", "contact",
                                            item, detail, "", "", "")])
    for rec in document["controller_activities"] + document["processor_records"]:
        client = rec.get("client", {}).get("id", "")
        for section, item, detail, basis in _record_lines(rec):
            writer.writerow([_cell(v) for v in (rec["ref"], rec["kind"], rec["name"], client,
                                                section, item, detail, basis,
                                                rec["created_at"], rec["updated_at"])])
        for contact in rec.get("client", {}).get("contacts", []):
            writer.writerow([_cell(v) for v in (rec["ref"], rec["kind"], rec["name"], client,
                                                "controller_contact", contact["email"],
                                                contact["role"], "", rec["created_at"],
                                                rec["updated_at"])])
    for m in document["security_measures"]:
        writer.writerow([_cell(v) for v in ("SEC", "security_measure", m["label"], "",
                                            "security_measure", m["id"], m["detail"],
                                            "in force" if m["in_force"] else "not in force",
                                            "", "")])
    return ("\ufeff" + out.getvalue()).encode()  # BOM: spreadsheets read UTF-8 right


def to_html(document: dict[str, Any]) -> bytes:
    """A standalone, printable document (its own print CSS, no script, no nav)."""
    return render_to_string("console/registers/document.html",
                            {"doc": document}).encode()


def evidence_zip(evidence: dict[str, Any]) -> bytes:
    """The client's evidence: evidence.json and a printable evidence.html, its processor
    record as JSON (with the schema), CSV and HTML."""
    register = evidence["register"]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("evidence.json", to_json(evidence))
        archive.writestr("evidence.html", render_to_string(
            "manager/registers/evidence_document.html", {"ev": evidence}))
        archive.writestr("processor-record.json", to_json(register))
        archive.writestr("processor-record.csv", to_csv(register))
        archive.writestr("processor-record.html", to_html(register))
        archive.writestr("register-v1.schema.json", schema_text())
    return buffer.getvalue()
