"""Writes of the comparison's configuration (client settings, groups, the operator's pooling
switch), each in one transaction with its audit entry (P6.6: instructions are recorded), and
the participant's own comparison read by the page and the API (P2.2).

The participant's comparison reads the person's OWN data live (their registrations linked
to their account) and the cohort figures from the latest published snapshot only: no query
here ever reads other people's rows, so two requests cannot be differenced to single anyone
out (A10 ST-02)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from livesession.access.models import Attendance
from livesession.accounts.models import AccountLink, User
from livesession.audit.services import record, record_change
from livesession.comparison import compute, stats
from livesession.comparison.models import (
    ClientComparison,
    CohortFigures,
    CohortGroup,
    CohortKind,
    ComparisonRun,
    PoolingSwitch,
)
from livesession.core.models import Client
from livesession.protection import keystore, objection
from livesession.protection.models import ObjectionPurpose
from livesession.registrations.models import Registration

MAX_VALUES = 50


# --- client settings and groups (the client's instructions) -------------------------------

@transaction.atomic
def save_settings(client: Client, *, enabled: bool, allow_pooling: bool,
                  actor: str) -> ClientComparison:
    """The client offers the comparison to its participants (or not), and allows pooling
    with other clients (or not). Audited with the diff."""
    found, _created = ClientComparison.objects.select_for_update().get_or_create(client=client)
    before = {"enabled": found.enabled, "allow_pooling": found.allow_pooling}
    found.enabled, found.allow_pooling = bool(enabled), bool(allow_pooling)
    found.save()
    record_change(actor, "comparison.settings_changed", before,
                  {"enabled": found.enabled, "allow_pooling": found.allow_pooling},
                  target=f"client:{client.pk}", client_id=client.pk)
    return found


def _values(items: Any) -> list[str]:
    out: list[str] = []
    for item in items or []:
        value = stats.normalize(str(item))
        if value and value not in out:
            out.append(value)
    return out[:MAX_VALUES]


def _clean_group(client: Client, name: str, job_functions: Any, field_key: str,
                 field_values: Any, group: CohortGroup | None) -> dict[str, Any]:
    cleaned = {"name": " ".join(str(name or "").split())[:100],
               "job_functions": _values(job_functions),
               "field_key": str(field_key or "").strip(),
               "field_values": _values(field_values)}
    errors: dict[str, list[str]] = {}
    if not cleaned["name"]:
        errors["name"] = [_("Give the group a name.")]
    elif CohortGroup.objects.filter(client=client, name=cleaned["name"]).exclude(
            pk=group.pk if group else 0).exists():
        errors["name"] = [_("You already have a group with this name.")]
    if bool(cleaned["field_key"]) != bool(cleaned["field_values"]):
        errors["field_values"] = [_("Give both the question's key and the answers that "
                                    "place a person in the group, or neither.")]
    if not cleaned["job_functions"] and not cleaned["field_values"]:
        errors["job_functions"] = [_("List at least one job function, or a question and "
                                     "its answers.")]
    if errors:
        raise ValidationError(errors)
    return cleaned


_OPAQUE = ("name", "job_functions", "field_values")


@transaction.atomic
def save_group(client: Client, *, actor: str, group: CohortGroup | None = None,
               name: str, job_functions: Any = (), field_key: str = "",
               field_values: Any = ()) -> CohortGroup:
    """Create or change a group of the client. The values are normalized (accents, case,
    punctuation) like the job functions they are compared with. Audited; the group's texts
    are the client's own and are recorded as changed, not copied (opaque)."""
    if group is not None and group.client_id != client.pk:
        raise ValueError("group of another client")
    cleaned = _clean_group(client, name, job_functions, field_key, field_values, group)
    before = {k: getattr(group, k) for k in cleaned} if group else {}
    target = group or CohortGroup(client=client)
    for key, value in cleaned.items():
        setattr(target, key, value)
    try:
        with transaction.atomic():
            target.save()
    except IntegrityError as exc:
        raise ValidationError({"name": [_("You already have a group with this name.")]}) from exc
    record_change(actor, "comparison.group_saved" if group else "comparison.group_created",
                  before, cleaned, target=f"comparison_group:{target.pk}", client_id=client.pk,
                  opaque=_OPAQUE)
    return target


@transaction.atomic
def delete_group(group: CohortGroup, *, actor: str) -> None:
    """Delete a group; its published figures go with it. Audited."""
    pk, client_id = group.pk, group.client_id
    group.delete()
    record(actor, "comparison.group_deleted", target=f"comparison_group:{pk}",
           client_id=client_id)


@transaction.atomic
def set_pooling(enabled: bool, *, actor: str) -> PoolingSwitch:
    """The operator's switch for cross-client pooling. With it the operator becomes
    controller of the pooled processing (A10 ST-03). Audited."""
    switch, _created = PoolingSwitch.objects.select_for_update().get_or_create(pk=1)
    before = {"enabled": switch.enabled}
    switch.enabled = bool(enabled)
    switch.save()
    record_change(actor, "comparison.pooling_changed", before, {"enabled": switch.enabled},
                  target="comparison:pooling")
    return switch


# --- the participant's own comparison ------------------------------------------------------

@dataclass
class Metric:
    """One metric of one cohort, as shown: the band the person's value falls in, with the
    rounded thresholds; or no figure at all (``enough`` False)."""

    enough: bool
    thresholds: stats.Thresholds | None = None
    band: stats.Band | None = None
    size: int | None = None

    @property
    def text(self) -> str:
        """The band in plain words (the page; the API gives the percentiles)."""
        return band_text(self.band) if self.band else ""

    def as_dict(self) -> dict[str, Any]:
        if not self.enough or self.thresholds is None:
            return {"status": "not_enough_data"}
        return {"status": "ok", "cohort_size_at_least": self.size,
                "thresholds": self.thresholds.as_dict(),
                "band": ({"key": self.band.key, "from_percentile": self.band.low,
                          "to_percentile": self.band.high} if self.band else None)}


@dataclass
class Cohort:
    kind: str  # "job" or "group"
    label: str
    pooled: bool
    enough: bool
    sessions: Metric
    minutes: Metric

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "label": self.label, "pooled": self.pooled,
                "status": "ok" if self.enough else "not_enough_data",
                "sessions": self.sessions.as_dict(), "minutes": self.minutes.as_dict()}


@dataclass
class OrganizerComparison:
    """The comparison at one organizer. ``state``: "ok", "off" (the organizer does not offer
    it), "restricted" or "objecting" (the person is left out, and can change it)."""

    client: Client
    state: str
    sessions: int | None = None
    minutes: int | None = None
    job: str = ""
    cohorts: list[Cohort] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        own = None
        if self.state == "ok":
            own = {"sessions": self.sessions, "minutes": self.minutes}
        return {"organizer": {"id": self.client.pk, "name": self.client.name},
                "state": self.state, "own": own, "job_function": self.job or None,
                "cohorts": [c.as_dict() for c in self.cohorts]}


@dataclass
class PersonalComparison:
    period_start: dt.datetime
    period_end: dt.datetime
    k: int
    run: ComparisonRun | None
    organizers: list[OrganizerComparison]
    pooled: OrganizerComparison | None
    pooled_state: str  # "off", "ok", "restricted", "objecting", "none" (no pooled client)

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": {"start": self.period_start.isoformat(),
                       "end": self.period_end.isoformat(), "days": stats.PERIOD_DAYS},
            "min_cohort": self.k,
            "computed_at": self.run.computed_at.isoformat() if self.run else None,
            "organizers": [o.as_dict() for o in self.organizers],
            "pooled": {"state": self.pooled_state,
                       **({"own": {"sessions": self.pooled.sessions,
                                   "minutes": self.pooled.minutes},
                           "job_function": self.pooled.job or None,
                           "cohorts": [c.as_dict() for c in self.pooled.cohorts]}
                          if self.pooled else {})},
        }


def band_text(found: stats.Band) -> str:
    if found.low == 0 and found.high == 100:
        return _("About the same as most people in your category.")
    if found.low == 0:
        return _("In the lowest %(share)s %% of your category.") % {"share": found.high}
    if found.high == 100:
        return _("In the top %(share)s %% of your category.") % {"share": 100 - found.low}
    return _("Between the %(low)s %% and %(high)s %% marks of your category: about "
             "%(low)s %% of it did less, about %(more)s %% did more.") % {
                 "low": found.low, "high": found.high, "more": 100 - found.high}


def _metric(value: int | None, size: int | None, limits: stats.Thresholds | None) -> Metric:
    if limits is None:
        return Metric(enough=False)
    return Metric(enough=True, thresholds=limits, size=size,
                  band=stats.band(value, limits) if value is not None else None)


def _cohort(row: CohortFigures | None, kind: str, label: str, pooled: bool,
            own: stats.PersonFigures) -> Cohort:
    if row is None:
        return Cohort(kind, label, pooled, False, Metric(False), Metric(False))
    sessions = stats.Thresholds(row.sessions_p25, row.sessions_p50, row.sessions_p75,
                                row.sessions_p90)
    minutes = None
    if row.minutes_p25 is not None and row.minutes_p50 is not None and \
            row.minutes_p75 is not None and row.minutes_p90 is not None:
        minutes = stats.Thresholds(row.minutes_p25, row.minutes_p50, row.minutes_p75,
                                   row.minutes_p90)
    return Cohort(kind, label, pooled, True, _metric(own.sessions, row.size, sessions),
                  _metric(own.minutes, row.minutes_size, minutes))


def _state(subject_ids: set[Any]) -> str:
    from livesession.protection.models import Subject

    if Subject.objects.filter(pk__in=subject_ids, restricted_at__isnull=False).exists():
        return "restricted"
    if objection.objecting_ids(subject_ids, ObjectionPurpose.STATISTICS):
        return "objecting"
    return "ok"


def _own(registrations: list[Registration], start: dt.datetime,
         end: dt.datetime) -> stats.PersonFigures:
    """The person's own figures from their own registrations: the same reading as the job,
    summed over the subjects (one per organizer)."""
    attendance = Attendance.objects.filter(registration__in=[r.pk for r in registrations])
    found = compute.figures_by_subject(attendance, start, end).values()
    measured = [f.minutes for f in found if f.minutes is not None]
    return stats.PersonFigures(sum(f.sessions for f in found),
                               sum(m for m in measured if m is not None) if measured else None)


def comparison_for(user: User) -> PersonalComparison:
    """The signed-in person's comparison at each organizer they hold registrations with, and
    in the pool when it runs. Their own figures are computed now from their own rows; the
    cohorts' come from the latest snapshot only."""
    start, end = compute.period()
    run = compute.latest_run()
    links = (AccountLink.objects.filter(account=user, registration__client__is_active=True,
                                        registration__subject__shredded_at__isnull=True)
             .select_related("registration__client"))
    by_client: dict[int, list[Registration]] = {}
    clients: dict[int, Client] = {}
    for link in links:
        reg = link.registration
        by_client.setdefault(reg.client_id, []).append(reg)
        clients[reg.client_id] = reg.client
    figures = list(CohortFigures.objects.filter(run=run).select_related("group")) if run \
        else []
    client_rows = {(f.client_id, f.kind, f.job if f.kind == CohortKind.JOB else f.group_id): f
                   for f in figures if f.client_id is not None}
    pool_rows = {f.job: f for f in figures if f.client_id is None}
    offering = set(compute.offering_client_ids())
    pool_ids = set(compute.pool_client_ids()) if run and run.pooling and \
        compute.pooling_on() else set()
    organizers: list[OrganizerComparison] = []
    pool_regs: list[Registration] = []
    pool_subjects: set[Any] = set()
    with keystore.unit_of_work():
        keystore.preload({r.subject_id for regs in by_client.values() for r in regs})
        for client_id, regs in sorted(by_client.items(),
                                      key=lambda item: clients[item[0]].name.lower()):
            client = clients[client_id]
            subjects = {r.subject_id for r in regs}
            if client_id not in offering:
                organizers.append(OrganizerComparison(client, "off"))
                continue
            state = _state(subjects)
            if client_id in pool_ids:
                pool_regs.extend(regs)
                pool_subjects |= subjects
            if state != "ok":  # stored only, or objecting: nothing is computed
                organizers.append(OrganizerComparison(client, state))
                continue
            groups = list(CohortGroup.objects.filter(client_id=client_id))
            cats = compute.categories_of(regs, groups)
            own = _own(regs, start, end)
            row = OrganizerComparison(client, "ok", own.sessions, own.minutes, cats.job)
            if cats.job:
                row.cohorts.append(_cohort(client_rows.get((client_id, CohortKind.JOB,
                                                            cats.job)),
                                           CohortKind.JOB, cats.job, False, own))
            for group in groups:
                if group.pk in cats.groups:
                    row.cohorts.append(_cohort(client_rows.get((client_id, CohortKind.GROUP,
                                                                group.pk)),
                                               CohortKind.GROUP, group.name, False, own))
            organizers.append(row)
        pooled, pooled_state = None, "off"
        if pool_ids:
            pooled_state = "none"
            if pool_regs:
                pool_subjects.add(user.subject_id)
                pooled_state = _state(pool_subjects)
                if pooled_state == "ok":
                    cats = compute.categories_of(pool_regs, [])
                    own = _own(pool_regs, start, end)
                    pooled = OrganizerComparison(clients[pool_regs[0].client_id], "ok",
                                                 own.sessions, own.minutes, cats.job)
                    if cats.job:
                        pooled.cohorts.append(_cohort(pool_rows.get(cats.job), CohortKind.JOB,
                                                      cats.job, True, own))
    return PersonalComparison(period_start=start, period_end=end, k=stats.min_cohort(),
                              run=run, organizers=organizers, pooled=pooled,
                              pooled_state=pooled_state)
