"""Erasure that reaches every store (issue 5 §5, P4.3, P6.8), driven by the registry.

Nothing here lists models by hand: every declaration in ``protection.registry`` says, field
by field, how erasure treats it (``Erase``), and how a row reaches its person
(``subject_path``, or a ``subject`` foreign key: ``subject_rows.subject_lookup``,
the path finder export uses too). For a set of subject ids:

* a model with any ``DELETE_ROW`` field loses the person's rows (with their cascades);
* ``CLEAR`` fields of rows that stay are blanked (a foreign key to the person's account or
  registration by its own path, so "created by" columns of staff are cleared too);
* ``SHRED`` fields of rows that stay are blanked, and the person's data key is destroyed,
  so every copy of their ciphertext, backups included, is unreadable;
* ``KEEP_PSEUDONYMOUS`` fields stay: keyed hashes and ids that link to nothing any more
  (the subject's own keyed hash is replaced by ``shred_subject``).

Beyond the tables: clear-text file copies of the person's emails (``EMAIL_FILE_PATH``) are
deleted, signed-in sessions end, and the erasure is appended to the journal (outside the
main database, fsync) *before* the work starts, so a crash half-way or a restore of an older
backup is followed by ``purge_subject`` for the same id. Task payloads carry ids only
(messaging.jobs, registrations.jobs), the cache holds no personal value (counters keyed by
account id), and logs are redacted (core/logging.py): nothing to purge there.

The audit trail is kept: its entries name people by ids (``account:12``,
``registration:<uuid>``, ``subject:<uuid>``) that link to nothing once the rows are gone,
so the chain stays verifiable without any redaction (see docs/erasure.md).
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import router, transaction
from django.db.models import Model, ProtectedError

from livesession.audit.services import record
from livesession.protection import crypto, journal, keystore, subject_rows
from livesession.protection.models import Subject
from livesession.protection.registry import (
    UNLINKED,
    Erase,
    all_declarations,
)
from livesession.protection.services import shred_subject

CLIENT = "client"
EVERYWHERE = "everywhere"


class NoPath(LookupError):
    """A model holds personal data but erasure cannot find whose (registry incomplete)."""


@dataclass
class Receipt:
    """What erasure did, as counts per category: never a value (for the person's receipt
    and the audit trail)."""

    subjects: list[str] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)

    @property
    def nothing_done(self) -> bool:
        return not any(self.counts.values())

    def as_dict(self) -> dict[str, int]:
        return {key: value for key, value in sorted(self.counts.items()) if value}


# --- Paths from a row to its person ------------------------------------------------------

# One path finder for export and erasure: ``protection.subject_rows`` owns it.
_fk_path = subject_rows.fk_subject_lookup
subject_path = subject_rows.subject_lookup


def missing_paths() -> list[str]:
    """Models whose personal fields erasure could not reach: the registry test fails on
    any (a new model must say how its rows reach their person, or that they cannot)."""
    missing = []
    for label, decl in sorted(all_declarations().items()):
        model = apps.get_model(label)
        acted = {name: item for name, item in decl.personal.items()
                 if item.erase != Erase.KEEP_PSEUDONYMOUS}
        if not acted or decl.subject_path == UNLINKED:
            continue
        if subject_path(model, decl) is not None:
            continue
        if all(item.erase == Erase.CLEAR and _fk_path(model, name) for name, item in
               acted.items()):
            continue
        missing.append(label)
    return missing


# --- The sweep over the registry ---------------------------------------------------------

def _blank(model: type[Model], name: str) -> Any:
    field_obj = model._meta.get_field(name)
    return None if field_obj.null else ""


def _outbox_ids(ids: list[uuid.UUID]) -> list[int]:
    outbox = apps.get_model("messaging", "OutboxMessage")
    return list(outbox.objects.filter(subject_id__in=ids).values_list("pk", flat=True)) + list(
        outbox.objects.filter(registration__subject_id__in=ids).exclude(subject_id__in=ids)
        .values_list("pk", flat=True))


def _free_places(ids: list[uuid.UUID]) -> list[Any]:
    """Registrations about to vanish give their places back (capacity counters), like a
    cancellation but without mailing the erased person. Returns the events touched."""
    from livesession.registrations import capacity, sessions
    from livesession.registrations.models import ACTIVE, HOLDS_SEAT, Registration

    events = []
    for row in Registration.objects.filter(subject_id__in=ids, status__in=ACTIVE):
        sessions.release_all(row)
        if row.status in HOLDS_SEAT:
            capacity.release_seat(row.event_id)
            events.append(row.event_id)
    return events


def _sweep(ids: list[uuid.UUID], counts: Counter[str]) -> set[str]:
    """Apply every declaration to the rows of these subjects. Returns the tables touched."""
    touched: set[str] = set()
    declarations = all_declarations()
    # Rows first (their cascades remove dependent rows), then columns of rows that stay.
    for label, decl in sorted(declarations.items()):
        model = apps.get_model(label)
        path = subject_path(model, decl)
        modes = {item.erase for item in decl.personal.values()}
        if path is None or Erase.DELETE_ROW not in modes or model is Subject:
            continue
        db = router.db_for_write(model)
        _deleted, per_model = model._default_manager.using(db).filter(
            **{f"{path}__in": ids}).delete()
        for name, number in per_model.items():
            counts[name] += number
            if number:
                touched.add(apps.get_model(name)._meta.db_table)
    for label, decl in sorted(declarations.items()):
        model = apps.get_model(label)
        path = subject_path(model, decl)
        db = router.db_for_write(model)
        for name, item in sorted(decl.personal.items()):
            if item.erase not in (Erase.CLEAR, Erase.SHRED) or model is Subject:
                continue
            field_path = _fk_path(model, name) if item.erase == Erase.CLEAR else None
            lookup = field_path or path
            if lookup is None:
                continue
            column = model._meta.get_field(name).attname
            rows = model._default_manager.using(db).filter(**{f"{lookup}__in": ids})
            blank = _blank(model, name)
            rows = rows.exclude(**{column: blank}) if blank is not None else rows.exclude(
                **{f"{column}__isnull": True})
            changed = rows.update(**{column: blank})
            if changed:
                counts[f"{label}.{name}"] += changed
                touched.add(model._meta.db_table)
    return touched


def _vacuum(tables: set[str]) -> None:
    """PostgreSQL keeps deleted rows as dead tuples until VACUUM. VACUUM cannot run in a
    transaction and can be slow, so it is a background job (``protection.jobs``), rung once
    the erasure's transaction has committed (at once when there is none around it); the
    job carries table names only. SQLite overwrites freed pages itself (``PRAGMA
    secure_delete``, config/settings.py) and the job does nothing there."""
    from livesession.core.tasks import enqueue_on_commit
    from livesession.protection.jobs import vacuum_tables

    enqueue_on_commit(vacuum_tables, sorted(tables))


def _drop_husk(subject_id: uuid.UUID) -> None:
    """The shredded subject row goes too, unless pseudonymous evidence still points at it
    (a consent record, kept as proof under ``KEEP_PSEUDONYMOUS``): then the husk stays,
    with its keyed hash replaced, linking those rows to nobody."""
    try:
        with transaction.atomic():
            Subject.objects.filter(pk=subject_id).delete()
    except ProtectedError:
        pass


def _end_sessions(ids: list[uuid.UUID]) -> int:
    """Signed-in sessions of the accounts among these subjects end now (their Django
    session rows are deleted, so the cookies sign nobody in)."""
    from livesession.accounts.models import User
    from livesession.accounts.services import revoke_sessions

    ended = 0
    for user in User.objects.filter(subject_id__in=ids):
        ended += revoke_sessions(user, actor="system")
    return ended


def _run(ids: list[uuid.UUID], *, actor: str, scope: str, journal_it: bool,
         action: str) -> Receipt:
    receipt = Receipt(subjects=[str(sid) for sid in ids])
    subjects = {row.pk: row for row in Subject.objects.filter(pk__in=ids)}
    if journal_it:
        for sid in ids:
            row = subjects.get(sid)
            if row is not None and row.shredded_at is None:
                # Before any work: a crash half-way is finished by the next restore/replay.
                journal.append(sid, row.controller, scope)
    outbox_ids = _outbox_ids(ids)
    with transaction.atomic():
        receipt.counts["sessions"] += _end_sessions(ids)
        for sid in ids:
            # First, so that no later step can read the person's values any more.
            if keystore.destroy_key(sid):
                receipt.counts["keys"] += 1
        events = _free_places(ids)
        touched = _sweep(ids, receipt.counts)
        for sid in ids:
            row = subjects.get(sid)
            if row is not None and row.shredded_at is None:
                receipt.counts["subjects"] += 1
                shred_subject(row)
            _drop_husk(sid)
        if events:
            from livesession.events.models import Event
            from livesession.registrations.services import promote_waitlist

            for event in Event.objects.filter(pk__in=events):
                promote_waitlist(event)
        if not receipt.nothing_done:
            for sid in ids:
                row = subjects.get(sid)
                record(actor, action, target=f"subject:{sid}",
                       client_id=row.client_id if row is not None else None,
                       details={"scope": scope, "counts": receipt.as_dict()})
    from livesession.messaging.delivery import delete_file_copies

    receipt.counts["files"] += delete_file_copies(outbox_ids)
    _vacuum(touched | {Subject._meta.db_table})
    return receipt


def erase_person(subject: Subject, *, actor: str, scope: str = CLIENT) -> Receipt:
    """Erase one person for one controller: a client's participant (every registration,
    answer, consent link, attendance, access link, message, unsubscription… at that client)
    or, for the operator's subject, the platform account. Idempotent: erasing an erased
    person does nothing and raises nothing."""
    return _run([subject.pk], actor=actor, scope=scope, journal_it=True,
                action="person.erased")


def subjects_for_address(email: str) -> list[Subject]:
    """Every subject with that address, at every controller."""
    index = crypto.email_index(crypto.normalize_email(email))
    return list(Subject.objects.filter(email_index=index))


def subjects_of_account(user: Any) -> list[Subject]:
    """The account's own subject, the subjects of the registrations it holds, and every
    subject with its address at any client."""
    from livesession.accounts.models import AccountLink

    ids = {user.subject_id}
    ids |= set(AccountLink.objects.filter(account=user)
               .values_list("registration__subject_id", flat=True))
    ids |= set(Subject.objects.filter(email_index=user.email_index).values_list("pk", flat=True))
    return list(Subject.objects.filter(pk__in=ids))


def subjects_at_client(user: Any, client_id: int) -> list[Subject]:
    """The account holder's subjects at one client (by address and by linked registration)."""
    return [row for row in subjects_of_account(user) if row.client_id == client_id]


def erase_at_client(user: Any, client_id: int, *, actor: str) -> Receipt:
    """"Delete my data at this organizer" (personal space): the account stays."""
    ids = [row.pk for row in subjects_at_client(user, client_id)]
    return _run(ids, actor=actor, scope=CLIENT, journal_it=True, action="person.erased")


def erase_everywhere(person: Any, *, actor: str) -> Receipt:
    """The platform account and every client's data about that address (``person`` is an
    email address or an account)."""
    if isinstance(person, str):
        from livesession.accounts.models import User

        user = User.objects.filter(
            email_index=crypto.email_index(crypto.normalize_email(person))).first()
        subjects = {row.pk: row for row in subjects_for_address(person)}
        if user is not None:
            subjects.update({row.pk: row for row in subjects_of_account(user)})
        ids = list(subjects)
    else:
        ids = [row.pk for row in subjects_of_account(person)]
    return _run(ids, actor=actor, scope=EVERYWHERE, journal_it=True, action="person.erased")


def purge_subject(subject_id: uuid.UUID | str) -> Receipt:
    """Erase again a subject listed in the erasure journal, after a restore (issue 5 §6).
    Works whether the subject row came back with an old backup or is absent; idempotent.
    Not journalled again: the entry being replayed is the journal."""
    sid = subject_id if isinstance(subject_id, uuid.UUID) else uuid.UUID(str(subject_id))
    return _run([sid], actor="system", scope="replay", journal_it=False,
                action="person.purged")
