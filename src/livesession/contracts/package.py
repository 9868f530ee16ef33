"""The return package (P6.9): everything a client's participants gave it, as JSON with a
published JSON Schema (static/livesession/schemas/return-package-v1.json) plus one CSV per
table, with a SHA-256 manifest (``MANIFEST.sha256``, the format of ``sha256sum -c``).

Built by a background job in batches, with progress on the row (``rows_done`` of
``rows_total``). The archive is built in memory and written to disk only encrypted
(AES-GCM) under a data key of its own in the keystore, filed under the client's controller
(``client:<id>``): expiring the package, or destroying the client's keys at the end of the
contract, makes every copy of the file unreadable.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import uuid
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.apps import apps
from django.conf import settings
from django.db import models

from livesession.contracts import guard
from livesession.contracts.models import PackageStatus, ReturnPackage
from livesession.core.clock import now
from livesession.protection import crypto, keystore
from livesession.protection.models import controller_key_for
from livesession.protection.registry import Export, declaration

SCHEMA_NAME = "return-package-v1.json"
SCHEMA_PATH = (Path(__file__).resolve().parents[1] / "static" / "livesession" / "schemas"
               / SCHEMA_NAME)
FORMAT = "livesession.return-package/1"
BATCH = 500


@dataclass(frozen=True)
class Table:
    name: str
    model: str
    # Derived rows: the custom answers, one row per registration and question.
    derive: str = ""


# The order of the archive; every table is read with the client in the filter.
TABLES: tuple[Table, ...] = (
    Table("events", "events.Event"),
    Table("sessions", "events.Session"),
    Table("questions", "registrations.CustomField"),
    Table("participants", "protection.Subject"),
    Table("registrations", "registrations.Registration"),
    Table("answers", "registrations.Registration", derive="answers"),
    Table("consent_purposes", "privacy.ConsentPurpose"),
    Table("consents", "privacy.ConsentRecord"),
    Table("attendance", "access.Attendance"),
    Table("messages", "messaging.OutboxMessage"),
    Table("unsubscriptions", "messaging.Unsubscribe"),
)
ANSWER_COLUMNS = ["registration", "event", "question", "value"]


def folder() -> Path:
    return Path(settings.CONTRACT_PACKAGE_DIR)


def file_of(package: ReturnPackage) -> Path:
    return folder() / f"{package.pk}.zip.enc"


def schema_text() -> str:
    return SCHEMA_PATH.read_text(encoding="utf-8")


# --- columns and values -------------------------------------------------------------------

def _columns(model: type[models.Model]) -> list[tuple[str, str]]:
    """(output name, how to read it) per column: a sealed column is read through its
    attribute (decrypted); hashes, digests and ciphertext the registry marks ``OMIT`` are
    left out, and so are binary columns."""
    decl = declaration(model)
    sealed = {column: attr for attr, column in (decl.sealed if decl else {}).items()}
    out: list[tuple[str, str]] = []
    for f in model._meta.concrete_fields:
        name = f.name
        if name in sealed:
            out.append((sealed[name], f"sealed:{sealed[name]}"))
            continue
        item = decl.personal.get(name) if decl else None
        if item is not None and item.export == Export.OMIT:
            continue
        if isinstance(f, models.BinaryField):
            continue
        out.append((name, f"field:{f.attname}"))
    return out


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return str(value)


def _read(obj: models.Model, how: str) -> Any:
    kind, name = how.split(":", 1)
    if kind == "sealed":
        try:
            value = getattr(obj, name)
        except crypto.KeyDestroyed:
            return None  # an erased person: nothing readable left
        if name.endswith("_json") and value:
            try:
                return json.loads(value)
            except ValueError:
                return value
        return value
    return _plain(getattr(obj, name))


def _rows(table: Table, client_id: int) -> Iterator[list[models.Model]]:
    model = apps.get_model(table.model)
    last: Any = None
    while True:
        query = model._default_manager.filter(client_id=client_id).order_by("pk")
        if last is not None:
            query = query.filter(pk__gt=last)
        batch = list(query[:BATCH])
        if not batch:
            return
        last = batch[-1].pk
        yield batch


def _answers(rows: list[models.Model]) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        try:
            raw = row.answers_json  # type: ignore[attr-defined]
        except crypto.KeyDestroyed:
            continue
        answers = json.loads(raw) if raw else {}
        for key, value in sorted((answers or {}).items()):
            out.append({"registration": str(row.pk), "event": str(row.event_id),  # type: ignore[attr-defined]
                        "question": key, "value": value})
    return out


def _subject_ids(model: type[models.Model], batch: list[models.Model]) -> list[uuid.UUID]:
    if model._meta.label == "protection.Subject":
        return [row.pk for row in batch]
    return [sid for row in batch if (sid := getattr(row, "subject_id", None)) is not None]


def count_rows(client_id: int) -> int:
    total = 0
    for table in TABLES:
        if table.derive:
            continue
        total += apps.get_model(table.model)._default_manager.filter(client_id=client_id).count()
    return total


# --- the archive ----------------------------------------------------------------------

def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    # A spreadsheet must not run a cell as a formula (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv(columns: list[str], rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(name)) for name in columns])
    return out.getvalue()


def collect(client_id: int, progress: Callable[[int], None] | None = None) -> dict[str, Any]:
    """The document (``data.json``) of one client, read in batches; ``progress`` is told
    how many rows each batch held."""
    from livesession.core.models import Client

    client = Client.objects.get(pk=client_id)
    tables: dict[str, dict[str, Any]] = {}
    with keystore.unit_of_work():
        for table in TABLES:
            model = apps.get_model(table.model)
            columns = ANSWER_COLUMNS if table.derive else [n for n, _how in _columns(model)]
            readers = _columns(model)
            rows: list[dict[str, Any]] = []
            for batch in _rows(table, client_id):
                keystore.preload(_subject_ids(model, batch))
                if table.derive == "answers":
                    rows.extend(_answers(batch))
                    continue
                rows.extend({name: _read(row, how) for name, how in readers} for row in batch)
                if progress is not None:
                    progress(len(batch))
            tables[table.name] = {"model": table.model, "columns": columns, "rows": rows}
    return {
        "format": FORMAT,
        "schema": SCHEMA_NAME,
        "generated_at": now().isoformat(),
        "client": {"id": client.pk, "name": client.name, "slug": client.slug},
        "tables": tables,
    }


def archive(document: dict[str, Any]) -> bytes:
    files: dict[str, bytes] = {
        "data.json": json.dumps(document, ensure_ascii=False, indent=2,
                                sort_keys=True).encode(),
        SCHEMA_NAME: schema_text().encode(),
    }
    for name, table in document["tables"].items():
        files[f"csv/{name}.csv"] = _csv(table["columns"], table["rows"]).encode()
    manifest = "".join(f"{hashlib.sha256(content).hexdigest()}  {name}\n"
                       for name, content in sorted(files.items()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        for name, content in files.items():
            zipped.writestr(name, content)
        zipped.writestr("MANIFEST.sha256", manifest)
    return buffer.getvalue()


# --- encrypted at rest ------------------------------------------------------------------

def _key(package: ReturnPackage) -> bytes:
    keystore.ensure_key(package.pk, controller_key_for(package.client_id))
    return keystore.get_key(package.pk)


def _aad(package: ReturnPackage) -> bytes:
    return f"return-package:{package.pk}:{package.client_id}".encode()


def store(package: ReturnPackage, content: bytes) -> None:
    nonce = os.urandom(12)
    sealed = nonce + AESGCM(_key(package)).encrypt(nonce, content, _aad(package))
    target = file_of(package)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_suffix(".part")
    temporary.write_bytes(sealed)
    os.chmod(temporary, 0o600)
    temporary.replace(target)


def read(package: ReturnPackage) -> bytes:
    sealed = file_of(package).read_bytes()
    return AESGCM(keystore.get_key(package.pk)).decrypt(sealed[:12], sealed[12:],
                                                         _aad(package))


def discard(package: ReturnPackage) -> int:
    """The file goes and its key is destroyed. Returns the number of files removed."""
    target = file_of(package)
    existed = target.exists()
    target.unlink(missing_ok=True)
    keystore.destroy_key(package.pk)
    return int(existed)


# --- the job ------------------------------------------------------------------------------

def build(package_id: uuid.UUID | str) -> ReturnPackage | None:
    """Build one package (background job). A package already built, or one whose client's
    services ended (P6.10), is left alone; a failure is recorded on the row (its class only)."""
    from livesession.audit.services import record

    claimed = ReturnPackage.objects.filter(
        pk=package_id, status__in=[PackageStatus.QUEUED, PackageStatus.BUILDING]).update(
        status=PackageStatus.BUILDING, rows_done=0)
    if not claimed:
        return None
    package = ReturnPackage.objects.get(pk=package_id)
    try:
        guard.ensure_may_process(package.client_id)
        total = count_rows(package.client_id)
        ReturnPackage.objects.filter(pk=package.pk).update(rows_total=total)
        done = 0

        def progress(n: int) -> None:
            nonlocal done
            done += n
            ReturnPackage.objects.filter(pk=package.pk).update(rows_done=min(done, total))

        content = archive(collect(package.client_id, progress))
        store(package, content)
    except Exception as exc:
        ReturnPackage.objects.filter(pk=package.pk).update(
            status=PackageStatus.FAILED, error=type(exc).__name__, finished_at=now())
        record("system", "contract.package_failed", target=f"return_package:{package.pk}",
               client_id=package.client_id, details={"error": type(exc).__name__})
        raise
    finished = now()
    ReturnPackage.objects.filter(pk=package.pk).update(
        status=PackageStatus.READY, rows_done=total, sha256=hashlib.sha256(content).hexdigest(),
        size=len(content), finished_at=finished,
        expires_at=finished + dt.timedelta(days=int(settings.CONTRACT_PACKAGE_DAYS)))
    package.refresh_from_db()
    _tell_ready(package)
    record("system", "contract.package_built", target=f"return_package:{package.pk}",
           client_id=package.client_id, details={"rows": total, "sha256": package.sha256})
    return package


def _tell_ready(package: ReturnPackage) -> None:
    from django.urls import reverse
    from django.utils.formats import date_format
    from django.utils.translation import gettext_noop

    from livesession.contracts.services import _mail_deciders

    if package.expires_at is None:
        return
    _mail_deciders(package.client, "emails/contract_package_ready.txt", "contract_package_ready",
                   gettext_noop("The return package of %(name)s is ready"), {
                       "until": date_format(package.expires_at, "DATETIME_FORMAT"),
                       "link": settings.SITE_URL + reverse(
                           "manager:contract", kwargs={"client_slug": package.client.slug})})
