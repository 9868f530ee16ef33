"""The person's access export (issue 5 §1, P4.1, GDPR art. 15 and 20).

``collect`` gathers everything held about one person, grouped by controller (the platform
operator for the account, then each organizer), from the personal-data registry: for each
declared model, the person's rows (``subject_rows``), and of each row the personal fields
exported as values, decrypted. Every category carries the purpose, the legal basis and the
retention of its declaration, so nothing here is written per field by hand.
``collect_person`` does the same for one client's participant, as that client holds them
(the Manager's and the API's answer to an access request, issue 5 §9): only that client's
group, the person named by their subject id since they may have no account.

``build_zip`` packs it as ``data.json`` (format ``livesession-access-export``, version 1,
valid against the published JSON Schema, also in the archive), one CSV per kind of record
and controller named in words (``csv/platform/account.csv``, ``export_names``), and a
readable ``index.html`` (``export_display``, the same as the page). The archive is built in
memory: no clear copy of the person's data is ever written to disk.

Emails are copied without the keys they carried (``redaction``): nothing in the copy, the
JSON included, opens an account, a room or a download.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import uuid
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from livesession.audit.services import record as audit_record
from livesession.core import readable
from livesession.core.clock import now
from livesession.core.labels import action_label, message_kind_label
from livesession.protection import export_names, keystore, redaction, subject_rows
from livesession.protection.registry import (
    BASIS_LABELS,
    Controller,
    ModelDeclaration,
    Personal,
    _field_label,  # the registry's own wording of a field, shared with the notice
    all_declarations,
)

FORMAT = "livesession-access-export"
VERSION = 1
SCHEMA_PATH = (Path(__file__).resolve().parents[1] / "static" / "livesession" / "schemas"
               / "access-export-v1.json")
SCHEMA_URL = "/static/livesession/schemas/access-export-v1.json"

CNIL = {
    "authority": "Commission nationale de l'informatique et des libertés (CNIL)",
    "address": "3 place de Fontenoy, TSA 80715, 75334 Paris Cedex 07, France",
    "url": "https://www.cnil.fr",
}

# How a registration came in (``Registration.channel``) and so where its data came from
# (GDPR art. 15.1.g). "web" is the person's own form; the others are the organizer's doing.
def _source_label(channel: str) -> str:
    labels = {
        "web": _("collected from you on the registration form"),
        "api": _("sent by the organizer's own systems (API)"),
        "manager": _("added by the organizer"),
        "import": _("imported by the organizer from a list of participants"),
    }
    return str(labels.get(channel, _("received by the organizer (%(channel)s)")
                          % {"channel": channel}))


# --- values ---------------------------------------------------------------------------------

def _related_value(obj: models.Model, f: models.Field[Any, Any]) -> Any:
    target_id = getattr(obj, f.attname)
    if target_id is None:
        return None
    target = f.remote_field.model  # type: ignore[union-attr]
    label = target._meta.label
    if label == "core.Client":
        related = getattr(obj, f.name)
        return related.name
    if label == subject_rows.REGISTRATION_MODEL:
        return event_words(getattr(obj, f.name).event)
    if label == settings.AUTH_USER_MODEL:
        return f"account:{target_id}"
    return str(target_id)


def event_words(event: Any) -> str:
    """An event as people name it: its title and its day, in the reader's language."""
    day = date_format(localtime(event.starts_at).date(), "DATE_FORMAT")
    return f"{event.title} ({day})"


# Columns that are not personal by themselves but say what a record is, so a person can
# read it: which email, when; what was done, when. Exported with the record they describe.
CONTEXT: dict[str, tuple[str, ...]] = {
    "messaging.OutboxMessage": ("kind", "created_at", "sent_at"),
    "audit.AuditEntry": ("at", "action"),
}
CONTEXT_LABELS = {
    "kind": _("kind of email"),
    "created_at": _("written on"),
    "sent_at": _("sent on"),
    "at": _("date"),
    "action": _("what happened"),
}
_WORDED: dict[str, dict[str, Callable[[str], str]]] = {
    "messaging.OutboxMessage": {"kind": message_kind_label},
    "audit.AuditEntry": {"action": action_label}}
# Sealed texts of an email, copied without the keys they carried (``redaction``).
_EMAIL_TEXTS = frozenset({"body", "attachment", "subject_line"})


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return None  # binary columns are never exported as values
    if value is None or isinstance(value, str | int | float | bool | list | dict):
        return value
    return str(value)


def _value(obj: models.Model, name: str, decl: ModelDeclaration) -> Any:
    sealed_attr = {column: attr for attr, column in decl.sealed.items()}.get(name)
    if sealed_attr is not None:
        value = getattr(obj, sealed_attr)
        if decl.model_label == "messaging.OutboxMessage" and sealed_attr in _EMAIL_TEXTS:
            if sealed_attr == "subject_line":  # says what the email was, holds no key
                return redaction.without_links(value or "")
            return redaction.message_text(obj.kind, value or "")  # type: ignore[attr-defined]
        if sealed_attr.endswith("_json") and value:
            try:
                return json.loads(value)
            except ValueError:
                return value
        return value
    f = obj._meta.get_field(name)
    if not isinstance(f, models.Field):  # declared names are concrete fields (registry test)
        return None
    if f.is_relation:
        return _related_value(obj, f)
    if getattr(f, "choices", None):
        return str(getattr(obj, f"get_{name}_display")())
    return _plain(getattr(obj, f.attname))


def _context_value(obj: models.Model, label: str, name: str) -> Any:
    worded = _WORDED.get(label, {}).get(name)
    raw = getattr(obj, name)
    return worded(raw) if worded is not None else _plain(raw)


# --- grouping -------------------------------------------------------------------------------

def _client_of(obj: models.Model) -> int | None:
    if getattr(obj, "client_id", None) is not None:
        return int(obj.client_id)  # type: ignore[attr-defined]
    registration = getattr(obj, "registration", None)
    if registration is not None and getattr(registration, "client_id", None):
        return int(registration.client_id)
    subject = getattr(obj, "subject", None)
    if subject is not None and getattr(subject, "client_id", None):
        return int(subject.client_id)
    return None


def _controller_id(item: Personal, obj: models.Model) -> str:
    if item.controller == Controller.OPERATOR:
        return "operator"
    client_id = _client_of(obj)
    return f"client:{client_id}" if client_id is not None else "operator"


def _key(name: str, decl: ModelDeclaration) -> str:
    """A sealed column is named by its attribute ("email", not "email_enc")."""
    return {column: attr for attr, column in decl.sealed.items()}.get(name, name)


def _field_doc(model: type[models.Model], name: str, decl: ModelDeclaration,
               like: str = "") -> dict[str, str]:
    """A personal field's description; a context column (``like`` set) takes the purpose,
    basis and retention of the personal field ``like`` of the same record."""
    item = decl.personal[like or name]
    label = (str(CONTEXT_LABELS.get(name, name)) if like
             else _field_label(item, model._meta.get_field(name)))
    return {
        "field": _key(name, decl),
        "label": label,
        "purpose": str(item.purpose),
        "legal_basis": item.basis.value,
        "legal_basis_label": str(BASIS_LABELS[item.basis]),
        "retention": str(item.retention),
    }


def _subject_ids_of(rows: Iterable[models.Model]) -> set[uuid.UUID]:
    return {row.subject_id for row in rows if getattr(row, "subject_id", None)}  # type: ignore[attr-defined]


def collect(user: Any) -> dict[str, Any]:
    """Everything held about the account's person, grouped by controller (JSON-ready)."""
    person = subject_rows.person_of(user)
    return _document(person, {"account": f"account:{user.pk}"}, only=None)


def collect_person(person: subject_rows.Person) -> dict[str, Any]:
    """What one client holds about one of its participants (``subject_rows.person_at_client``),
    in the same format as the personal space's copy: the answer to an access request the
    client, as controller, received (issue 5 §9, P6.3, GDPR art. 15). Only that client's
    group: the platform account and the audit trail are the operator's, not the client's."""
    if person.user_id is not None or len(person.client_ids) != 1:
        raise ValueError("collect_person takes one client's person (person_at_client)")
    (client_id,) = person.client_ids
    (subject_id,) = person.subject_ids
    return _document(person, {"subject": f"subject:{subject_id}"},
                     only={f"client:{client_id}"})


def _document(person: subject_rows.Person, who: dict[str, str],
              only: set[str] | None) -> dict[str, Any]:
    """The export document of ``person``; ``only`` keeps those controller groups."""
    from livesession.core.models import Client

    controllers: dict[str, dict[str, Any]] = {}
    with keystore.unit_of_work():
        keystore.preload(person.subject_ids)
        for label, decl in sorted(all_declarations().items()):
            exported = subject_rows.exportable_fields(decl)
            if not exported:
                continue
            model = apps.get_model(label)
            rows = list(subject_rows.rows_of(model, person))
            keystore.preload(_subject_ids_of(rows))
            for row in rows:
                by_controller: dict[str, list[str]] = {}
                for name in exported:
                    by_controller.setdefault(_controller_id(decl.personal[name], row),
                                             []).append(name)
                for cid, names in by_controller.items():
                    if only is not None and cid not in only:
                        continue
                    group = controllers.setdefault(cid, {"categories": {}})
                    context = CONTEXT.get(label, ())
                    category = group["categories"].setdefault(label, {
                        "model": label,
                        "name": export_names.title(label, str(model._meta.verbose_name)),
                        "fields": [_field_doc(model, n, decl, like=names[0])
                                   for n in context]
                                  + [_field_doc(model, n, decl) for n in names],
                        "records": [],
                    })
                    record = {n: _context_value(row, label, n) for n in context}
                    record.update({_key(n, decl): _value(row, n, decl) for n in names})
                    category["records"].append(record)
    operator_name = settings.PLATFORM_OPERATOR_NAME
    clients = {c.pk: c for c in Client.objects.filter(
        pk__in=[int(cid.split(":")[1]) for cid in controllers if cid.startswith("client:")])}
    ordered = []
    # The operator first, then the clients in the order they joined (by id as a number:
    # "client:10" comes after "client:9").
    for cid in sorted(controllers, key=lambda c: (c != "operator",
                                                  int(c.split(":")[1]) if ":" in c else 0)):
        head: dict[str, Any]
        if cid == "operator":
            head = {"id": cid, "kind": "operator", "name": operator_name,
                    "role": str(_("controller of your platform account"))}
        else:
            client = clients[int(cid.split(":")[1])]
            head = {"id": cid, "kind": "client", "name": client.name,
                    "role": str(_("controller of your registrations with this organizer"))}
        folder = export_names.folder(cid, "" if cid == "operator" else client.slug)
        head["categories"] = [
            {**category, "file": f"csv/{folder}/{export_names.file_stem(category['model'])}.csv"}
            for category in controllers[cid]["categories"].values()]
        ordered.append(head)
    document = {
        "format": FORMAT,
        "version": VERSION,
        "schema": SCHEMA_URL,
        "generated_at": now().isoformat(),
        "language": get_language() or settings.LANGUAGE_CODE,
        "person": who,
        "controllers": ordered,
    }
    document["notice"] = _notice(document, person)
    return document


def export_person(subject: Any, *, actor: str) -> tuple[dict[str, Any], bytes]:
    """The archive of what the subject's client holds about them, for the client's Manager
    or API (issue 5 §9, P6.3): collected, packed in memory and audited (ids and counts
    only) in one transaction. Returns the document and the ZIP bytes."""
    with transaction.atomic():
        document = collect_person(subject_rows.person_at_client(subject))
        archive = build_zip(document)
        audit_record(actor, "person.exported", target=f"subject:{subject.pk}",
               client_id=subject.client_id, details=_export_details(document))
    return document, archive


def export_account(user: Any, *, actor: str, via: str) -> tuple[dict[str, Any], bytes]:
    """The personal space's archive of the account holder (``via``: "space", "api"),
    audited like the download of "My data" (issue 5 §1, §11, P4.1)."""
    with transaction.atomic():
        document = collect(user)
        archive = build_zip(document)
        audit_record(actor, "access_export.downloaded", target=f"account:{user.pk}",
               details={**_export_details(document), "via": via})
    return document, archive


def _export_details(document: dict[str, Any]) -> dict[str, Any]:
    return {"format_version": VERSION,
            "controllers": [group["id"] for group in document["controllers"]],
            "records": sum(len(category["records"]) for group in document["controllers"]
                           for category in group["categories"])}


# --- what art. 15 requires besides the data -------------------------------------------------

def _notice(document: dict[str, Any], person: subject_rows.Person) -> dict[str, Any]:
    from livesession.registrations.models import Registration

    purposes: dict[tuple[str, str, str], dict[str, str]] = {}
    categories = []
    retention = []
    for group in document["controllers"]:
        for category in group["categories"]:
            categories.append({"controller": group["id"], "controller_name": group["name"],
                               "category": category["name"],
                               "data": [f["label"] for f in category["fields"]]})
            for f in category["fields"]:
                purposes.setdefault((group["id"], f["purpose"], f["legal_basis"]), {
                    "controller": group["id"], "purpose": f["purpose"],
                    "legal_basis": f["legal_basis"],
                    "legal_basis_label": f["legal_basis_label"]})
                retention.append({"controller": group["id"], "category": category["name"],
                                  "data": f["label"], "retention": f["retention"]})
    operator = settings.PLATFORM_OPERATOR_NAME
    recipients = [{"name": operator, "role": str(_(
        "controller of the platform account; processor for each organizer: hosting, "
        "sending messages and running the service on its instructions")),
        "country": settings.HOSTING_COUNTRY}]
    for group in document["controllers"]:
        if group["kind"] == "client":
            recipients.append({"name": group["name"], "role": str(_(
                "organizer: controller of the registrations made with it, and of the data "
                "it receives about them")), "country": ""})
    from livesession.privacy.services import notice_subprocessors, notice_transfers

    subprocessors = notice_subprocessors()
    for sp in subprocessors:
        recipients.append({"name": sp["legal_entity"], "role": str(_(
            "hosting provider of the operator (sub-processor): %(service)s") % {
                "service": sp["service"]}), "country": sp["country_name"]})
    transfers = notice_transfers(subprocessors)
    if not transfers:
        transfers_statement = str(_("No personal data is transferred outside the European "
                                    "Union."))
    else:
        transfers_statement = str(_("Some data is transferred outside the European Union, "
                                    "with the safeguards listed."))
    sources = []
    registrations = (Registration.objects.filter(pk__in=person.registration_ids)
                     .select_related("event", "client").order_by("created_at"))
    for registration in registrations:
        sources.append({
            "controller": f"client:{registration.client_id}",
            "registration": event_words(registration.event),
            "channel": registration.channel,
            "source": _source_label(registration.channel),
            "collected_from_you": registration.channel == "web",
        })
    return {
        "purposes": list(purposes.values()),
        "categories": categories,
        "recipients": recipients,
        "transfers": transfers,
        "transfers_statement": transfers_statement,
        "retention": retention,
        "rights": _rights(),
        "complaint": dict(CNIL, statement=str(_(
            "You may lodge a complaint with the CNIL, the French data protection authority, "
            "or with the authority of the EU country where you live or work."))),
        "sources": sources,
        "observed_data": str(_("Attendance (times of access, presence) is observed by the "
                               "platform when you use your personal link.")),
        "automated_decision_making": {"exists": False, "statement": str(_(
            "No decision about you is taken by automated means alone, and no profile is "
            "built (GDPR art. 22)."))},
    }


def _rights() -> list[dict[str, str]]:
    how_space = str(_("from your personal space, or by writing to the controller"))
    return [
        {"right": "access", "article": "15", "label": str(_("access and copy")),
         "how": how_space},
        {"right": "rectification", "article": "16", "label": str(_("rectification")),
         "how": how_space},
        {"right": "erasure", "article": "17", "label": str(_("erasure")), "how": how_space},
        {"right": "restriction", "article": "18", "label": str(_("restriction of processing")),
         "how": how_space},
        {"right": "portability", "article": "20", "label": str(_("data portability")),
         "how": how_space},
        {"right": "objection", "article": "21", "label": str(_("objection")),
         "how": how_space},
        {"right": "withdraw_consent", "article": "7.3",
         "label": str(_("withdraw a consent at any time")), "how": how_space},
    ]


# --- the archive ----------------------------------------------------------------------------

def _csv_text(category: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    names = [f["field"] for f in category["fields"]]
    writer.writerow([f["label"] for f in category["fields"]])
    for record in category["records"]:
        writer.writerow([_cell(record.get(name)) for name in names])
    return out.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    text = str(value)
    # A spreadsheet must not run a cell as a formula (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def with_tables(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The controllers with each record in words, for the page and ``index.html``."""
    from livesession.protection.export_display import readable_groups

    return readable_groups(document)


def schema_text() -> str:
    return SCHEMA_PATH.read_text(encoding="utf-8")


def build_zip(document: dict[str, Any]) -> bytes:
    """The archive, in memory only (no clear copy of the person's data on disk)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(document, ensure_ascii=False, indent=2,
                                                 sort_keys=True))
        archive.writestr("access-export-v1.schema.json", schema_text())
        csv_files = []
        for group in document["controllers"]:
            for category in group["categories"]:
                archive.writestr(category["file"], _csv_text(category))
                csv_files.append((category["file"], group["name"], category["name"]))
        archive.writestr("index.html", render_to_string("accounts/data_export.html", {
            "document": document, "groups": with_tables(document), "notice": document["notice"],
            "csv_files": csv_files, "generated_at": readable.parse(document["generated_at"])}))
    return buffer.getvalue()
