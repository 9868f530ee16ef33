"""Who the figures count (issue 7 §7; R-10, R-11; P4.1).

Restricted people (GDPR art. 18: storage only) and people who object to statistics (art.
21) are left out of every figure at once. The figures are computed over everyone, then the
same figures over the few left-out registrations are subtracted (counts are additive):
the large scans stay on narrow indexes of the registrations and attendance tables and never
join the people table, and when nobody is left out (the usual case) the second pass is not
run at all. ``tests/analytics`` checks the result against SQL that excludes them directly.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from django.db.models import BigIntegerField, F, Func, Q, QuerySet, UUIDField
from django.db.models.lookups import Exact, In

from livesession.protection.models import Objection, ObjectionPurpose, Subject
from livesession.registrations.models import Registration

CHUNK = 2000  # ids per IN (...) list: under SQLite's variable limit


def excluded_subject_ids(client_id: int) -> set[uuid.UUID]:
    """The client's people whose data must not feed statistics now."""
    restricted = Subject.objects.filter(client_id=client_id, restricted_at__isnull=False)
    objecting = Objection.objects.filter(purpose=ObjectionPurpose.STATISTICS,
                                         withdrawn_at__isnull=True,
                                         subject__client_id=client_id)
    return (set(restricted.values_list("pk", flat=True))
            | set(objecting.values_list("subject_id", flat=True)))


def excluded_registration_ids(client_id: int,
                              event_ids: Sequence[uuid.UUID] | None = None) -> list[uuid.UUID]:
    """Registrations of the client (of these events) left out of the figures."""
    subjects = sorted(excluded_subject_ids(client_id))
    found: list[uuid.UUID] = []
    for part in chunks(subjects):
        rows = Registration.objects.filter(subject_id__in=part).filter(
            tenant_filter(client_id, event_ids))
        found += rows.values_list("pk", flat=True)
    return found


class _Unindexed(Func):
    """The column as is; on SQLite written ``+column``, which keeps the condition out of
    the choice of an index. Without ANALYZE statistics SQLite read a few ids' rows through
    the wide (client, event, ...) index, which also orders a GROUP BY, instead of the
    index of the ids: 100 ms instead of 1 on the bench's 22 k-registration event (issue 9,
    S4). PostgreSQL, with statistics, chooses well and is left alone."""

    template = "%(expressions)s"

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return self.as_sql(compiler, connection, template="+%(expressions)s", **extra_context)


def tenant_filter(client_id: int, event_ids: Sequence[Any] | None = None,
                  prefix: str = "") -> Q:
    """``client_id = ... AND event_id IN (...)``, for a query led by an IN list of ids
    (registrations, subjects): the index of the ids is used, not the tenant's."""
    conditions = Q(Exact(_Unindexed(F(f"{prefix}client_id"), output_field=BigIntegerField()),
                         client_id))
    if event_ids is not None:
        conditions &= Q(In(_Unindexed(F(f"{prefix}event_id"), output_field=UUIDField()),
                           list(event_ids)))
    return conditions


def chunks(ids: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


Counts = Counter[tuple[Any, ...]]


def net(figure: Callable[[QuerySet[Any]], Counts], rows: QuerySet[Any],
        excluded: Sequence[uuid.UUID], field: str = "registration_id") -> Counts:
    """``figure(rows)`` without the ``excluded`` registrations: the figure over all rows,
    minus the same figure over the excluded ones (``field`` leads to the registration)."""
    result = figure(rows)
    for part in chunks(excluded):
        result.subtract(figure(rows.filter(**{f"{field}__in": list(part)})))
    return Counter({key: n for key, n in result.items() if n > 0})
