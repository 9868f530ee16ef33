"""The batch job that publishes the comparison snapshot (issue 7 §8, P2.2, A10 ST-01..03).

Per client that offers the comparison, and for the pool when the operator and the clients
allow it: read the period's attendance per person, decrypt each person's job function (and
the answers a client group needs) in memory, drop restricted and objecting people, and
publish, per cohort of at least K people, rounded percentile thresholds and a rounded size.
Nothing per person is written; a cohort under K leaves no row.

The same reading code (``figures_by_subject``, ``categories_of``) serves the personal page
for the person's own figures, so the person is measured exactly as the cohort is.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum

from livesession.access.models import Attendance
from livesession.accounts.models import User
from livesession.audit.services import record
from livesession.comparison import stats
from livesession.comparison.models import (
    ClientComparison,
    CohortFigures,
    CohortGroup,
    CohortKind,
    ComparisonRun,
    PoolingSwitch,
)
from livesession.core.clock import now
from livesession.core.models import Client
from livesession.protection import keystore, objection
from livesession.protection.models import ObjectionPurpose, Subject
from livesession.registrations.models import Registration, RegistrationStatus

STATISTICS = ObjectionPurpose.STATISTICS


# --- configuration reads -------------------------------------------------------------------

def settings_of(client: Client | int) -> ClientComparison:
    """The client's comparison settings (defaults when it never saved any)."""
    client_id = client if isinstance(client, int) else client.pk
    found = ClientComparison.objects.filter(client_id=client_id).first()
    return found or ClientComparison(client_id=client_id)


def pooling_on() -> bool:
    """Cross-client pooling: the deployment allows it (``COMPARISON_POOLING``) AND the
    operator switched it on in the console. Off by default."""
    if not getattr(settings, "COMPARISON_POOLING", False):
        return False
    return PoolingSwitch.objects.filter(pk=1, enabled=True).exists()


def pool_client_ids() -> list[int]:
    """Clients in the pool: active, offering the comparison, and allowing pooling."""
    return sorted(ClientComparison.objects.filter(
        client__is_active=True, enabled=True, allow_pooling=True)
        .values_list("client_id", flat=True))


def offering_client_ids() -> list[int]:
    """Active clients that offer the comparison (the default is on)."""
    off = ClientComparison.objects.filter(enabled=False).values_list("client_id", flat=True)
    return sorted(Client.objects.filter(is_active=True).exclude(pk__in=off)
                  .values_list("pk", flat=True))


def period(at: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime]:
    end = at or now()
    return end - dt.timedelta(days=stats.PERIOD_DAYS), end


# --- per-person reading --------------------------------------------------------------------

def figures_by_subject(attendance: QuerySet[Attendance], start: dt.datetime,
                       end: dt.datetime) -> dict[uuid.UUID, stats.PersonFigures]:
    """Sessions attended (attendance rows) and minutes present (measured rows only) per
    subject over the period, from ``attendance`` (already scoped to one client)."""
    rows = (attendance.filter(first_access_at__gte=start, first_access_at__lte=end)
            .values("registration__subject_id")
            .annotate(sessions=Count("id"),
                      measured=Count("id", filter=Q(presence_measured=True)),
                      seconds=Sum("seconds_present", filter=Q(presence_measured=True))))
    out = {}
    for row in rows:
        minutes = round((row["seconds"] or 0) / 60) if row["measured"] else None
        out[row["registration__subject_id"]] = stats.PersonFigures(row["sessions"], minutes)
    return out


@dataclass
class Categories:
    """A person's categories at one client: the normalized job function of their latest
    registration that gives one, with its date, and the client groups they belong to."""

    job: str = ""
    job_at: dt.datetime | None = None
    groups: set[int] = field(default_factory=set)


def _answer_values(value: Any) -> set[str]:
    items = value if isinstance(value, list) else [value]
    return {stats.normalize(str(item)) for item in items if item not in (None, "")}


def categories_of(registrations: Iterable[Registration],
                  groups: Sequence[CohortGroup]) -> Categories:
    """Decrypts in memory only; call inside ``keystore.unit_of_work``."""
    found = Categories()
    needs_answers = [g for g in groups if g.field_key]
    for registration in sorted(registrations, key=lambda r: r.created_at):
        job = stats.normalize(registration.job_function) if registration.job_function_enc \
            else ""
        if job:
            found.job, found.job_at = job, registration.created_at
            for group in groups:
                if job in group.job_functions:
                    found.groups.add(group.pk)
        if needs_answers and registration.answers_enc:
            answers = registration.answers
            for group in needs_answers:
                if group.field_key in answers and \
                        _answer_values(answers[group.field_key]) & set(group.field_values):
                    found.groups.add(group.pk)
    return found


def excluded_subjects(subject_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    """Restricted people (art. 18) and people objecting to statistics (art. 21) now."""
    ids = set(subject_ids)
    if not ids:
        return set()
    restricted = set(Subject.objects.filter(pk__in=ids, restricted_at__isnull=False)
                     .values_list("pk", flat=True))
    return restricted | objection.objecting_ids(ids, STATISTICS)


@dataclass
class ClientPopulation:
    """The eligible people of one client over the period, in memory only."""

    client_id: int
    figures: dict[uuid.UUID, stats.PersonFigures]
    categories: dict[uuid.UUID, Categories]
    email_index: dict[uuid.UUID, str]
    excluded: set[uuid.UUID]


def population(client_id: int, start: dt.datetime, end: dt.datetime,
               groups: Sequence[CohortGroup]) -> ClientPopulation:
    """The client's participants of the period: people with a confirmed registration to an
    event that took place in the period, or who attended a session in it. Erased people are
    left out; restricted and objecting ones are listed in ``excluded``."""
    in_period = Registration.objects.filter(
        Q(status=RegistrationStatus.CONFIRMED, event__starts_at__gte=start,
          event__starts_at__lte=end)
        | Q(attendances__first_access_at__gte=start, attendances__first_access_at__lte=end),
        client_id=client_id, subject__shredded_at__isnull=True)
    subject_ids = set(in_period.values_list("subject_id", flat=True).distinct())
    attendance = Attendance.objects.filter(client_id=client_id,
                                           registration__subject_id__in=subject_ids)
    figures = figures_by_subject(attendance, start, end)
    by_subject: dict[uuid.UUID, list[Registration]] = defaultdict(list)
    regs = (Registration.objects.filter(client_id=client_id, subject_id__in=subject_ids)
            .only("pk", "subject_id", "created_at", "job_function_enc", "answers_enc"))
    for registration in regs.iterator(chunk_size=2000):
        by_subject[registration.subject_id].append(registration)
    categories = {}
    with keystore.unit_of_work():
        keystore.preload(subject_ids)
        for subject_id in subject_ids:
            categories[subject_id] = categories_of(by_subject[subject_id], groups)
    indexes = dict(Subject.objects.filter(pk__in=subject_ids)
                   .values_list("pk", "email_index"))
    return ClientPopulation(
        client_id=client_id,
        figures={sid: figures.get(sid, stats.PersonFigures(0, None)) for sid in subject_ids},
        categories=categories, email_index=indexes,
        excluded=excluded_subjects(subject_ids))


# --- publishing ------------------------------------------------------------------------------

def _row(run: ComparisonRun, found: stats.Aggregate, **key: Any) -> CohortFigures:
    minutes = found.minutes
    return CohortFigures(
        run=run, size=found.size,
        sessions_p25=found.sessions.p25, sessions_p50=found.sessions.p50,
        sessions_p75=found.sessions.p75, sessions_p90=found.sessions.p90,
        minutes_size=found.minutes_size,
        minutes_p25=minutes.p25 if minutes else None, minutes_p50=minutes.p50 if minutes else None,
        minutes_p75=minutes.p75 if minutes else None, minutes_p90=minutes.p90 if minutes else None,
        **key)


Cohorts = dict[tuple[str, str], list[stats.PersonFigures]]


def client_cohorts(pop: ClientPopulation, groups: Sequence[CohortGroup]) -> Cohorts:
    """Eligible people per cohort of one client: ("job", <normalized job>) and
    ("group", <group id>)."""
    cohorts: Cohorts = defaultdict(list)
    for sid, figures in pop.figures.items():
        if sid in pop.excluded:
            continue
        cats = pop.categories[sid]
        if cats.job:
            cohorts[(CohortKind.JOB, cats.job)].append(figures)
        for group_id in cats.groups:
            cohorts[(CohortKind.GROUP, str(group_id))].append(figures)
    for group in groups:  # a group nobody is in is a cohort of 0: suppressed, counted
        cohorts.setdefault((CohortKind.GROUP, str(group.pk)), [])
    return cohorts


def pooled_cohorts(pops: Sequence[ClientPopulation]) -> dict[str, list[stats.PersonFigures]]:
    """Eligible people per job function across the pool. One person is one address (keyed
    hash), whatever the number of clients: their figures are summed, their category is the
    latest job function they gave. A person excluded at any pooled client, or whose account
    restricts processing or objects to statistics (the operator's own subject), is left out
    entirely."""
    people: dict[str, list[tuple[uuid.UUID, ClientPopulation]]] = defaultdict(list)
    for pop in pops:
        for sid in pop.figures:
            people[pop.email_index[sid]].append((sid, pop))
    accounts = dict(User.objects.filter(email_index__in=list(people))
                    .values_list("email_index", "subject_id"))
    excluded_accounts = excluded_subjects(accounts.values())
    cohorts: dict[str, list[stats.PersonFigures]] = defaultdict(list)
    for index, entries in people.items():
        if any(sid in pop.excluded for sid, pop in entries) or \
                accounts.get(index) in excluded_accounts:
            continue
        sessions = sum(pop.figures[sid].sessions for sid, pop in entries)
        measured = [pop.figures[sid].minutes for sid, pop in entries
                    if pop.figures[sid].minutes is not None]
        latest = max((pop.categories[sid] for sid, pop in entries if pop.categories[sid].job),
                     key=lambda c: c.job_at or dt.datetime.min.replace(tzinfo=dt.UTC),
                     default=None)
        if latest is None:
            continue
        minutes = sum(m for m in measured if m is not None) if measured else None
        cohorts[latest.job].append(stats.PersonFigures(sessions, minutes))
    return cohorts


@transaction.atomic
def compute(*, at: dt.datetime | None = None, actor: str = "job") -> ComparisonRun:
    """Compute and publish a new snapshot; older runs are deleted (only the latest is
    read). Audited with counts only. P2.2."""
    start, end = period(at)
    k = stats.min_cohort()
    pooled = pooling_on()
    run = ComparisonRun.objects.create(computed_at=end, period_start=start, period_end=end,
                                       k=k, pooling=False)
    rows: list[CohortFigures] = []
    suppressed = 0
    pool_ids = set(pool_client_ids()) if pooled else set()
    offering = offering_client_ids()
    pops: list[ClientPopulation] = []
    for client_id in offering:
        groups = list(CohortGroup.objects.filter(client_id=client_id))
        pop = population(client_id, start, end, groups)
        if client_id in pool_ids:
            pops.append(pop)
        by_id = {str(g.pk): g for g in groups}
        for (kind, key), people in client_cohorts(pop, groups).items():
            found = stats.aggregate(people, k)
            if found is None:
                suppressed += 1
                continue
            if kind == CohortKind.JOB:
                rows.append(_row(run, found, client_id=client_id, kind=kind, job=key))
            else:
                rows.append(_row(run, found, client_id=client_id, kind=kind,
                                 group=by_id[key]))
    # A pool of one client would only repeat that client's own figures.
    if pooled and len(pops) >= 2:
        run.pooling = True
        for job, people in pooled_cohorts(pops).items():
            found = stats.aggregate(people, k)
            if found is None:
                suppressed += 1
                continue
            rows.append(_row(run, found, client=None, kind=CohortKind.JOB, job=job))
    CohortFigures.objects.bulk_create(rows)
    run.cohorts_published, run.cohorts_suppressed = len(rows), suppressed
    run.save(update_fields=["pooling", "cohorts_published", "cohorts_suppressed"])
    ComparisonRun.objects.exclude(pk=run.pk).delete()
    record(actor, "comparison.computed", target=f"comparison_run:{run.pk}",
           details={"k": k, "pooling": run.pooling, "published": len(rows),
                    "suppressed": suppressed, "clients": len(offering)})
    return run


def latest_run() -> ComparisonRun | None:
    return ComparisonRun.objects.order_by("-computed_at", "-pk").first()
