"""The join path's one query, written out once per process (issue 9, S1).

``GET /j/<token>/`` reads the live link's registration with its event and its subject, and
whether the event has sessions. Built with the ORM on every request, compiling that
4-table query (select_related, an ``Exists`` annotation, ordering) cost about 70 % of the
join's CPU, more than running it (bench/README.md, "Join (S1), profile"). Here the same
statement is composed once per database alias from the models' own metadata (tables,
columns, quoting of the backend), and each row goes through the same converters Django
applies (``from_db_value`` of every field, the backend's own: UUIDs and datetimes on
SQLite, JSON), then ``Model.from_db``: the instances are those the ORM would build.
``tests/access/test_join_query.py`` compares both, field by field, on every backend; a
column added to one of the models is picked up at the next start.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connections, router
from django.db.models import Model

from livesession.access.models import AccessLink
from livesession.events.models import Event, Session
from livesession.protection.models import Subject
from livesession.registrations.models import Registration

# (model, table alias): the order of the columns in the statement.
_PARTS: tuple[tuple[type[Model], str], ...] = ((Registration, "r"), (Event, "e"),
                                               (Subject, "s"))

Converter = Callable[[Any, Any, Any], Any]


@dataclass(frozen=True)
class _Part:
    model: type[Model]
    names: list[str]                      # attnames, in the order of the columns
    converters: list[tuple[Any, list[Converter]]]  # (expression, converters) per column


@dataclass(frozen=True)
class _Statement:
    sql: str
    parts: list[_Part]


_built: dict[str, _Statement] = {}


def _part(model: type[Model], alias: str, connection: Any) -> tuple[_Part, list[str]]:
    quote = connection.ops.quote_name
    fields = list(model._meta.concrete_fields)
    columns = [f"{alias}.{quote(f.column)}" for f in fields]
    converters = []
    for f in fields:
        expression = f.get_col(alias)
        # The compiler's order (SQLCompiler.get_converters): the backend's, then the field's.
        found = (connection.ops.get_db_converters(expression)
                 + expression.get_db_converters(connection))
        converters.append((expression, found))
    return _Part(model, [f.attname for f in fields], converters), columns


def _build(alias: str) -> _Statement:
    connection = connections[alias]
    quote = connection.ops.quote_name
    parts, columns = [], []
    for model, table_alias in _PARTS:
        part, cols = _part(model, table_alias, connection)
        parts.append(part)
        columns += cols

    def table(model: type[Model]) -> str:
        return quote(model._meta.db_table)

    def col(model: type[Model], name: str | None = None) -> str:
        """The quoted column of a field (the primary key's when no name is given)."""
        field = model._meta.pk if name is None else model._meta.get_field(name)
        column = getattr(field, "column", None)
        if not column:
            raise LookupError(f"{model.__name__}.{name or 'pk'} has no column")
        return str(quote(column))

    link, session = AccessLink, Session
    # Identifiers only, from the models' metadata and quoted by the backend; the token's
    # digest is the one value, passed as a parameter.
    sql = (
        f"SELECT {', '.join(columns)}, "  # noqa: S608
        f"EXISTS(SELECT 1 FROM {table(session)} x WHERE x.{col(session, 'event')} = "
        f"r.{col(Registration, 'event')}) "
        f"FROM {table(link)} l "
        f"INNER JOIN {table(Registration)} r ON l.{col(link, 'registration')} = "
        f"r.{col(Registration)} "
        f"INNER JOIN {table(Event)} e ON r.{col(Registration, 'event')} = "
        f"e.{col(Event)} "
        f"INNER JOIN {table(Subject)} s ON r.{col(Registration, 'subject')} = "
        f"s.{col(Subject)} "
        f"WHERE l.{col(link, 'token_digest')} = %s AND l.{col(link, 'revoked_at')} IS NULL "
        # token_digest is unique: at most one row; the limit is a guard.
        f"LIMIT 1"
    )
    return _Statement(sql, parts)


def _instance(part: _Part, values: list[Any], db: str, connection: Any) -> Model:
    converted = []
    for value, (expression, converters) in zip(values, part.converters, strict=True):
        for convert in converters:
            value = convert(value, expression, connection)
        converted.append(value)
    return part.model.from_db(db, part.names, converted)


def registration_for_digest(digest: str) -> Registration | None:
    """The registration of the live (not revoked) link with this digest, its ``event`` and
    ``subject`` loaded, and ``event_has_sessions`` set; None if there is none."""
    db = router.db_for_read(AccessLink)
    statement = _built.get(db)
    if statement is None:
        statement = _built[db] = _build(db)
    connection = connections[db]
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, [digest])
        row = cursor.fetchone()
    if row is None:
        return None
    values, start = list(row), 0
    made = []
    for part in statement.parts:
        end = start + len(part.names)
        made.append(_instance(part, values[start:end], db, connection))
        start = end
    registration, event, subject = made
    registration.event = event  # type: ignore[attr-defined]
    registration.subject = subject  # type: ignore[attr-defined]
    registration.event_has_sessions = bool(values[-1])  # type: ignore[attr-defined]
    return registration  # type: ignore[return-value]
