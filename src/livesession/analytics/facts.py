"""The breakdown facts of registrations (issue 7 §7): decrypt once, group in SQL.

Job function, city and postal code are sealed (encrypted with the person's key): SQL cannot
group on them. ``refresh`` decrypts new or changed registrations (no facts yet, or
``updated_at`` later than the one the facts were computed from) in batches and stores the
normalized values (``analytics.normalize``), only for the fields the event's form collects.
Nothing is decrypted for a restricted person or one who objects to statistics: their row is
``withheld`` (all NULL) and computed again once that is lifted.

The periodic job (``analytics.jobs``) calls ``refresh``; a page calls ``fill_missing`` for its
event(s) first, bounded by ``ANALYTICS_FACTS_ON_DEMAND`` rows, and says how many are still
waiting for the job. The facts go with the registration (CASCADE): an erased person leaves
nothing here.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db.models import Exists, F, Max, OuterRef, Q

from livesession.analytics import normalize
from livesession.analytics.models import RegistrationFacts
from livesession.analytics.population import excluded_subject_ids
from livesession.core.clock import now
from livesession.protection import keystore
from livesession.registrations import scope
from livesession.registrations.models import Registration

BATCH = 500
# Registrations committed late with an earlier ``updated_at`` (a long transaction) are still
# found: the job looks this far behind its watermark.
MARGIN = dt.timedelta(minutes=30)
FIELDS = ("job_function", "city", "department")


def on_demand_limit() -> int:
    return int(getattr(settings, "ANALYTICS_FACTS_ON_DEMAND", 2000))


def _compute(rows: Sequence[Registration]) -> int:
    """Store the facts of ``rows`` (registrations with their event and client loaded)."""
    if not rows:
        return 0
    excluded: dict[int, set[uuid.UUID]] = {}
    enabled: dict[uuid.UUID, set[str]] = {}
    moment = now()
    facts = []
    with keystore.unit_of_work():
        keystore.preload(r.subject_id for r in rows)
        for r in rows:
            if r.client_id not in excluded:
                excluded[r.client_id] = excluded_subject_ids(r.client_id)
            if r.event_id not in enabled:
                enabled[r.event_id] = set(scope.enabled_keys(r.event))
            withheld = r.subject_id in excluded[r.client_id]
            keys = set() if withheld else enabled[r.event_id]
            facts.append(RegistrationFacts(
                registration_id=r.pk, client_id=r.client_id, event_id=r.event_id,
                job_function=(normalize.job_function(r.job_function)
                              if "job_function" in keys else None),
                city=normalize.city(r.city) if "city" in keys else None,
                department=(normalize.department(r.postal_code)
                            if "postal_code" in keys else None),
                withheld=withheld, registration_updated_at=r.updated_at, computed_at=moment))
    RegistrationFacts.objects.bulk_create(
        facts, update_conflicts=True, unique_fields=["registration"],
        update_fields=["job_function", "city", "department", "withheld",
                       "registration_updated_at", "computed_at"])
    return len(facts)


def _stale() -> Any:
    return Q(analytics_facts__isnull=True) | Q(
        analytics_facts__registration_updated_at__lt=F("updated_at"))


def refresh(*, batch: int = BATCH, limit: int | None = None) -> int:
    """Compute the facts of new and changed registrations, oldest change first; returns how
    many were computed. Each batch is its own short piece of work: a crash loses one batch,
    which the next run takes again."""
    watermark = RegistrationFacts.objects.aggregate(m=Max("registration_updated_at"))["m"]
    rows = Registration.objects.filter(_stale())
    if watermark is not None:
        rows = rows.filter(updated_at__gte=watermark - MARGIN)
    done = 0
    while limit is None or done < limit:
        size = batch if limit is None else min(batch, limit - done)
        page = list(rows.select_related("event__client").order_by("updated_at", "id")[:size])
        if not page:
            break
        done += _compute(page)
    done += _recheck_withheld(batch)
    return done


def _recheck_withheld(batch: int) -> int:
    """Withheld facts of people no longer restricted nor objecting: compute them now."""
    done = 0
    clients = (RegistrationFacts.objects.filter(withheld=True)
               .values_list("client_id", flat=True).distinct())
    for client_id in list(clients):
        still = excluded_subject_ids(client_id)
        ids = list(RegistrationFacts.objects.filter(withheld=True, client_id=client_id)
                   .exclude(registration__subject_id__in=list(still))
                   .values_list("registration_id", flat=True)[:batch])
        if ids:
            done += _compute(list(Registration.objects.filter(pk__in=ids)
                                  .select_related("event__client")))
    return done


def missing(client_id: int, event_ids: Iterable[uuid.UUID]) -> int:
    """How many registrations of these events have no facts yet."""
    ids = list(event_ids)
    total = Registration.objects.filter(client_id=client_id, event_id__in=ids).count()
    have = RegistrationFacts.objects.filter(client_id=client_id, event_id__in=ids).count()
    return max(total - have, 0)


def fill_missing(client_id: int, event_ids: Iterable[uuid.UUID],
                 limit: int | None = None) -> int:
    """Before a page: compute the facts its events lack, at most ``limit`` rows (the rest is
    left to the job). Returns how many are still missing afterwards."""
    ids = list(event_ids)
    left = missing(client_id, ids)
    if not left:
        return 0
    bound = on_demand_limit() if limit is None else limit
    todo = (Registration.objects.filter(client_id=client_id, event_id__in=ids)
            .filter(~Exists(RegistrationFacts.objects.filter(registration_id=OuterRef("pk"))))
            .select_related("event__client").order_by("created_at", "id"))
    done = 0
    while done < bound:
        page = list(todo[:min(BATCH, bound - done)])
        if not page:
            break
        done += _compute(page)
    return max(left - done, 0)
