"""Importing registrants from a CSV file (issue 3 point 11; S7 of performance-anchors).

The steps, each a function below, each writing only the ``Import`` row:

1. ``create_import``: the bytes are decoded (UTF-8, with or without BOM), the delimiter
   (``;``, ``,`` or tab) read from the first line, and the text sealed with a key of its
   own (the import's id is its synthetic subject in the keystore). Nothing of the file is
   written in clear, on disk or in the database.
2. ``analyse``: every line is checked with the same rules as the public form
   (``formspec.clean_submission``), duplicates inside the file and people already
   registered are found, and the capacity left is compared. Small files are checked
   inside the request; larger ones by the ``analyse_import`` job.
3. ``confirm``: the organizer chooses the legal basis for processing these people, which
   is recorded on the row and in the audit trail, and the ``run_import`` job is queued.
4. ``run``: the lines are checked like ``registrations.services.register(channel=
   "import")`` checks them, then written a batch at a time by ``registrations.bulk``
   (set-based: what ``register`` does per line, one query per kind of row per batch;
   capacity, waiting list, personal link and email, audit), each batch committing with
   the progress: a crash replays at most one batch, which rolls back whole, and a line
   whose address is registered is reported "already registered", never twice. A batch
   that meets an address registered meanwhile (the unique constraint) is replayed line by
   line through ``register`` itself.
5. When the import ends (or is discarded, or left unconfirmed for a day), the sealed text
   and its key are destroyed. The report keeps line numbers, outcomes and reasons only.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from livesession.audit.services import record
from livesession.core.clock import now
from livesession.events.models import Event
from livesession.protection import crypto, keystore
from livesession.protection.models import controller_key_for
from livesession.registrations import bulk, scope, services, sessions
from livesession.registrations.formspec import (
    Cleaned,
    FieldSpec,
    clean_submission,
    fields_for,
)
from livesession.registrations.models import (
    Import,
    ImportBasis,
    Registration,
    RegistrationStatus,
)
from livesession.registrations.models import ImportStatus as St
from livesession.registrations.search import normalize

MAX_BYTES = 20 * 1024 * 1024
MAX_RECORDS = 100_000
INLINE_RECORDS = 500   # checked inside the request up to this many lines; beyond, a job
PREVIEW_ROWS = 20
# Lines per transaction while importing: the write lock is held for one batch (about
# 0.3 s on SQLite at the rates of bench S7); a crash replays at most one batch.
BATCH = 500
UNCONFIRMED_FOR = dt.timedelta(days=1)
STALLED_AFTER = dt.timedelta(minutes=10)
CONTEXT = "registrations.Import.content"

# One letter per line in ``Import.outcomes``.
IMPORTED, WAITLISTED, ALREADY, DUPLICATE, INVALID, FULL = "I", "W", "A", "D", "E", "F"
OUTCOMES = {
    IMPORTED: gettext_lazy("imported"),
    WAITLISTED: gettext_lazy("imported on the waiting list"),
    ALREADY: gettext_lazy("already registered"),
    DUPLICATE: gettext_lazy("duplicate line"),
    INVALID: gettext_lazy("not imported: invalid line"),
    FULL: gettext_lazy("not imported: the event is full"),
}
LANGUAGE_KEY = "language"
# Column names understood besides the field keys and labels, already normalized.
ALIASES = {
    "email": {"email", "e_mail", "mail", "courriel", "adresse_email", "adresse_e_mail",
              "adresse_mail", "email_address", "adresse_electronique"},
    "first_name": {"first_name", "firstname", "prenom", "given_name"},
    "last_name": {"last_name", "lastname", "nom", "nom_de_famille", "surname",
                  "family_name", "name"},
    "mobile_phone": {"mobile_phone", "mobile", "phone", "telephone", "portable",
                     "telephone_mobile", "tel"},
    "city": {"city", "ville", "commune"},
    "postal_code": {"postal_code", "zip", "zip_code", "postcode", "code_postal", "cp"},
    "job_function": {"job_function", "job_title", "function", "fonction", "poste"},
    LANGUAGE_KEY: {"language", "langue", "lang"},
}
_SPLIT = re.compile(r"\s*[|;,]\s*")


class BadFile(Exception):
    """The file cannot be read as a list of registrants; the message says what to fix."""


@dataclass
class Record:
    line: int
    cells: list[str]


@dataclass
class Mapping:
    """Which field each column feeds ("" for a column that is ignored)."""

    keys: list[str]
    ignored: list[str] = field(default_factory=list)  # header texts of ignored columns


# --- Reading the file ------------------------------------------------------------------

def decode(raw: bytes) -> str:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadFile(_("The file is not in UTF-8. In Excel or LibreOffice, save it "
                             "as \"CSV UTF-8\" and upload it again.")) from exc
    if "\x00" in text:
        raise BadFile(_("This is not a CSV text file. Save the sheet as \"CSV UTF-8\" "
                             "and upload it again."))
    return text


def sniff_delimiter(text: str) -> str:
    """The delimiter the first line uses most, outside quotes: ``;`` (French Excel), ``,``
    or tab."""
    first = text.split("\n", 1)[0]
    counts = dict.fromkeys(";,\t", 0)
    quoted = False
    for char in first:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(counts, key=lambda c: counts[c])
    return best if counts[best] else ","


def records(text: str, delimiter: str) -> Iterator[Record]:
    """The header first, then each non-empty record with the line where it starts (a
    quoted cell may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    start = 1
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                yield Record(start, cells)
            start = reader.line_num + 1
    except csv.Error as exc:
        raise BadFile(_("Line %(n)d cannot be read as CSV: check its quotes.")
                           % {"n": start}) from exc


def _column_key(header: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", normalize(header)).strip("_")


def _known_columns(specs: list[FieldSpec], event: Event) -> dict[str, str]:
    """Normalized column name → field key: keys, labels in both languages and aliases.
    Standard fields map even when the event does not collect them, so a value in such a
    column is reported on its line rather than dropped unseen."""
    known: dict[str, str] = {}
    for key, names in ALIASES.items():
        for name in names:
            known[name] = key
    for std in scope.STANDARD_FIELDS:
        for language in ("fr", "en"):
            with translation.override(language):
                known.setdefault(_column_key(str(std.label)), std.key)
    for language in ("fr", "en"):
        with translation.override(language):
            known.setdefault(_column_key(str(_("Email"))), "email")
    for custom in event.custom_fields.all():
        for name in (custom.key, custom.label_fr, custom.label_en):
            known[_column_key(name)] = f"answers.{custom.key}"
    for spec in specs:
        if spec.custom:
            known[_column_key(spec.key)] = f"answers.{spec.key}"
    return known


def map_header(header: list[str], specs: list[FieldSpec], event: Event) -> Mapping:
    known = _known_columns(specs, event)
    keys: list[str] = []
    ignored: list[str] = []
    for text in header:
        key = known.get(_column_key(text), "")
        if not key or key in keys:
            ignored.append(text.strip()[:60])
            key = ""
        keys.append(key)
    if "email" not in keys:
        raise BadFile(_("The first line must name the columns, one of them \"email\" "
                             "(or \"courriel\"). Add such a line and upload again."))
    return Mapping(keys=keys, ignored=[t for t in ignored if t])


def _choice_value(spec: FieldSpec, text: str) -> str:
    """An option given by its value or its label, whatever the case and accents."""
    wanted = normalize(text)
    for value, label in spec.options:
        if normalize(value) == wanted or normalize(str(label)) == wanted:
            return value
    return text


def submission(cells: list[str], mapping: Mapping,
               specs: dict[str, FieldSpec]) -> tuple[dict[str, Any], str]:
    """The registration submission of one line, and the language it asks for."""
    data: dict[str, Any] = {"answers": {}, "consents": []}
    language = ""
    for key, cell in zip(mapping.keys, cells, strict=False):
        value = cell.strip()
        if not key:
            continue
        if key == LANGUAGE_KEY:
            language = value
        elif key.startswith("answers."):
            name = key.split(".", 1)[1]
            spec = specs.get(name)
            answer: Any = value
            if spec is not None and spec.kind == "single_choice" and value:
                answer = _choice_value(spec, value)
            elif spec is not None and spec.kind == "multiple_choice":
                whole = _choice_value(spec, value)
                parts = [whole] if whole != value or not value else _SPLIT.split(value)
                answer = [_choice_value(spec, p) for p in parts if p]
            data["answers"][name] = answer
        else:
            data[key] = value
    return data, language


def _language(asked: str) -> str | None:
    """fr or en from what a line says ("", "fr", "English"…); None when unknown."""
    if not asked:
        return settings.LANGUAGE_CODE
    word = normalize(asked)
    for code, names in {"fr": {"fr", "francais", "french"},
                        "en": {"en", "anglais", "english"}}.items():
        if word in names or word.startswith(f"{code}-") or word.startswith(f"{code}_"):
            return code
    return None


# --- The sealed text ---------------------------------------------------------------------

def _seal(imp: Import, text: str) -> None:
    keystore.ensure_key(imp.pk, controller_key_for(imp.client_id))
    imp.content_enc = crypto.seal(keystore.get_key(imp.pk), text, f"{CONTEXT}:{imp.pk}")


def content(imp: Import) -> str:
    if not imp.content_enc:
        return ""
    try:
        return crypto.open_sealed(keystore.get_key(imp.pk), imp.content_enc,
                                  f"{CONTEXT}:{imp.pk}")
    except crypto.KeyDestroyed:
        return ""


def _forget(imp: Import) -> None:
    """The file's text and its key go for good (P6.8): nothing is left to read."""
    imp.content_enc = ""
    keystore.destroy_key(imp.pk)


# --- Steps -------------------------------------------------------------------------------

def _reason(errors: dict[str, list[str]], labels: dict[str, str]) -> str:
    parts = []
    for key, messages in errors.items():
        label = labels.get(key) or labels.get(key.split(".", 1)[-1]) or key
        parts.append(_("%(field)s: %(message)s") % {"field": label,
                                                    "message": " ".join(messages)})
    return " ".join(parts)


def _labels(specs: list[FieldSpec]) -> dict[str, str]:
    labels = {std.key: str(std.label) for std in scope.STANDARD_FIELDS}
    labels.update({("answers." + s.key if s.custom else s.key): s.label for s in specs})
    labels["email"] = _("Email")
    labels[LANGUAGE_KEY] = _("Language")
    return labels


def create_import(event: Event, raw: bytes, *, actor: str, user_id: int | None = None,
                  language: str = "fr") -> Import:
    """Store an uploaded file, sealed, and check it now when it is small (else queue the
    check). Raises BadFile with a message to show when the file cannot be used."""
    if len(raw) > MAX_BYTES:
        raise BadFile(_("The file is larger than 20 MB: split it into several files."))
    text = decode(raw)
    delimiter = sniff_delimiter(text)
    rows = records(text, delimiter)
    header = next(rows, None)
    if header is None:
        raise BadFile(_("The file is empty."))
    specs = fields_for(event)
    map_header(header.cells, specs, event)  # refuse a file without a usable header now
    lines = [r.line for r in rows]
    if not lines:
        raise BadFile(_("The file has a header line but no registrant."))
    if len(lines) > MAX_RECORDS:
        raise BadFile(ngettext(
            "The file has more than %(n)d line: split it.",
            "The file has more than %(n)d lines: split it.", MAX_RECORDS) % {"n": MAX_RECORDS})
    with transaction.atomic():
        imp = Import(client_id=event.client_id, event=event, created_by_id=user_id,
                     language=language, delimiter=delimiter, line_numbers=lines,
                     total=len(lines), status=St.ANALYSING)
        _seal(imp, text)
        imp.save()
        record(actor, "registrations.import_uploaded", target=f"import:{imp.pk}",
               client_id=event.client_id, details={"event": str(event.pk),
                                                   "lines": len(lines)})
    if len(lines) <= INLINE_RECORDS:
        analyse(imp.pk)
        imp.refresh_from_db()
    else:
        from livesession.core.tasks import enqueue_on_commit
        from livesession.registrations.jobs import analyse_import

        with transaction.atomic():
            enqueue_on_commit(analyse_import, str(imp.pk))
    return imp


def analyse(import_id: Any) -> None:
    """Check every line without writing a registration: the preview's findings."""
    imp = Import.objects.select_related("event", "event__client").get(pk=import_id)
    if imp.status != St.ANALYSING:
        return
    with keystore.unit_of_work(), translation.override(imp.language):
        event = imp.event
        text = content(imp)
        if not text:
            return
        rows = records(text, imp.delimiter)
        header = next(rows)
        specs = fields_for(event)
        mapping = map_header(header.cells, specs, event)
        by_key = {s.key: s for s in specs if s.custom}
        labels = _labels(specs)
        registered = dict(Registration.objects.filter(event=event)
                          .values_list("email_index", "status"))
        seen: dict[str, int] = {}
        bad: list[list[Any]] = []
        fresh = already = duplicates = 0
        for count, row in enumerate(rows, start=1):
            outcome, reason, index = _check(event, row, mapping, by_key, labels, seen,
                                            registered, specs)
            if outcome == INVALID:
                bad.append([row.line, reason])
            elif outcome == DUPLICATE:
                duplicates += 1
                bad.append([row.line, reason])
            elif outcome == ALREADY:
                already += 1
            else:
                fresh += 1
            if index and outcome != INVALID:
                seen.setdefault(index, row.line)
            if count % 500 == 0:
                Import.objects.filter(pk=imp.pk).update(processed=count, updated_at=now())
        event.refresh_from_db(fields=["capacity", "seats_taken", "waitlist_enabled"])
        left = event.seats_left
        over = max(fresh - left, 0) if left is not None else 0
        imp.analysis = {
            "valid": fresh, "invalid": len(bad) - duplicates, "duplicates": duplicates,
            "already": already, "bad": bad, "ignored_columns": mapping.ignored,
            "seats_left": left, "over_capacity": over, "waitlist": event.waitlist_enabled,
        }
        imp.processed = 0
        imp.status = St.READY
        imp.save(update_fields=["analysis", "processed", "status", "updated_at"])


def _address_index(data: dict[str, Any]) -> str:
    address = crypto.normalize_email(str(data.get("email") or ""))
    return crypto.email_index(address) if address else ""


def _check(event: Event, row: Record, mapping: Mapping, by_key: dict[str, FieldSpec],
           labels: dict[str, str], seen: dict[str, int],
           registered: dict[str, str], specs: list[FieldSpec]) -> tuple[str, str, str]:
    """(outcome, reason, email index) of one line, without writing anything; the same
    order of checks as ``_import_one``. ``specs``: the event's fields, read once a run."""
    data, asked = submission(row.cells, mapping, by_key)
    index = _address_index(data)
    if index and index in seen:
        return DUPLICATE, _duplicate(seen[index]), index
    if index and index in registered:
        return ALREADY, _already(), index
    errors: dict[str, list[str]] = {}
    try:
        clean_submission(event, data, [], specs)
    except ValidationError as exc:
        errors = exc.message_dict
    if _language(asked) is None:
        errors[LANGUAGE_KEY] = [_("Write fr or en, or leave it empty.")]
    if errors:
        return INVALID, _reason(errors, labels), ""
    return IMPORTED, "", index


def _duplicate(line: int) -> str:
    return _("Same email as line %(n)d: imported once.") % {"n": line}


def _already() -> str:
    return _("Already registered to this event: not imported again.")


def preview(imp: Import) -> tuple[list[str], list[dict[str, Any]]]:
    """The columns read and the first lines as they will be imported, for the page. Read
    from the sealed text inside the page's unit of work; nothing is stored."""
    text = content(imp)
    if not text:
        return [], []
    rows = records(text, imp.delimiter)
    header = next(rows)
    specs = fields_for(imp.event)
    mapping = map_header(header.cells, specs, imp.event)
    labels = _labels(specs)
    by_key = {s.key: s for s in specs if s.custom}
    columns = [k for k in dict.fromkeys(mapping.keys) if k]
    out = []
    for row in rows:
        data, asked = submission(row.cells, mapping, by_key)
        values = []
        for key in columns:
            if key == LANGUAGE_KEY:
                value: Any = asked
            elif key.startswith("answers."):
                value = data["answers"].get(key.split(".", 1)[1], "")
            else:
                value = data.get(key, "")
            values.append(", ".join(value) if isinstance(value, list) else value)
        out.append({"line": row.line, "values": values})
        if len(out) >= PREVIEW_ROWS:
            break
    return [labels.get(k, k) for k in columns], out


@transaction.atomic
def confirm(imp: Import, basis: str, *, actor: str, user_id: int | None = None) -> bool:
    """Record the legal basis and queue the import. False when it was not waiting for a
    confirmation (already confirmed, or discarded)."""
    if basis not in ImportBasis.values:
        raise ValidationError({"basis": _("Choose the legal basis for processing these "
                                          "people's data.")})
    changed = Import.objects.filter(pk=imp.pk, status=St.READY).update(
        status=St.QUEUED, basis=basis, confirmed_by_id=user_id, confirmed_at=now(),
        updated_at=now())
    if not changed:
        return False
    record(actor, "registrations.import_confirmed", target=f"import:{imp.pk}",
           client_id=imp.client_id, details={"event": str(imp.event_id), "basis": basis,
                                             "lines": imp.total})
    from livesession.core.tasks import enqueue_on_commit
    from livesession.registrations.jobs import run_import

    enqueue_on_commit(run_import, str(imp.pk))
    return True


@transaction.atomic
def discard(imp: Import, *, actor: str) -> bool:
    row = Import.objects.select_for_update().get(pk=imp.pk)
    if row.status not in {St.ANALYSING, St.READY}:
        return False
    _forget(row)
    row.status = St.DISCARDED
    row.finished_at = now()
    row.save(update_fields=["content_enc", "status", "finished_at", "updated_at"])
    record(actor, "registrations.import_discarded", target=f"import:{row.pk}",
           client_id=row.client_id)
    return True


def run(import_id: Any, *, line_by_line: bool = False) -> None:
    """Import the lines, batch by batch, from where the last run stopped. Each batch is
    written by ``registrations.bulk``; ``line_by_line`` sends every line through
    ``services.register`` instead (the reference the bulk path is tested against, as
    slow as it was: bench S7)."""
    # A run claims the import; a second doorbell while it progresses finds nothing to do.
    # A run that stopped moving for STALLED_AFTER (its worker died) may be taken over.
    claimed = Import.objects.filter(
        Q(status=St.QUEUED) | Q(status=St.RUNNING, updated_at__lt=now() - STALLED_AFTER),
        pk=import_id).update(status=St.RUNNING, updated_at=now())
    if not claimed:
        return
    imp = Import.objects.select_related("event", "event__client").get(pk=import_id)
    actor = f"import:{imp.pk}"
    with keystore.unit_of_work(), translation.override(imp.language):
        event = imp.event
        text = content(imp)
        if not text:
            fail(imp, _("The file is no longer available: upload it again."))
            return
        rows = records(text, imp.delimiter)
        header = next(rows)
        specs = fields_for(event)
        mapping = map_header(header.cells, specs, event)
        by_key = {s.key: s for s in specs if s.custom}
        labels = _labels(specs)
        ctx = _bulk_context(event)
        seen: dict[str, int] = {}
        outcomes = list(imp.outcomes)
        reasons = dict(imp.reasons)
        batch: list[Record] = []
        for position, row in enumerate(rows):
            if position < imp.processed:
                # Done by an earlier run: only remember its address for duplicates.
                index = _address_index(submission(row.cells, mapping, by_key)[0])
                if index and outcomes[position] != INVALID:
                    seen.setdefault(index, row.line)
                continue
            batch.append(row)
            if len(batch) >= BATCH:
                _run_batch(imp, ctx, batch, mapping, by_key, labels, seen, outcomes,
                           reasons, actor, line_by_line)
                batch = []
        if batch:
            _run_batch(imp, ctx, batch, mapping, by_key, labels, seen, outcomes, reasons,
                       actor, line_by_line)
        counts = summary(imp)
        with transaction.atomic():
            _forget(imp)
            imp.status = St.DONE
            imp.finished_at = now()
            imp.save(update_fields=["content_enc", "status", "finished_at", "updated_at"])
            record(actor, "registrations.import_finished", target=f"import:{imp.pk}",
                   client_id=imp.client_id, details={"event": str(event.pk), **counts})


@dataclass
class BulkContext:
    """What the lines of one run share: the bulk writer's context, the consent purposes'
    keys, and the session choice (or its error) an import line gets (it names none)."""

    writer: bulk.Context
    purpose_keys: list[str]
    session_errors: dict[str, list[str]]
    specs: list[FieldSpec]  # the event's fields, read once a run, not once a line


def _bulk_context(event: Event) -> BulkContext:
    session_ids: list[int] = []
    errors: dict[str, list[str]] = {}
    try:
        session_ids = sessions.clean_choice(event, None)
    except ValidationError as exc:
        errors = exc.message_dict
    writer = bulk.context(event, session_ids)
    return BulkContext(writer=writer, purpose_keys=[p.key for p in writer.purposes],
                       session_errors=errors, specs=fields_for(event))


def _run_batch(imp: Import, ctx: BulkContext, batch: list[Record], mapping: Mapping,
               by_key: dict[str, FieldSpec], labels: dict[str, str], seen: dict[str, int],
               outcomes: list[str], reasons: dict[str, str], actor: str,
               line_by_line: bool) -> None:
    """One transaction: the batch's registrations and the progress that counts them
    commit together, or neither does (then the batch is replayed whole)."""
    event = ctx.writer.event
    with transaction.atomic():
        done: tuple[list[str], dict[str, str], dict[str, int]] | None = None
        if not line_by_line:
            try:
                with transaction.atomic():
                    done = _bulk_batch(ctx, batch, mapping, by_key, labels, seen, actor)
            except IntegrityError:
                # An address of the batch was registered meanwhile (another page, another
                # import): the batch is replayed line by line, each through register().
                done = None
        if done is None:
            done = [], {}, {}
            for row in batch:
                outcome, reason = _import_one(event, row, mapping, by_key, labels,
                                              {**seen, **done[2]}, done[2], actor)
                done[0].append(outcome)
                if reason:
                    done[1][str(row.line)] = reason
        new_outcomes, new_reasons, new_seen = done
        imp.processed += len(batch)
        imp.outcomes = "".join(outcomes + new_outcomes)
        imp.reasons = {**reasons, **new_reasons}
        imp.save(update_fields=["processed", "outcomes", "reasons", "updated_at"])
    outcomes.extend(new_outcomes)
    reasons.update(new_reasons)
    seen.update(new_seen)


def _bulk_batch(ctx: BulkContext, batch: list[Record], mapping: Mapping,
                by_key: dict[str, FieldSpec], labels: dict[str, str], seen: dict[str, int],
                actor: str) -> tuple[list[str], dict[str, str], dict[str, int]]:
    """Each line checked in the order of ``_import_one`` (repeated address, registered
    address, language, the form's rules), then the valid ones written together."""
    event = ctx.writer.event
    parsed = [(row, *submission(row.cells, mapping, by_key)) for row in batch]
    indexes = {_address_index(data) for _row, data, _asked in parsed} - {""}
    registered = set(Registration.objects.filter(event=event, email_index__in=indexes)
                     .values_list("email_index", flat=True))
    new_seen: dict[str, int] = {}
    letters: dict[int, tuple[str, str]] = {}
    ready: list[bulk.Ready] = []
    for row, data, asked in parsed:
        index = _address_index(data)
        if index and (index in seen or index in new_seen):
            letters[row.line] = (DUPLICATE, _duplicate(seen.get(index) or new_seen[index]))
            continue
        # Whatever its status: a person who cancelled or was denied is not put back.
        if index in registered:
            new_seen[index] = row.line
            letters[row.line] = (ALREADY, _already())
            continue
        language = _language(asked)
        if language is None:
            letters[row.line] = (INVALID, _reason(
                {LANGUAGE_KEY: [_("Write fr or en, or leave it empty.")]}, labels))
            continue
        cleaned, errors = _clean(ctx, data)
        if errors or cleaned is None:
            letters[row.line] = (INVALID, _reason(errors, labels))
            continue
        new_seen[index] = row.line
        ready.append(bulk.Ready(line=row.line, index=index, cleaned=cleaned,
                                language=language))
    for line in bulk.register_many(ctx.writer, ready, actor=actor):
        if line.status == RegistrationStatus.WAITLISTED:
            letters[line.line] = (WAITLISTED, _("The event is full: put on the waiting list."))
        elif line.status:
            letters[line.line] = (IMPORTED, "")
        else:
            letters[line.line] = (FULL, _("The event is full and has no waiting list."))
    new_outcomes = [letters[row.line][0] for row in batch]
    new_reasons = {str(row.line): letters[row.line][1] for row in batch
                   if letters[row.line][1]}
    return new_outcomes, new_reasons, new_seen


def _clean(ctx: BulkContext, data: dict[str, Any]) -> tuple[Cleaned | None,
                                                              dict[str, list[str]]]:
    """``services.clean_with_sessions`` with the purposes and the sessions read once."""
    errors: dict[str, list[str]] = {}
    cleaned: Cleaned | None = None
    try:
        cleaned = clean_submission(ctx.writer.event, data, ctx.purpose_keys, ctx.specs)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    errors.update(ctx.session_errors)
    return cleaned, errors


def _import_one(event: Event, row: Record, mapping: Mapping, by_key: dict[str, FieldSpec],
                labels: dict[str, str], seen: dict[str, int], new_seen: dict[str, int],
                actor: str) -> tuple[str, str]:
    data, asked = submission(row.cells, mapping, by_key)
    index = _address_index(data)
    if index and index in seen:
        return DUPLICATE, _duplicate(seen[index])
    # Whatever its status: a person who cancelled or was denied is not put back.
    if index and Registration.objects.filter(event=event, email_index=index).exists():
        new_seen[index] = row.line
        return ALREADY, _already()
    language = _language(asked)
    if language is None:
        return INVALID, _reason({LANGUAGE_KEY: [_("Write fr or en, or leave it empty.")]},
                                labels)
    try:
        done = services.register(event, data, language=language, channel="import",
                                 actor=actor)
    except ValidationError as exc:
        return INVALID, _reason(exc.message_dict, labels)
    except services.AlreadyRegistered:
        new_seen[index] = row.line
        return ALREADY, _already()
    except services.EventFull:
        new_seen[index] = row.line
        return FULL, _("The event is full and has no waiting list.")
    new_seen[index] = row.line
    if done.registration.status == RegistrationStatus.WAITLISTED:
        return WAITLISTED, _("The event is full: put on the waiting list.")
    return IMPORTED, ""


def fail(imp: Import, message: str) -> None:
    with transaction.atomic():
        _forget(imp)
        imp.status = St.FAILED
        imp.error = message[:200]
        imp.finished_at = now()
        imp.save(update_fields=["content_enc", "status", "error", "finished_at",
                                "updated_at"])
        record("system", "registrations.import_failed", target=f"import:{imp.pk}",
               client_id=imp.client_id)


def summary(imp: Import) -> dict[str, int]:
    counts = dict.fromkeys(OUTCOMES, 0)
    for letter in imp.outcomes:
        counts[letter] = counts.get(letter, 0) + 1
    return {"processed": imp.processed, "total": imp.total, "imported": counts[IMPORTED],
            "waitlisted": counts[WAITLISTED], "already": counts[ALREADY],
            "duplicates": counts[DUPLICATE], "invalid": counts[INVALID],
            "full": counts[FULL]}


def report_rows(imp: Import) -> Iterator[tuple[int, str, str]]:
    """(line, outcome, reason) for every line: what happened, or, before the import, what
    the check found. No value of the file appears."""
    if imp.outcomes:
        for line, letter in zip(imp.line_numbers, imp.outcomes, strict=False):
            yield line, str(OUTCOMES[letter]), imp.reasons.get(str(line), "")
        for line in imp.line_numbers[len(imp.outcomes):]:
            yield line, _("not processed yet"), ""
        return
    bad = {int(line): reason for line, reason in imp.analysis.get("bad", [])}
    for line in imp.line_numbers:
        if line in bad:
            yield line, _("will not be imported"), bad[line]
        else:
            yield line, _("ready to import"), ""


# --- Housekeeping --------------------------------------------------------------------------

def sweep() -> tuple[list[str], list[str]]:
    """Ids of imports to check or run again (their doorbell was lost, or their worker
    died), after discarding the unconfirmed ones older than a day (their file goes)."""
    moment = now()
    for stale in Import.objects.filter(status__in=[St.ANALYSING, St.READY],
                                       created_at__lt=moment - UNCONFIRMED_FOR):
        discard(stale, actor="system")
    stalled = Import.objects.filter(updated_at__lt=moment - STALLED_AFTER)
    to_check = [str(pk) for pk in stalled.filter(status=St.ANALYSING)
                .values_list("pk", flat=True)]
    to_run = [str(pk) for pk in stalled.filter(status__in=[St.QUEUED, St.RUNNING])
              .values_list("pk", flat=True)]
    return to_check, to_run
