"""Plain deletes where Django's collector has nothing to do (issue 9, S6).

``QuerySet.delete()`` runs Django's deletion collector: it selects the rows, then follows
every relation pointing at the model (cascades, ``SET_NULL``), sends ``pre_delete`` /
``post_delete`` signals, and only then deletes. For one person that is about a dozen
statements per model, whether anything points at the rows or not; for a whole client, a
SELECT of every batch and one statement per relation per batch.

Erasure (``protection.erasure``) and a client's destruction (``contracts.destruction``)
delete in **dependency order** instead (rows that point at others first), so that by the
time a model's rows go, what pointed at them is gone already; they check the relations
that are not covered that way, and then issue one plain ``DELETE``. This module says, by
the same introspection the collector uses (``get_candidate_relations_to_delete``), which
relations point at a model and when the collector is still needed:

* a ``pre_delete``, ``post_delete`` or ``m2m_changed`` receiver listens to the model
  (Django's own ``Collector.can_fast_delete`` test): a receiver must see every row;
* the model has many-to-many fields or generic relations (rows of auto-created tables
  that no foreign key we read names).

``tests/protection/test_erasure_plan.py`` fails if a model that erasure deletes gains a
relation the plan does not handle, or a receiver that the plain delete would skip.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import signals
from django.db.models.deletion import get_candidate_relations_to_delete

DO_NOTHING = models.DO_NOTHING
CASCADE = models.CASCADE
SET_NULL = models.SET_NULL


@dataclass(frozen=True)
class Relation:
    """A foreign key of ``model`` (``field``) pointing at the model being deleted."""

    model: type[models.Model]
    field: str
    on_delete: Any

    @property
    def label(self) -> str:
        return f"{self.model._meta.label}.{self.field}"


def incoming(model: type[models.Model]) -> list[Relation]:
    """Every relation the collector would follow when ``model``'s rows are deleted
    (``DO_NOTHING`` ones excepted: the collector ignores them too)."""
    found = []
    candidates: list[Any] = list(get_candidate_relations_to_delete(model._meta))
    for rel in candidates:
        on_delete = rel.on_delete
        if on_delete is DO_NOTHING:
            continue
        found.append(Relation(model=rel.related_model, field=rel.field.name,
                              on_delete=on_delete))
    return sorted(found, key=lambda r: r.label)


def structural_reason(model: type[models.Model]) -> str | None:
    """Why ``model`` can never be deleted plainly (fixed by its definition), or None."""
    meta = model._meta
    if meta.many_to_many:
        return "many-to-many fields"
    if meta.private_fields:
        return "generic relations"
    return None


def has_receivers(model: type[models.Model]) -> bool:
    """A delete receiver listens to ``model`` now (checked at each run: receivers connect
    at import time and in tests)."""
    return bool(signals.pre_delete.has_listeners(model)
                or signals.post_delete.has_listeners(model)
                or signals.m2m_changed.has_listeners(model))


def dependency_order(members: Iterable[type[models.Model]],
                     after: dict[type[models.Model], set[type[models.Model]]] | None = None,
                     ) -> tuple[list[type[models.Model]], list[type[models.Model]]]:
    """``members`` ordered so that a model whose rows point at another member comes first
    (children before parents), plus those left in a cycle (the collector deletes them).
    ``after`` adds edges: ``after[m]`` are the models that must go after ``m``."""
    pool = list(dict.fromkeys(members))
    inside = set(pool)
    before: dict[type[models.Model], set[type[models.Model]]] = {m: set() for m in pool}
    for parent in pool:
        for rel in incoming(parent):
            if rel.model in inside and rel.model is not parent:
                before[parent].add(rel.model)  # rel.model's rows go first
    for child, parents in (after or {}).items():
        for parent in parents:
            if child in inside and parent in inside and parent is not child:
                before[parent].add(child)
    ordered: list[type[models.Model]] = []
    done: set[type[models.Model]] = set()
    progress = True
    while progress:
        progress = False
        for model in pool:
            if model not in done and before[model] <= done:
                ordered.append(model)
                done.add(model)
                progress = True
    cyclic = [m for m in pool if m not in done]
    return ordered, cyclic


def raw_delete(queryset: models.QuerySet[Any]) -> int:
    """One ``DELETE`` for the queryset's rows, without the collector: only where the caller
    has removed what points at them and no receiver listens (see the module)."""
    return int(queryset._raw_delete(queryset.db) or 0)


def lookup_models(model: type[models.Model], lookup: str) -> list[type[models.Model]]:
    """The models a lookup such as ``registration__subject`` goes through, ``model``
    excluded (the last part, a column, is not a model)."""
    found = []
    current = model
    for part in lookup.split("__")[:-1]:
        field = current._meta.get_field(part)
        target = field.related_model
        if target is None or isinstance(target, str):
            break
        found.append(target)
        current = target
    return found
