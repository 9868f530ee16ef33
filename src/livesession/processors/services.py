"""Writes of the sub-processor register (P2.4, P6.11) and ``for_notice`` for the privacy
notice and the access export.

* ``add_subprocessor`` / ``change_subprocessor``: only hosting is accepted (P6.11); each
  transfer outside the EEA needs its mechanism with its evidence (T-02). Both send a change
  notice to every active client's owners and administrators and open the objection window
  (``SUBPROCESSOR_OBJECTION_DAYS``, P-07); a new provider may start only once that window
  has closed. A change of the DPF check date alone is a re-verification, not a change.
* ``object_to`` / ``withdraw_objection``: a client's owner or administrator objects while
  the window is open; the operator sees objections in the console.

Every write runs in one transaction, is audited and queues its mails in it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from livesession.audit.models import AuditEntry
from livesession.audit.services import diff, record, record_change
from livesession.core.clock import now
from livesession.core.models import Client, Membership, Role
from livesession.messaging.services import queue_email
from livesession.processors.models import (
    HOSTING,
    ChangeKind,
    ChangeNotice,
    DataCategory,
    Mechanism,
    Objection,
    ServiceKind,
    SubProcessor,
)
from livesession.processors.rules import (
    ADEQUATE,
    DPF_CHECK_MAX_DAYS,
    DPF_COUNTRY,
    EEA,
    country_code,
    country_name,
)

FIELDS = ("legal_entity", "service_kind", "service", "country", "data_categories",
          "mechanism", "adequacy_decision", "dpf_checked_on", "scc_module", "tia_reference",
          "active_from", "active_until")
# Changing only these is a re-verification: recorded, but no notice to the clients.
RECHECK_ONLY = frozenset({"dpf_checked_on"})
DECIDERS = (Role.OWNER, Role.ADMIN)
MAX_REASON = 2000


def seed_from_settings() -> SubProcessor | None:
    """The platform's own hosting, so the register is never empty: HOSTING_PROVIDER_NAME in
    HOSTING_COUNTRY, when the register is empty (first migrate). Only inside the EEA, where
    no transfer mechanism needs evidence; elsewhere the operator registers it in the
    console. No notice (nothing changes for anyone) and no audit entry (it comes from the
    settings, at migrate, like the tables themselves). Returns the row made, if any."""
    from django.db import connection

    if SubProcessor._meta.db_table not in connection.introspection.table_names():
        return None  # migrated to a state before this app's table
    country = country_code(settings.HOSTING_COUNTRY)
    if country not in EEA or SubProcessor.objects.exists():
        return None
    moment = now()
    row = SubProcessor.objects.create(
        legal_entity=settings.HOSTING_PROVIDER_NAME, service_kind=ServiceKind.HOSTING_SERVERS,
        service="Servers, databases and backups of the platform", country=country,
        data_categories=list(DataCategory.values), mechanism=Mechanism.EEA,
        active_from=moment.date(), created_at=moment, updated_at=moment)
    return row


def _today() -> dt.date:
    return now().date()


def window_days() -> int:
    return max(int(settings.SUBPROCESSOR_OBJECTION_DAYS), 1)


def _text(data: dict[str, Any], name: str) -> str:
    return str(data.get(name) or "").strip()


def validate(data: dict[str, Any], *, new: bool) -> dict[str, Any]:
    """The cleaned entry, or a ValidationError keyed by field that says what is wrong and
    how to put it right."""
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {name: data.get(name) for name in FIELDS}
    for name in ("legal_entity", "service", "adequacy_decision", "scc_module",
                 "tia_reference"):
        clean[name] = _text(data, name)
    kind = _text(data, "service_kind")
    if kind not in ServiceKind.values:
        errors["service_kind"] = _("Choose the kind of service.")
    elif kind not in HOSTING:
        errors["service_kind"] = _(
            "Only hosting can be a sub-processor (policy P6.11): \"%(kind)s\" is not "
            "hosting, so it may not process the platform's personal data. Register a "
            "hosting provider, or run this service without personal data.") % {
            "kind": ServiceKind(kind).label}
    if not clean["legal_entity"]:
        errors["legal_entity"] = _("Give the provider's legal entity, as in its contract "
                                   "(for example \"OVH SAS\").")
    if not clean["service"]:
        errors["service"] = _("Describe the service in a few words (for example \"virtual "
                              "servers, Gravelines data centre\").")
    country = _text(data, "country").upper()
    clean["country"] = country
    if len(country) != 2 or country_name(country) == country:
        errors["country"] = _("Choose the country where the data is processed.")
    categories = list(dict.fromkeys(data.get("data_categories") or []))
    clean["data_categories"] = categories
    if not categories or any(c not in DataCategory.values for c in categories):
        errors["data_categories"] = _("Tick the categories of data this provider holds.")
    mechanism = _text(data, "mechanism")
    clean["mechanism"] = mechanism
    if country and "country" not in errors:
        _check_mechanism(clean, country, mechanism, errors, new=new)
    start, end = clean["active_from"], clean["active_until"]
    if not isinstance(start, dt.date):
        errors["active_from"] = _("Give the date from which the provider holds data.")
    elif new and start < _today() + dt.timedelta(days=window_days()):
        errors["active_from"] = ngettext(
            "Clients may object for %(days)d day after they are told: a new provider can "
            "start on %(date)s at the earliest.",
            "Clients may object for %(days)d days after they are told: a new provider can "
            "start on %(date)s at the earliest.", window_days()) % {
            "days": window_days(),
            "date": date_format(_today() + dt.timedelta(days=window_days()))}
    if isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
        errors["active_until"] = _("The end date must come after the start date.")
    if errors:
        raise ValidationError(errors)
    # Evidence of other mechanisms is not kept with the one chosen.
    if mechanism != Mechanism.ADEQUACY:
        clean["adequacy_decision"] = ""
    if mechanism != Mechanism.DPF:
        clean["dpf_checked_on"] = None
    if mechanism != Mechanism.SCC:
        clean["scc_module"] = clean["tia_reference"] = ""
    return clean


def _check_mechanism(clean: dict[str, Any], country: str, mechanism: str,
                     errors: dict[str, str], *, new: bool) -> None:
    name = country_name(country)
    if mechanism not in Mechanism.values:
        errors["mechanism"] = _("Choose the transfer mechanism.")
    elif country in EEA:
        if mechanism != Mechanism.EEA:
            errors["mechanism"] = _("%(country)s is in the EEA: there is no transfer; choose "
                                    "\"Inside the EEA\".") % {"country": name}
    elif mechanism == Mechanism.EEA:
        errors["mechanism"] = _("%(country)s is outside the EEA: choose the adequacy "
                                "decision, the Data Privacy Framework or standard "
                                "contractual clauses.") % {"country": name}
    elif mechanism == Mechanism.ADEQUACY:
        if country not in ADEQUATE:
            errors["mechanism"] = _("The European Commission has no adequacy decision for "
                                    "%(country)s: use standard contractual clauses with a "
                                    "transfer impact assessment.") % {"country": name}
        elif not clean["adequacy_decision"]:
            clean["adequacy_decision"] = ADEQUATE[country]
    elif mechanism == Mechanism.DPF:
        checked = clean["dpf_checked_on"]
        if country != DPF_COUNTRY:
            errors["mechanism"] = _("The Data Privacy Framework covers companies in the "
                                    "United States only.")
        elif not isinstance(checked, dt.date):
            errors["dpf_checked_on"] = _("Give the date you checked that this legal entity "
                                         "is on the Data Privacy Framework list.")
        elif checked > _today():
            errors["dpf_checked_on"] = _("The check date cannot be in the future.")
        elif _today() - checked > dt.timedelta(days=DPF_CHECK_MAX_DAYS):
            errors["dpf_checked_on"] = _("This check is more than a year old: certifications "
                                         "are renewed yearly. Check the list again and give "
                                         "today's date.")
    elif mechanism == Mechanism.SCC:
        if not clean["scc_module"]:
            errors["scc_module"] = _("Name the module of the standard contractual clauses "
                                     "(for example \"Module 3, processor to processor\").")
        if not clean["tia_reference"]:
            errors["tia_reference"] = _("Give the reference of the transfer impact assessment "
                                        "that goes with the clauses.")


def _snapshot(row: SubProcessor) -> dict[str, Any]:
    return {name: getattr(row, name) for name in FIELDS}


@transaction.atomic
def add_subprocessor(data: dict[str, Any], *, actor: str) -> SubProcessor:
    """Register a new hosting provider and tell every client (P2.4, P6.11)."""
    clean = validate(data, new=True)
    moment = now()
    row = SubProcessor.objects.create(created_at=moment, updated_at=moment, **clean)
    changes = diff({}, _snapshot(row))
    record_change(actor, "subprocessor.added", {}, _snapshot(row),
                  target=f"subprocessor:{row.pk}")
    _announce(row, ChangeKind.ADDED, changes, actor=actor)
    return row


@transaction.atomic
def change_subprocessor(row: SubProcessor, data: dict[str, Any], *,
                        actor: str) -> SubProcessor:
    """Change an entry; a material change is announced to every client with a new
    objection window. Returns the row."""
    row = SubProcessor.objects.select_for_update().get(pk=row.pk)
    before = _snapshot(row)
    clean = validate({**before, **data}, new=False)
    for name, value in clean.items():
        setattr(row, name, value)
    row.updated_at = now()
    row.save()
    after = _snapshot(row)
    changes = diff(before, after)
    record_change(actor, "subprocessor.changed", before, after,
                  target=f"subprocessor:{row.pk}")
    if set(changes) - RECHECK_ONLY:
        _announce(row, ChangeKind.CHANGED, changes, actor=actor)
    return row


def _recipients() -> list[Membership]:
    return list(Membership.objects.select_related("client", "user")
                .filter(client__is_active=True, role__in=DECIDERS,
                        user__is_active=True).order_by("client_id", "user_id"))


def _announce(row: SubProcessor, change: str, changes: dict[str, Any], *,
              actor: str) -> ChangeNotice:
    sent = now()
    notice = ChangeNotice.objects.create(
        subprocessor=row, change=change, changes=changes, sent_at=sent,
        objection_until=sent + dt.timedelta(days=window_days()))
    queued = 0
    for membership in _recipients():
        user = membership.user
        if not user.email:
            continue
        with translation.override(user.language or settings.LANGUAGE_CODE):
            body = render_to_string("emails/processors_notice.txt", {
                "client": membership.client, "row": row, "notice": notice,
                "added": change == ChangeKind.ADDED, "entry": describe(row),
                "until": date_format(notice.objection_until, "DATE_FORMAT"),
                "link": settings.SITE_URL + reverse(
                    "manager:subprocessors",
                    kwargs={"client_slug": membership.client.slug}),
            })
            line = (_("New hosting provider: %(name)s") if change == ChangeKind.ADDED
                    else _("Hosting provider changed: %(name)s")) % {"name": row.legal_entity}
        message = queue_email(subject=user.subject, to=user.email, subject_line=line,
                              body=body, kind="processors.notice",
                              client_id=membership.client_id)
        if message is not None:
            queued += 1
    ChangeNotice.objects.filter(pk=notice.pk).update(recipients=queued)
    notice.recipients = queued
    record(actor, "subprocessor.notice_sent", target=f"subprocessor:{row.pk}",
           details={"notice": notice.pk, "change": change, "recipients": queued,
                    "objection_until": notice.objection_until.isoformat()})
    return notice


def open_notices(at: dt.datetime | None = None) -> list[ChangeNotice]:
    moment = at or now()
    return list(ChangeNotice.objects.select_related("subprocessor")
                .filter(objection_until__gt=moment).order_by("objection_until"))


def _may_decide(membership: Membership) -> None:
    if membership.role not in DECIDERS:
        raise PermissionDenied


@transaction.atomic
def object_to(notice: ChangeNotice, membership: Membership, *, reason: str,
              actor: str) -> Objection:
    """The client objects to this change while its window is open (GDPR art. 28(2))."""
    _may_decide(membership)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why you object, so that the operator can "
                                           "answer (no personal data, please).")})
    if len(reason) > MAX_REASON:
        raise ValidationError({"reason": ngettext(
            "At most %(n)d character.", "At most %(n)d characters.", MAX_REASON)
            % {"n": MAX_REASON}})
    if now() >= notice.objection_until:
        raise ValidationError({"reason": _(
            "The objection period for this change ended on %(date)s. Write to the operator "
            "if you still disagree.") % {"date": date_format(notice.objection_until)}})
    objection, created = Objection.objects.get_or_create(
        notice=notice, client=membership.client,
        defaults={"objected_by_id": membership.user_id, "reason": reason,
                  "objected_at": now()})
    if not created:
        objection.reason, objection.objected_by_id = reason, membership.user_id
        objection.objected_at, objection.withdrawn_at = now(), None
        objection.save()
    record(actor, "subprocessor.objected", target=f"subprocessor:{notice.subprocessor_id}",
           client_id=membership.client_id, details={"notice": notice.pk})
    return objection


@transaction.atomic
def withdraw_objection(notice: ChangeNotice, membership: Membership, *, actor: str) -> bool:
    """True when an objection was withdrawn."""
    _may_decide(membership)
    changed = Objection.objects.filter(notice=notice, client=membership.client,
                                       withdrawn_at__isnull=True).update(withdrawn_at=now())
    if changed:
        record(actor, "subprocessor.objection_withdrawn",
               target=f"subprocessor:{notice.subprocessor_id}",
               client_id=membership.client_id, details={"notice": notice.pk})
    return bool(changed)


def objections_of(client: Client) -> dict[int, Objection]:
    """The client's current objections, by notice id."""
    return {o.notice_id: o for o in Objection.objects.filter(client=client,
                                                              withdrawn_at__isnull=True)}


# --- reading the register --------------------------------------------------------------

def safeguard(row: SubProcessor) -> str:
    """The ground of the transfer, in one sentence of the current language."""
    if row.mechanism == Mechanism.EEA:
        return _("Inside the European Economic Area: no transfer.")
    if row.mechanism == Mechanism.ADEQUACY:
        return _("Adequacy decision of the European Commission (%(decision)s).") % {
            "decision": row.adequacy_decision}
    if row.mechanism == Mechanism.DPF:
        checked = date_format(row.dpf_checked_on) if row.dpf_checked_on else "?"
        return _("EU-US Data Privacy Framework: the company's certification was checked on "
                 "%(date)s.") % {"date": checked}
    return _("Standard contractual clauses (%(module)s) with a transfer impact assessment "
             "(%(tia)s).") % {"module": row.scc_module, "tia": row.tia_reference}


def dpf_stale(row: SubProcessor) -> bool:
    return (row.mechanism == Mechanism.DPF and row.dpf_checked_on is not None
            and _today() - row.dpf_checked_on > dt.timedelta(days=DPF_CHECK_MAX_DAYS))


def describe(row: SubProcessor) -> dict[str, Any]:
    labels = dict(DataCategory.choices)
    return {
        "id": row.pk,
        "legal_entity": row.legal_entity,
        "service": row.service,
        "service_kind": row.service_kind,
        "service_kind_label": str(ServiceKind(row.service_kind).label),
        "country": row.country,
        "country_name": country_name(row.country),
        "in_eea": row.country in EEA,
        "data_categories": list(row.data_categories),
        "data_categories_labels": [str(labels.get(c, c)) for c in row.data_categories],
        "mechanism": row.mechanism,
        "mechanism_label": str(Mechanism(row.mechanism).label),
        "safeguard": str(safeguard(row)),
        "adequacy_decision": row.adequacy_decision,
        "dpf_checked_on": row.dpf_checked_on.isoformat() if row.dpf_checked_on else None,
        "scc_module": row.scc_module,
        "tia_reference": row.tia_reference,
        "active_from": row.active_from.isoformat(),
        "active_until": row.active_until.isoformat() if row.active_until else None,
    }


def current(at: dt.date | None = None, *, announced: bool = True) -> list[SubProcessor]:
    """Entries in force on ``at`` (today), and with ``announced`` those due to start."""
    day = at or _today()
    rows = SubProcessor.objects.filter(Q(active_until__isnull=True) | Q(active_until__gte=day))
    if not announced:
        rows = rows.filter(active_from__lte=day)
    return list(rows.order_by("active_from", "id"))


def for_notice() -> list[dict[str, Any]]:
    """The register for the privacy notice and the access export (P2.4, GDPR art. 13(1)(f),
    15(2)): each provider in force or announced, with its country, data and safeguard, in
    the current language. ``upcoming`` marks a provider announced but not started yet."""
    today = _today()
    out = []
    for row in current(today):
        item = describe(row)
        item["upcoming"] = row.active_from > today
        out.append(item)
    return out


STALE_ACTION = "subprocessor.dpf_stale"


@transaction.atomic
def flag_stale_dpf_checks(*, actor: str = "system:processors") -> int:
    """Tell operator staff, once per entry and check date, that a DPF verification is more
    than a year old (reference T-02: certifications are renewed yearly). Returns how many
    entries were flagged now. Run daily by ``processors.jobs``."""
    from livesession.accounts.models import User

    flagged = 0
    staff = list(User.objects.filter(is_operator=True, is_active=True).order_by("pk"))
    for row in current(announced=False):
        if not dpf_stale(row) or row.dpf_checked_on is None:
            continue
        checked = row.dpf_checked_on.isoformat()
        if AuditEntry.objects.filter(action=STALE_ACTION, target=f"subprocessor:{row.pk}",
                                     details__checked_on=checked).exists():
            continue
        for user in staff:
            if not user.email:
                continue
            with translation.override(user.language or settings.LANGUAGE_CODE):
                body = render_to_string("emails/processors_dpf_stale.txt", {
                    "entry": describe(row),
                    "link": settings.SITE_URL + reverse("console:subprocessor",
                                                        kwargs={"subprocessor_id": row.pk}),
                })
                line = _("Check the DPF certification of %(name)s again") % {
                    "name": row.legal_entity}
            queue_email(subject=user.subject, to=user.email, subject_line=line, body=body,
                        kind="processors.dpf_stale", client_id=None)
        record(actor, STALE_ACTION, target=f"subprocessor:{row.pk}",
               details={"checked_on": checked, "staff": len(staff)})
        flagged += 1
    return flagged
