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
from django.db import connections, router, transaction
from django.db.models import Model, ProtectedError, Q

from livesession.audit.services import record
from livesession.protection import crypto, deletion, journal, keystore, subject_rows
from livesession.protection.models import Subject
from livesession.protection.registry import (
    UNLINKED,
    Erase,
    all_declarations,
)
from livesession.protection.services import mark_shredded, shred_subject

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


# --- The plan: what erasure may touch, in which order --------------------------------------
#
# Found once per registry state (``all_declarations``) from the declarations and the
# models' relations: the models whose rows go (``DELETE_ROW``), in dependency order
# (children first, ``protection.deletion``), what points at each of them, the columns
# blanked on rows that stay, and the subject row itself (the husk). For one run, one
# statement (``_discover``) asks which of these have rows for the subjects; only those are
# touched. Where nothing depends on the rows (no receiver, every pointing relation handled
# before), they go with one plain DELETE instead of Django's collector.

@dataclass(frozen=True)
class Link:
    """A relation pointing at a step's rows: ``lookup`` reaches the subject through it."""

    relation: deletion.Relation
    lookup: str
    covered: bool  # an earlier step deletes these rows by this very lookup

    @property
    def key(self) -> tuple[str, str]:
        return (self.relation.model._meta.label, self.lookup)


@dataclass(frozen=True)
class Step:
    """One model whose rows of the subjects are deleted."""

    model: type[Model]
    lookup: str
    links: tuple[Link, ...]
    plain: bool  # the collector is not needed by the model's definition (receivers: at run)

    @property
    def key(self) -> tuple[str, str]:
        return (self.model._meta.label, self.lookup)


@dataclass(frozen=True)
class Clear:
    """One CLEAR or SHRED column blanked on the subjects' rows that stay."""

    model: type[Model]
    name: str
    lookup: str

    @property
    def key(self) -> tuple[str, str, str]:
        """One probe for all the columns of a model reached by the same lookup: the rows
        exist or not (each column's UPDATE then skips rows already blank)."""
        return ("clear", self.model._meta.label, self.lookup)

    def rows(self, ids: list[uuid.UUID]) -> Any:
        column = _column(self.model, self.name)
        blank = _blank(self.model, self.name)
        rows = self.model._default_manager.filter(**{f"{self.lookup}__in": ids})
        return (rows.exclude(**{column: blank}) if blank is not None
                else rows.exclude(**{f"{column}__isnull": True}))


@dataclass(frozen=True)
class Plan:
    steps: tuple[Step, ...]
    clears: tuple[Clear, ...]
    husk: Step  # the Subject row: PROTECT links keep it as a husk instead of failing
    collector_only: tuple[str, ...]  # models in a dependency cycle (none today)


def _column(model: type[Model], name: str) -> str:
    field_obj: Any = model._meta.get_field(name)
    return str(field_obj.attname)


def _blank(model: type[Model], name: str) -> Any:
    field_obj = model._meta.get_field(name)
    return None if field_obj.null else ""


def _through(lookup: str, relation: deletion.Relation) -> str:
    """The lookup from ``relation.model`` to the subject through the relation's field."""
    return relation.field if lookup == "pk" else f"{relation.field}__{lookup}"


def _links(model: type[Model], lookup: str, done: dict[type[Model], str]) -> tuple[Link, ...]:
    out = []
    for relation in deletion.incoming(model):
        through = _through(lookup, relation)
        out.append(Link(relation=relation, lookup=through,
                        covered=done.get(relation.model) == through))
    return tuple(out)


def _build_plan() -> Plan:
    declarations = all_declarations()
    lookups: dict[type[Model], str] = {}
    for label, decl in sorted(declarations.items()):
        model = apps.get_model(label)
        path = subject_path(model, decl)
        modes = {item.erase for item in decl.personal.values()}
        if path is None or Erase.DELETE_ROW not in modes or model is Subject:
            continue
        if router.db_for_write(model) != "default":
            continue  # the keystore: keys are destroyed by keystore.destroy_keys
        lookups[model] = path
    # A step's lookup joins through other models: those must still be there.
    after = {model: set(deletion.lookup_models(model, path)) for model, path in lookups.items()}
    ordered, cyclic = deletion.dependency_order(sorted(lookups, key=lambda m: m._meta.label),
                                                after)
    done: dict[type[Model], str] = {}
    steps = []
    for model in [*ordered, *cyclic]:
        path = lookups[model]
        links = _links(model, path, done)
        plain = (model not in cyclic and deletion.structural_reason(model) is None
                 and all(link.covered or link.relation.on_delete in (deletion.CASCADE,
                                                                       deletion.SET_NULL)
                         for link in links))
        steps.append(Step(model=model, lookup=path, links=links, plain=plain))
        done[model] = path
    clears = []
    for label, decl in sorted(declarations.items()):
        model = apps.get_model(label)
        if model is Subject or router.db_for_write(model) != "default":
            continue
        path = subject_path(model, decl)
        for name, item in sorted(decl.personal.items()):
            if item.erase not in (Erase.CLEAR, Erase.SHRED):
                continue
            lookup = (_fk_path(model, name) if item.erase == Erase.CLEAR else None) or path
            if lookup is None or lookups.get(model) == lookup:
                continue  # no path, or the row itself is deleted by this lookup
            clears.append(Clear(model=model, name=name, lookup=lookup))
    husk_links = _links(Subject, "pk", done)
    husk = Step(model=Subject, lookup="pk", links=husk_links,
                plain=deletion.structural_reason(Subject) is None)
    return Plan(steps=tuple(steps), clears=tuple(clears), husk=husk,
                collector_only=tuple(m._meta.label for m in cyclic))


_plans: dict[tuple[tuple[str, int], ...], Plan] = {}


def plan() -> Plan:
    """The plan for the registry as it stands (rebuilt when a declaration changes)."""
    signature = tuple((label, id(decl)) for label, decl in sorted(all_declarations().items()))
    found = _plans.get(signature)
    if found is None:
        _plans.clear()
        found = _plans[signature] = _build_plan()
    return found


# --- Which of the plan's tables hold rows of these subjects ------------------------------

def _link_rows(the_plan: Plan, link: Link, ids: list[uuid.UUID]) -> Any:
    """Rows of ``link``'s model pointing at the subjects' rows through it, less those its
    own step deletes first (a child's step always runs before its parent's): a person's
    access link found by ``registration__subject`` is gone with ``subject`` already."""
    rows = link.relation.model._default_manager.filter(**{f"{link.lookup}__in": ids})
    own = next((step.lookup for step in the_plan.steps
                if step.model is link.relation.model), None)
    if own is not None and own != link.lookup and (
            link.relation.model._meta.label not in the_plan.collector_only):
        rows = rows.exclude(**{f"{own}__in": ids})
    return rows


def _probes(the_plan: Plan, ids: list[uuid.UUID]) -> dict[Any, Any]:
    probes: dict[Any, Any] = {}
    for step in (*the_plan.steps, the_plan.husk):
        if step is not the_plan.husk:
            probes[step.key] = step.model._default_manager.filter(**{f"{step.lookup}__in": ids})
        for link in step.links:
            if not link.covered:
                probes.setdefault(link.key, _link_rows(the_plan, link, ids))
    for clear in the_plan.clears:
        probes.setdefault(clear.key, clear.model._default_manager.filter(
            **{f"{clear.lookup}__in": ids}))
    return probes


# Bound on the parameters of one discovery statement (SQLite's limit is 32,766).
MAX_PARAMS = 8_000


@dataclass(frozen=True)
class _Statement:
    sql: str
    params: tuple[Any, ...]  # an int k stands for the k-th subject id, prepared
    keys: tuple[Any, ...]  # the probe of each selected index


_statements: dict[tuple[int, str, int], list[_Statement]] = {}


def _statements_for(the_plan: Plan, alias: str, count: int) -> list[_Statement]:
    """The discovery statements for ``count`` subject ids, compiled once (compiling some
    fifty querysets costs more than running them): ``count`` sentinel ids go through the
    ORM, and their prepared values are remembered as positions in the parameters."""
    cache_key = (id(the_plan), alias, count)
    cached = _statements.get(cache_key)
    if cached is not None:
        return cached
    connection = connections[alias]
    sentinels = [uuid.UUID(int=(0xE5A5E << 100) + k) for k in range(count)]
    position = {_prepared(sid, connection): k for k, sid in enumerate(sentinels)}
    built: list[_Statement] = []
    parts: list[str] = []
    params: list[Any] = []
    keys: list[Any] = []

    def flush() -> None:
        if parts:
            built.append(_Statement(sql=" UNION ALL ".join(parts), params=tuple(params),
                                    keys=tuple(keys)))
        parts.clear()
        params.clear()
        keys.clear()

    for key, queryset in _probes(the_plan, sentinels).items():
        inner, inner_params = queryset.order_by().values("pk").query.get_compiler(
            connection=connection).as_sql()
        if params and len(params) + len(inner_params) > MAX_PARAMS:
            flush()
        parts.append(f"SELECT {len(keys)} WHERE EXISTS ({inner})")
        for value in inner_params:
            # Sentinels are UUIDs, never equal to a constant of a probe ('' or None).
            params.append(position[value] if _hashable(value) and value in position
                          else _Constant(value))
        keys.append(key)
    flush()
    if len(_statements) > 64:
        _statements.clear()
    _statements[cache_key] = built
    return built


def _prepared(sid: uuid.UUID, connection: Any) -> Any:
    """A subject id as the database adapter receives it (what ``subject__in`` compiles to)."""
    return Subject._meta.get_field("id").get_db_prep_value(sid, connection)


@dataclass(frozen=True)
class _Constant:
    value: Any


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _discover(the_plan: Plan, ids: list[uuid.UUID]) -> set[Any]:
    """The probes that have rows, in one statement (``SELECT k WHERE EXISTS (...) UNION
    ALL ...``) instead of one per table: most people have rows in a handful of tables."""
    found: set[Any] = set()
    if not ids:
        return found
    alias = "default"
    connection = connections[alias]
    prepared = [_prepared(sid, connection) for sid in ids]
    with connection.cursor() as cursor:
        for statement in _statements_for(the_plan, alias, len(ids)):
            cursor.execute(statement.sql, [prepared[p] if isinstance(p, int) else p.value
                                           for p in statement.params])
            for (index,) in cursor.fetchall():
                found.add(statement.keys[int(index)])
    return found


# --- The sweep -----------------------------------------------------------------------------

def _outbox_ids(ids: list[uuid.UUID]) -> list[int]:
    """The person's messages and the messages about their registrations (their clear-text
    file copies are deleted after the commit)."""
    outbox = apps.get_model("messaging", "OutboxMessage")
    return list(outbox.objects.filter(Q(subject_id__in=ids) | Q(registration__subject_id__in=ids))
                .values_list("pk", flat=True).distinct())


def _free_places(ids: list[uuid.UUID]) -> list[Any]:
    """Registrations about to vanish give their places back (capacity counters), like a
    cancellation but without mailing the erased person. Returns the events touched."""
    from livesession.registrations import capacity, sessions
    from livesession.registrations.models import ACTIVE, HOLDS_SEAT, Registration

    rows = list(Registration.objects.filter(subject_id__in=ids, status__in=ACTIVE)
                .values_list("pk", "event_id", "status"))
    if rows:
        # Session places in a few statements, not three or four per place (issue 9, S6).
        sessions.release_many([pk for pk, _event, _status in rows])
    events = []
    for _pk, event_id, status in rows:
        if status in HOLDS_SEAT:
            capacity.release_seat(event_id)
            events.append(event_id)
    return events


def _count(counts: Counter[str], touched: set[str], per_model: dict[str, int]) -> None:
    for name, number in per_model.items():
        counts[name] += number
        if number:
            touched.add(apps.get_model(name)._meta.db_table)


def _unlink(link: Link, ids: list[uuid.UUID], counts: Counter[str], touched: set[str]) -> None:
    """Rows of another model pointing at rows about to go, that no earlier step removed:
    what the collector would do for that relation (only CASCADE and SET_NULL reach here)."""
    rows = _link_rows(plan(), link, ids)
    if link.relation.on_delete is deletion.CASCADE:
        _n, per_model = rows.delete()
        _count(counts, touched, per_model)
    elif link.relation.on_delete is deletion.SET_NULL and rows.update(
            **{link.relation.field: None}):
        touched.add(link.relation.model._meta.db_table)


def _delete_step(step: Step, ids: list[uuid.UUID], found: set[Any], counts: Counter[str],
                 touched: set[str], *, thorough: bool) -> None:
    rows = step.model._default_manager.filter(**{f"{step.lookup}__in": ids})
    if thorough or not step.plain or deletion.has_receivers(step.model):
        _n, per_model = rows.delete()  # the collector follows every relation itself
        _count(counts, touched, per_model)
        return
    for link in step.links:
        if not link.covered and link.key in found:
            _unlink(link, ids, counts, touched)
    _count(counts, touched, {step.model._meta.label: deletion.raw_delete(rows)})


def _sweep(ids: list[uuid.UUID], counts: Counter[str], found: set[Any] | None = None, *,
           thorough: bool = False) -> set[str]:
    """Apply every declaration to the rows of these subjects. Returns the tables touched.
    ``found`` (from ``_discover``) limits the work to tables with rows; ``thorough`` runs
    every statement through Django's collector (the reference the plain path is tested
    against)."""
    the_plan = plan()
    touched: set[str] = set()
    # Rows first (children before parents), then columns of rows that stay.
    for step in the_plan.steps:
        if thorough or found is None or step.key in found:
            _delete_step(step, ids, found or set(), counts, touched, thorough=thorough)
    for clear in the_plan.clears:
        if not thorough and found is not None and clear.key not in found:
            continue
        column = _column(clear.model, clear.name)
        changed = clear.rows(ids).update(**{column: _blank(clear.model, clear.name)})
        if changed:
            counts[f"{clear.model._meta.label}.{clear.name}"] += changed
            touched.add(clear.model._meta.db_table)
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


def _shred(subjects: list[Subject]) -> None:
    """What ``services.shred_subject`` does, for rows the sweep already emptied: the key is
    destroyed (``keystore.destroy_keys``) and the search tokens went with the sweep
    (``registrations.SearchToken`` is ``DELETE_ROW``), so only the subject row changes: its
    keyed hash is replaced, so nothing links the husk to the address any more."""
    for row in subjects:
        mark_shredded(row.pk)


def _husks(ids: list[uuid.UUID], live: list[Subject], found: set[Any], counts: Counter[str],
           touched: set[str], *, thorough: bool) -> None:
    """Shred the live subjects, then delete every subject row that no kept row protects
    (a ``PROTECT`` relation not emptied by the sweep: consent records)."""
    husk = plan().husk
    counts["subjects"] += len(live)
    if thorough or not husk.plain or deletion.has_receivers(Subject):
        for row in live:
            shred_subject(row)
        for sid in ids:
            _drop_husk(sid)
        return
    protecting = [link for link in husk.links if not link.covered
                  and link.relation.on_delete not in (deletion.CASCADE, deletion.SET_NULL)]
    if any(link.key in found for link in protecting):
        _shred(live)  # some husks stay: their keyed hash must not link to the address
    rows = Subject.objects.filter(pk__in=ids)
    for link in protecting:
        if link.key in found:
            rows = rows.exclude(pk__in=link.relation.model._default_manager.filter(
                **{f"{link.relation.field}__in": ids}).values(link.relation.field))
    for link in husk.links:
        if not link.covered and link not in protecting and link.key in found:
            _unlink(link, ids, counts, touched)
    deletion.raw_delete(rows)


def _end_sessions(ids: list[uuid.UUID]) -> int:
    """Signed-in sessions of the accounts among these subjects end now (their Django
    session rows are deleted, so the cookies sign nobody in)."""
    from livesession.accounts.models import User
    from livesession.accounts.services import revoke_sessions

    ended = 0
    for user in User.objects.filter(subject_id__in=ids):
        ended += revoke_sessions(user, actor="system")
    return ended


def _has(found: set[Any], label: str) -> bool:
    return any(key[0] == label for key in found)


def _run(ids: list[uuid.UUID], *, actor: str, scope: str, journal_it: bool,
         action: str, thorough: bool = False) -> Receipt:
    receipt = Receipt(subjects=[str(sid) for sid in ids])
    subjects = {row.pk: row for row in Subject.objects.filter(pk__in=ids)}
    live = [subjects[sid] for sid in dict.fromkeys(ids)
            if sid in subjects and subjects[sid].shredded_at is None]
    if journal_it and live:
        # Before any work: a crash half-way is finished by the next restore/replay.
        journal.append_many([(row.pk, row.controller) for row in live], scope)
    outbox_ids: list[int] = []
    with transaction.atomic():
        the_plan = plan()
        found = set() if thorough else _discover(the_plan, ids)
        if thorough or _has(found, "accounts.User"):
            receipt.counts["sessions"] += _end_sessions(ids)
        # Before any row changes, so that no later step can read the person's values.
        receipt.counts["keys"] += keystore.destroy_keys(ids)
        if thorough or _has(found, "messaging.OutboxMessage"):
            outbox_ids = _outbox_ids(ids)
        events = _free_places(ids) if thorough or _has(
            found, "registrations.Registration") else []
        touched = _sweep(ids, receipt.counts, None if thorough else found, thorough=thorough)
        _husks(ids, live, found, receipt.counts, touched, thorough=thorough)
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
