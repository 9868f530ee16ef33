"""Exporting an event's registrants as CSV or XLSX (issue 3 point 11; S5, P6.5).

Columns: the address, the standard fields the event collects, its questions (labels in
the viewer's language), then status and dates. Every text cell that a spreadsheet could
take for a formula (it starts with ``=``, ``+``, ``-``, ``@``, tab or carriage return) is
prefixed with a single quote (OWASP "CSV injection"), in both formats.

Rows are read in chunks of ``CHUNK`` with their keys preloaded (one keystore query per
chunk), so memory stays flat; CSV is streamed while it is read. Each export is written to
the audit trail with its row count, never with its content (P6.5).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zoneinfo
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from livesession.audit.services import record
from livesession.events.models import Event
from livesession.protection import keystore, restriction
from livesession.registrations.formspec import FieldSpec, fields_for
from livesession.registrations.models import Registration, RegistrationStatus

CHUNK = 1000
STREAM_FROM = 2000  # rows; smaller exports are sent whole
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
FORMATS = ("csv", "xlsx")


def guard(value: Any) -> Any:
    """A text that a spreadsheet would run as a formula is made plain text."""
    if isinstance(value, str) and value.startswith(DANGEROUS):
        return "'" + value
    return value


@dataclass(frozen=True)
class Plan:
    """What to write, worked out once in the viewer's language before rows are read (a
    streamed response is iterated after the request's language is gone)."""

    header: list[str]
    cells: list[Callable[[Registration, dict[str, Any]], Any]]
    time_zone: str


def _answer_cell(spec: FieldSpec, yes: str, no: str) -> Callable[[Registration,
                                                                    dict[str, Any]], Any]:
    labels = dict(spec.options)

    def cell(_row: Registration, answers: dict[str, Any]) -> Any:
        value = answers.get(spec.key)
        if value is None or value == "":
            return ""
        if spec.kind == "checkbox":
            return yes if value else no
        if isinstance(value, list):
            return ", ".join(str(labels.get(v, v)) for v in value)
        if spec.kind == "single_choice":
            return str(labels.get(str(value), value))
        return str(value)

    return cell


def _standard_cell(key: str) -> Callable[[Registration, dict[str, Any]], Any]:
    return lambda row, _answers: getattr(row, key)


def plan(event: Event) -> Plan:
    specs = fields_for(event)
    statuses = dict(RegistrationStatus.choices)
    header = [_("Email")]
    cells: list[Callable[[Registration, dict[str, Any]], Any]] = [
        lambda row, _answers: row.email]
    yes, no = _("Yes"), _("No")
    for spec in specs:
        header.append(spec.label)
        cells.append(_answer_cell(spec, yes, no) if spec.custom else _standard_cell(spec.key))
    labels = {key: str(label) for key, label in statuses.items()}
    zone = zoneinfo.ZoneInfo(event.time_zone)

    def when(value: dt.datetime | None) -> str:
        return value.astimezone(zone).strftime("%Y-%m-%d %H:%M") if value else ""

    header += [_("Status"), _("Registered on"), _("Confirmed on"), _("Cancelled on"),
               _("Language")]
    cells += [lambda row, _a: labels.get(row.status, row.status),
              lambda row, _a: when(row.created_at),
              lambda row, _a: when(row.confirmed_at),
              lambda row, _a: when(row.cancelled_at),
              lambda row, _a: row.language]
    return Plan(header=[str(h) for h in header], cells=cells, time_zone=event.time_zone)


def registrants(event: Event, status: str = "") -> QuerySet[Registration]:
    """The event's registrations to export, without the people whose processing is
    restricted (GDPR art. 18, R-10): only storage is allowed for them."""
    rows = restriction.exclude_restricted(
        Registration.objects.filter(client_id=event.client_id, event=event))
    return rows.filter(status=status) if status else rows


def _chunks(rows: QuerySet[Registration]) -> Iterator[list[Registration]]:
    """One ordered read, handed out by ``CHUNK`` rows (one sort, not one per chunk)."""
    chunk: list[Registration] = []
    for row in rows.order_by("created_at", "id").iterator(chunk_size=CHUNK):
        chunk.append(row)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def rows(the_plan: Plan, registrations: QuerySet[Registration]) -> Iterator[list[Any]]:
    """The header, then one guarded row per registration."""
    yield [guard(h) for h in the_plan.header]
    for chunk in _chunks(registrations):
        with keystore.unit_of_work():
            keystore.preload(r.subject_id for r in chunk)
            for row in chunk:
                answers = row.answers
                yield [guard(cell(row, answers)) for cell in the_plan.cells]


class _Line:
    """A file-like object that hands back what csv.writer wrote."""

    def write(self, value: str) -> str:
        return value


def csv_chunks(lines: Iterable[list[Any]]) -> Iterator[str]:
    """CSV text for a streamed response: a BOM so Excel reads UTF-8, then lines grouped
    by a hundred."""
    writer = csv.writer(_Line())
    buffer = ["\ufeff"]
    for line in lines:
        buffer.append(writer.writerow(line))
        if len(buffer) >= 100:
            yield "".join(buffer)
            buffer = []
    if buffer:
        yield "".join(buffer)


def xlsx_bytes(lines: Iterable[list[Any]], title: str) -> bytes:
    """An XLSX workbook written in openpyxl's write-only mode (rows are not kept in
    memory; openpyxl spools them to a temporary file it deletes once saved)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=_sheet_title(title))
    for line in lines:
        cells = []
        for value in line:
            if isinstance(value, str):
                # Control characters are not allowed in XLSX: they would stop the export.
                value = ILLEGAL_CHARACTERS_RE.sub("", value)
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_title(title: str) -> str:
    cleaned = "".join(" " if c in "[]:*?/\\" else c for c in title).strip() or "Export"
    return cleaned[:31]


def record_export(event: Event, fmt: str, count: int, *, actor: str) -> None:
    """P6.5: who took how many rows out, and in which format; no personal data."""
    record(actor, "registrations.exported", target=f"event:{event.pk}",
           client_id=event.client_id, details={"format": fmt, "rows": count})
