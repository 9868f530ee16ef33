"""Who a breach affects (issue 8 §2, P5.1, B-03 a): people and records from a scope.

A scope is what staff know about the breach: the clients whose data is concerned, the
events, the data categories (as the personal-data registry names them: "app.Model" or
"app.Model.field"), a time window (rows created or changed in it), or the accesses in the
audit trail (entries of given actions and/or actors in the window, whose pseudonymous
targets are the people reached). ``affected(scope)`` walks the registry, not a hand list:
every declared model with personal fields and a path to the person's Subject
(``protection.subject_rows.subject_lookup``) is counted, so a model added tomorrow is
counted as soon as it is declared.

Counts: ``counts`` maps each registry category ("registrations.Registration.email") to
the number of rows in scope that hold a value in it; ``records`` is the number of rows in
scope (all models); ``people`` the number of distinct subjects. Models that cannot be
placed in the scope (no event link while events are given, no timestamp while a window is
given) are not counted and are listed in ``skipped``, so nobody reads a zero as "safe".
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models, router
from django.db.models import Count, Q

from livesession.protection.models import Subject
from livesession.protection.registry import all_declarations
from livesession.protection.subject_rows import subject_lookup

# Timestamps that say when a row was written or changed, in the order they are looked for.
CREATED = ("created_at", "at", "date_joined", "joined_at")
CHANGED = ("updated_at", "changed_at", "modified_at")


@dataclass(frozen=True)
class Scope:
    clients: tuple[int, ...] = ()
    events: tuple[uuid.UUID, ...] = ()
    categories: tuple[str, ...] = ()
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    # Accesses in the audit trail: entries of these actions / by these actors (in the
    # window when one is given); their targets are the people reached.
    audit_actions: tuple[str, ...] = ()
    audit_actors: tuple[str, ...] = ()

    @property
    def by_audit(self) -> bool:
        return bool(self.audit_actions or self.audit_actors)

    def as_json(self) -> dict[str, Any]:
        return {
            "clients": list(self.clients),
            "events": [str(e) for e in self.events],
            "categories": list(self.categories),
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "audit_actions": list(self.audit_actions),
            "audit_actors": list(self.audit_actors),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Scope:
        def when(value: str | None) -> dt.datetime | None:
            return dt.datetime.fromisoformat(value) if value else None

        return cls(clients=tuple(int(c) for c in data.get("clients", [])),
                   events=tuple(uuid.UUID(str(e)) for e in data.get("events", [])),
                   categories=tuple(data.get("categories", [])),
                   since=when(data.get("since")), until=when(data.get("until")),
                   audit_actions=tuple(data.get("audit_actions", [])),
                   audit_actors=tuple(data.get("audit_actors", [])))


@dataclass
class Affected:
    subjects: set[uuid.UUID]
    counts: dict[str, int]
    people: int
    records: int
    rows: dict[str, int] = field(default_factory=dict)  # rows per model
    by_client: dict[int, int] = field(default_factory=dict)  # people per client (0: operator)
    skipped: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """What the register keeps: numbers only, no person's id."""
        return {"counts": dict(sorted(self.counts.items())), "people": self.people,
                "records": self.records, "rows": dict(sorted(self.rows.items())),
                "by_client": {str(k): v for k, v in sorted(self.by_client.items())},
                "skipped": self.skipped}


def _concrete(model: type[models.Model], name: str) -> models.Field[Any, Any] | None:
    try:
        found = model._meta.get_field(name)
    except Exception:
        return None
    return found if isinstance(found, models.Field) and found.concrete else None


def _event_lookup(model: type[models.Model]) -> str | None:
    """The lookup from a row to its event's id, or None."""
    if model._meta.label == "events.Event":
        return "pk"
    for name, prefix in (("event", ""), ("registration", "registration__")):
        found = _concrete(model, name)
        if found is not None and found.is_relation:
            return f"{prefix}event_id" if prefix else "event_id"
    return None


def _window_q(model: type[models.Model], since: dt.datetime | None,
              until: dt.datetime | None) -> Q | None:
    """Rows created or changed in the window, or None when the model has no timestamp."""
    names = [n for n in CREATED + CHANGED
             if isinstance(_concrete(model, n), models.DateTimeField)]
    if not names:
        return None
    q = Q()
    for i, name in enumerate(names):
        part = Q()
        if since is not None:
            part &= Q(**{f"{name}__gte": since})
        if until is not None:
            part &= Q(**{f"{name}__lt": until})
        q = part if i == 0 else q | part
    return q


def _wanted(label: str, names: Iterable[str], categories: tuple[str, ...]) -> list[str]:
    if not categories:
        return sorted(names)
    if label in categories:
        return sorted(names)
    return sorted(n for n in names if f"{label}.{n}" in categories)


def _audit_subjects(scope: Scope) -> set[uuid.UUID]:
    """The subjects the audit entries in scope reached (their pseudonymous targets)."""
    from livesession.accounts.models import User
    from livesession.audit.models import AuditEntry
    from livesession.registrations.models import Registration

    entries = AuditEntry.objects.all()
    if scope.audit_actions:
        entries = entries.filter(action__in=scope.audit_actions)
    if scope.audit_actors:
        entries = entries.filter(actor__in=scope.audit_actors)
    if scope.since is not None:
        entries = entries.filter(at__gte=scope.since)
    if scope.until is not None:
        entries = entries.filter(at__lt=scope.until)
    subjects: set[uuid.UUID] = set()
    registrations: set[str] = set()
    accounts: set[int] = set()
    for target in entries.values_list("target", flat=True).distinct():
        kind, _sep, ident = (target or "").partition(":")
        try:
            if kind == "subject":
                subjects.add(uuid.UUID(ident))
            elif kind == "registration":
                registrations.add(str(uuid.UUID(ident)))
            elif kind == "account":
                accounts.add(int(ident))
        except ValueError:
            continue
    subjects |= set(Registration.objects.filter(pk__in=registrations)
                    .values_list("subject_id", flat=True))
    subjects |= set(User.objects.filter(pk__in=accounts, subject_id__isnull=False)
                    .values_list("subject_id", flat=True))
    return subjects


def affected(scope: Scope) -> Affected:
    """The people and records a breach of ``scope`` reaches (see the module's text)."""
    reached = _audit_subjects(scope) if scope.by_audit else None
    subjects: set[uuid.UUID] = set()
    counts: dict[str, int] = {}
    rows: dict[str, int] = {}
    skipped: list[str] = []
    for label, decl in sorted(all_declarations().items()):
        if not decl.personal:
            continue
        model = apps.get_model(label)
        lookup = subject_lookup(model, decl)
        if lookup is None:
            continue  # no person behind the row (the audit trail, the register itself)
        names = _wanted(label, decl.personal, scope.categories)
        if not names:
            continue
        qs = model._default_manager.all()
        if scope.clients:
            of_clients: Any = Subject.objects.filter(client_id__in=scope.clients).values("pk")
            if router.db_for_read(model) != router.db_for_read(Subject):
                of_clients = list(of_clients.values_list("pk", flat=True))  # the keystore
            qs = qs.filter(**{f"{lookup}__in": of_clients})
        if scope.events:
            event = _event_lookup(model)
            if event is None:
                skipped.append(label)
                continue
            qs = qs.filter(**{f"{event}__in": scope.events})
        if reached is not None:
            qs = qs.filter(**{f"{lookup}__in": reached})
        elif scope.since is not None or scope.until is not None:
            window = _window_q(model, scope.since, scope.until)
            if window is None:
                skipped.append(label)
                continue
            qs = qs.filter(window)
        aggregates: dict[str, Any] = {"_rows": Count("pk")}
        for i, name in enumerate(names):
            column = model._meta.get_field(name)
            filled = Q(**{f"{name}__isnull": False})
            if isinstance(column, models.CharField | models.TextField):
                filled &= ~Q(**{name: ""})
            aggregates[f"f{i}"] = Count("pk", filter=filled)
        result = qs.aggregate(**aggregates)
        if not result["_rows"]:
            continue
        rows[label] = result["_rows"]
        for i, name in enumerate(names):
            if result[f"f{i}"]:
                counts[f"{label}.{name}"] = result[f"f{i}"]
        subjects |= {s for s in qs.values_list(lookup, flat=True).distinct() if s is not None}
    by_client: dict[int, int] = {}
    for client_id in Subject.objects.filter(pk__in=subjects).values_list("client_id",
                                                                          flat=True):
        key = client_id or 0
        by_client[key] = by_client.get(key, 0) + 1
    return Affected(subjects=subjects, counts=counts, people=len(subjects),
                    records=sum(rows.values()), rows=rows, by_client=by_client,
                    skipped=sorted(set(skipped)))


def category_label(category: str) -> str:
    """Words for a registry category ("registrations.Registration.email")."""
    from livesession.protection.registry import _field_label, declaration

    label, _dot, name = category.rpartition(".")
    decl = declaration(label)
    if decl is None or name not in decl.personal:
        return category
    model = apps.get_model(label)
    words = _field_label(decl.personal[name], model._meta.get_field(name))
    return f"{model._meta.verbose_name}: {words}"
