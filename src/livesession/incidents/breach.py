"""The breach register's steps (issue 8 §1, §3; GDPR art. 33, 34; P3.7, P5.1, P5.2, P6.7).

An incident comes in by ``services.open_incident``. Staff then:

- ``assess(incident, actor=..., natures=..., data_categories=..., people_approx=...,
  records_approx=..., likely_consequences=..., risk_level=..., risk_reasoning=...,
  measures_taken=..., measures_proposed=..., role=..., client_ids=...)``
- ``decide(incident, actor=..., notify_cnil=..., notify_people=..., rationale=...)``
- ``record_notification(incident, actor=..., kind=..., phase=..., at=..., reference=...,
  delay_reason=..., client_id=...)`` (kind: cnil | participants | client)
- ``close(incident, actor=...)``: refused without the risk assessment and the decision.

Clocks: ``deadline(incident, kind)`` (72 h from ``aware_at`` for the CNIL and the people,
``BREACH_CLIENT_NOTICE_HOURS`` for clients), ``remaining(incident, kind)``. A notification
recorded after its deadline is refused without a reason for the delay. Every step writes an
audit entry with pseudonymous ids only; the words staff type are checked like the summary.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from livesession.audit.services import record
from livesession.core.clock import now
from livesession.incidents.models import (
    Incident,
    Kind,
    Nature,
    Notification,
    Phase,
    Risk,
    Role,
    Status,
)
from livesession.incidents.services import clean_summary

CNIL_HOURS = 72
PEOPLE_HOURS = 72
ALERT_HOURS = (24, 48, 60)
TEXT_MAX = 4000
REFERENCE_MAX = 100


def deadline(incident: Incident, kind: str = Kind.CNIL) -> dt.datetime:
    """When the notification of ``kind`` is due: 72 h after awareness for the CNIL and the
    people concerned, BREACH_CLIENT_NOTICE_HOURS (24 h) for clients. Aware-aware arithmetic
    in UTC: a DST change does not move the deadline."""
    if kind == Kind.CLIENT:
        hours = float(settings.BREACH_CLIENT_NOTICE_HOURS)
    elif kind == Kind.PARTICIPANTS:
        hours = PEOPLE_HOURS
    else:
        hours = CNIL_HOURS
    return incident.aware_at.astimezone(dt.UTC) + dt.timedelta(hours=hours)


def remaining(incident: Incident, kind: str = Kind.CNIL,
              at: dt.datetime | None = None) -> dt.timedelta:
    """Time left before the deadline of ``kind`` (negative once past)."""
    return deadline(incident, kind) - (at or now())


def elapsed_hours(incident: Incident, at: dt.datetime | None = None) -> float:
    return ((at or now()) - incident.aware_at).total_seconds() / 3600


def is_assessed(incident: Incident) -> bool:
    return bool(incident.assessed_at and incident.risk_level and incident.risk_reasoning)


def is_decided(incident: Incident) -> bool:
    return bool(incident.decided_at and incident.decision_rationale)


def notified(incident: Incident, kind: str, client_id: int | None = None) -> bool:
    rows = incident.notifications.filter(kind=kind)
    if client_id is not None:
        rows = rows.filter(client_id=client_id)
    return rows.exists()


def registry_categories() -> list[tuple[str, str]]:
    """The data categories staff choose from: each model the personal-data registry declares
    personal fields for, as (label, name)."""
    from livesession.protection.registry import all_declarations

    out = []
    for label, decl in sorted(all_declarations().items()):
        if decl.personal:
            out.append((label, label))
    return out


def _text(errors: dict[str, list[str]], field: str, value: str, *, required: bool,
          missing: str) -> str:
    text = (value or "").strip()
    if not text:
        if required:
            errors.setdefault(field, []).append(missing)
        return ""
    if len(text) > TEXT_MAX:
        errors.setdefault(field, []).append(
            ngettext("Keep this under %(max)d character.", "Keep this under %(max)d characters.",
                     TEXT_MAX) % {"max": TEXT_MAX})
        return text
    try:
        clean_summary(text)
    except ValidationError as exc:
        errors.setdefault(field, []).extend(exc.message_dict.get("summary", []))
    return text


def _open(incident: Incident) -> None:
    if incident.status == Status.CLOSED:
        raise ValidationError(_("This incident is closed: it can no longer change."))


def assess(incident: Incident, *, actor: str, natures: Iterable[str],
           data_categories: Iterable[str], people_approx: int | None,
           records_approx: int | None, likely_consequences: str, risk_level: str,
           risk_reasoning: str, measures_taken: str, measures_proposed: str, role: str,
           client_ids: Iterable[int] = ()) -> Incident:
    """Record (or revise) the risk assessment. Raises ValidationError per wrong field."""
    from livesession.core.models import Client

    _open(incident)
    errors: dict[str, list[str]] = {}
    chosen = [n for n in dict.fromkeys(natures) if n]
    if not chosen or any(n not in Nature.values or n == Nature.UNKNOWN for n in chosen):
        errors.setdefault("natures", []).append(_(
            "Choose at least one nature: confidentiality, integrity or availability."))
    known = {label for label, _name in registry_categories()}
    categories = [c for c in dict.fromkeys(data_categories) if c]
    wrong = [c for c in categories if c not in known]
    if wrong:
        errors.setdefault("data_categories", []).append(
            _("Unknown data categories: %(list)s.") % {"list": ", ".join(wrong)[:200]})
    for field, value in (("people_approx", people_approx), ("records_approx", records_approx)):
        if value is not None and value < 0:
            errors.setdefault(field, []).append(_("Give a number of zero or more."))
    if risk_level not in Risk.values:
        errors.setdefault("risk_level", []).append(_("Choose the risk level: none, risk or "
                                                     "high risk."))
    reasoning = _text(errors, "risk_reasoning", risk_reasoning, required=True,
                      missing=_("Explain why you chose this risk level."))
    consequences = _text(errors, "likely_consequences", likely_consequences,
                         required=risk_level in (Risk.RISK, Risk.HIGH),
                         missing=_("Describe the likely consequences for the people."))
    taken = _text(errors, "measures_taken", measures_taken, required=False, missing="")
    proposed = _text(errors, "measures_proposed", measures_proposed, required=False,
                     missing="")
    if role not in Role.values:
        errors.setdefault("role", []).append(_(
            "Choose the operator's role: controller (platform accounts) or processor "
            "(client data)."))
    ids = sorted({int(i) for i in client_ids})
    clients = list(Client.objects.filter(pk__in=ids))
    if len(clients) != len(ids):
        errors.setdefault("client_ids", []).append(_("One of the clients does not exist."))
    if role == Role.PROCESSOR and not ids:
        errors.setdefault("client_ids", []).append(_(
            "As processor, name the client or clients whose data is concerned."))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Incident.objects.select_for_update().get(pk=incident.pk)
        _open(locked)
        locked.natures = chosen
        locked.nature = chosen[0]
        locked.data_categories = categories
        locked.people_approx = people_approx
        locked.records_approx = records_approx
        locked.likely_consequences = consequences
        locked.risk_level = risk_level
        locked.risk_reasoning = reasoning
        locked.measures_taken = taken
        locked.measures_proposed = proposed
        locked.role = role
        locked.assessed_at = now()
        locked.assessed_by = actor[:64]
        locked.save()
        locked.clients_affected.set(clients)
        record(actor, "incident.assessed", target=f"incident:{locked.pk}",
               client_id=locked.client_id,
               details={"risk_level": risk_level, "natures": chosen, "role": role,
                        "categories": categories, "people": people_approx,
                        "records": records_approx, "clients": ids})
    return locked


def decide(incident: Incident, *, actor: str, notify_cnil: bool, notify_people: bool,
           rationale: str, complement_due: dt.datetime | None = None) -> Incident:
    """Record the decision to notify the CNIL and the people concerned, or not, and why
    (art. 33.5). Needs the assessment first. A high risk with no notice to people needs an
    art. 34.3 exemption written in the rationale (the rationale is required anyway)."""
    _open(incident)
    if not is_assessed(incident):
        raise ValidationError(_("Assess the risk first: the decision follows from it."))
    errors: dict[str, list[str]] = {}
    text = _text(errors, "rationale", rationale, required=True,
                 missing=_("Explain why you notify, or why not."))
    if complement_due is not None and complement_due < incident.aware_at:
        errors.setdefault("complement_due", []).append(
            _("The complement cannot be due before awareness."))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Incident.objects.select_for_update().get(pk=incident.pk)
        _open(locked)
        locked.notify_cnil = bool(notify_cnil)
        locked.notify_people = bool(notify_people)
        locked.decision_rationale = text
        locked.decided_at = now()
        locked.decided_by = actor[:64]
        locked.complement_due = complement_due
        locked.save()
        record(actor, "incident.decided", target=f"incident:{locked.pk}",
               client_id=locked.client_id,
               details={"notify_cnil": bool(notify_cnil), "notify_people": bool(notify_people),
                        "complement_due": complement_due.isoformat() if complement_due
                        else None})
    return locked


def record_notification(incident: Incident, *, actor: str, kind: str,
                        phase: str = Phase.INITIAL, at: dt.datetime | None = None,
                        reference: str = "", delay_reason: str = "",
                        client_id: int | None = None) -> Notification:
    """Record one notification (kind cnil | participants | client, phase initial |
    complementary) made at ``at`` (default now), with its reference (the CNIL's once filed).
    After its deadline, refused without ``delay_reason`` (art. 33.1). A client notice names
    one of the clients affected."""
    _open(incident)
    errors: dict[str, list[str]] = {}
    if kind not in Kind.values:
        errors.setdefault("kind", []).append(_("Choose who was notified."))
    if phase not in Phase.values:
        errors.setdefault("phase", []).append(_("Choose the phase: initial or "
                                                "complementary."))
    when = at or now()
    if when > now():
        errors.setdefault("at", []).append(_("The notification time is in the future."))
    if when < incident.aware_at:
        errors.setdefault("at", []).append(_("The notification cannot be before awareness."))
    ref = (reference or "").strip()
    if len(ref) > REFERENCE_MAX:
        errors.setdefault("reference", []).append(
            ngettext("Keep the reference under %(max)d character.",
                     "Keep the reference under %(max)d characters.", REFERENCE_MAX)
            % {"max": REFERENCE_MAX})
    if kind == Kind.CLIENT:
        if client_id is None:
            errors.setdefault("client_id", []).append(_("Choose the client that was told."))
        elif not incident.clients_affected.filter(pk=client_id).exists() and \
                incident.client_id != client_id:
            errors.setdefault("client_id", []).append(
                _("This client is not among the clients affected; assess the incident "
                  "again to add it."))
    elif client_id is not None:
        errors.setdefault("client_id", []).append(
            _("Only a notice to a client names a client."))
    if phase == Phase.COMPLEMENTARY and kind in Kind.values and not \
            incident.notifications.filter(kind=kind, phase=Phase.INITIAL).exists():
        errors.setdefault("phase", []).append(
            _("Record the initial notification before a complementary one."))
    late = kind in Kind.values and when > deadline(incident, kind) and \
        phase == Phase.INITIAL
    reason = _text(errors, "delay_reason", delay_reason, required=late,
                   missing=_("This notification is after its deadline (%(deadline)s UTC): "
                             "give the reason for the delay.")
                   % {"deadline": deadline(incident, kind).strftime("%Y-%m-%d %H:%M")}
                   if kind in Kind.values else "")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Incident.objects.select_for_update().get(pk=incident.pk)
        _open(locked)
        row = Notification.objects.create(
            incident=locked, kind=kind, phase=phase, client_id=client_id, at=when,
            reference=ref, delay_reason=reason, late=late, recorded_by=actor[:64],
            recorded_at=now())
        record(actor, "incident.notified", target=f"incident:{locked.pk}",
               client_id=client_id or locked.client_id,
               details={"kind": kind, "phase": phase, "at": when.isoformat(), "late": late,
                        "reference": ref, "client": client_id})
    return row


def close(incident: Incident, *, actor: str) -> Incident:
    """Close the incident: refused without the risk assessment and the decision."""
    _open(incident)
    if not is_assessed(incident):
        raise ValidationError(_(
            "This incident cannot be closed without its risk assessment: record the risk "
            "level and the reasoning first."))
    if not is_decided(incident):
        raise ValidationError(_(
            "This incident cannot be closed without the decision to notify or not, and "
            "why: record the decision first."))
    with transaction.atomic():
        locked = Incident.objects.select_for_update().get(pk=incident.pk)
        _open(locked)
        locked.status = Status.CLOSED
        locked.closed_at = now()
        locked.save(update_fields=["status", "closed_at"])
        record(actor, "incident.closed", target=f"incident:{locked.pk}",
               client_id=locked.client_id, details={})
    return locked


def _needs_alert(incident: Incident) -> bool:
    """An open incident whose notifications are still owed: nothing decided yet, or a
    notification decided and not recorded."""
    if incident.status != Status.OPEN:
        return False
    if not is_decided(incident):
        return True
    owed = []
    if incident.notify_cnil:
        owed.append(Kind.CNIL)
    if incident.notify_people:
        owed.append(Kind.PARTICIPANTS)
    return any(not notified(incident, kind) for kind in owed)


def send_due_alerts(at: dt.datetime | None = None) -> list[tuple[Incident, int]]:
    """Alert operator staff by email at 24, 48 and 60 hours after awareness, once per
    incident and mark (Alert's unique constraint; a mark passed while the job did not run
    is sent once, the latest only). Returns what was sent now."""
    from django.db import IntegrityError
    from django.template.loader import render_to_string
    from django.urls import reverse
    from django.utils import translation

    from livesession.accounts.models import User
    from livesession.incidents.models import Alert
    from livesession.messaging.services import queue_email

    moment = at or now()
    sent: list[tuple[Incident, int]] = []
    earliest = moment - dt.timedelta(hours=min(ALERT_HOURS))
    for incident in Incident.objects.filter(status=Status.OPEN, aware_at__lte=earliest):
        if not _needs_alert(incident):
            continue
        hours_in = elapsed_hours(incident, moment)
        reached = [h for h in ALERT_HOURS if hours_in >= h]
        if not reached:
            continue
        mark = reached[-1]
        done = set(incident.alerts.values_list("hours", flat=True))
        if mark in done:
            continue
        staff = list(User.objects.filter(is_operator=True, is_active=True).order_by("pk"))
        with transaction.atomic():
            try:
                with transaction.atomic():
                    # The skipped marks too, so a late run does not send them afterwards.
                    for h in reached:
                        if h not in done:
                            Alert.objects.create(incident=incident, hours=h, sent_at=moment)
            except IntegrityError:
                continue
            left = remaining(incident, Kind.CNIL, moment)
            for user in staff:
                if not user.email:
                    continue
                with translation.override(user.language or settings.LANGUAGE_CODE):
                    body = render_to_string("emails/breach_alert.txt", {
                        "incident": incident, "hours": mark,
                        "left_hours": max(0, int(left.total_seconds() // 3600)),
                        "deadline": deadline(incident, Kind.CNIL),
                        "client_deadline": deadline(incident, Kind.CLIENT),
                        "link": settings.SITE_URL + reverse(
                            "console:incident", kwargs={"incident_id": incident.pk}),
                    })
                    hours_left = max(0, int(left.total_seconds() // 3600))
                    line = " ".join([
                        ngettext("Incident %(ref)s: %(hours)d hour since awareness,",
                                 "Incident %(ref)s: %(hours)d hours since awareness,", mark)
                        % {"ref": incident.reference, "hours": mark},
                        ngettext("%(left)d hour left to notify",
                                 "%(left)d hours left to notify", hours_left)
                        % {"left": hours_left}])
                queue_email(subject=user.subject, to=user.email, subject_line=line,
                            body=body, kind="incidents.alert", client_id=None)
            record("system:incidents", "incident.alerted", target=f"incident:{incident.pk}",
                   details={"hours": mark, "staff": len(staff)})
        sent.append((incident, mark))
    return sent


def _iso(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).isoformat() if value else None


def clock(incident: Incident, at: dt.datetime | None = None) -> dict[str, dict[str, object]]:
    """Each deadline with the time left (seconds, negative once past) and whether the
    initial notification is recorded; for the console's countdowns and the API."""
    moment = at or now()
    out: dict[str, dict[str, object]] = {}
    for kind in (Kind.CNIL, Kind.PARTICIPANTS, Kind.CLIENT):
        due = deadline(incident, kind)
        out[str(kind)] = {"deadline": _iso(due),
                          "seconds_left": int((due - moment).total_seconds()),
                          "notified": notified(incident, kind)}
    return out


def register_entry(incident: Incident, at: dt.datetime | None = None) -> dict[str, object]:
    """One incident as the register shows it (art. 33.5): pseudonymous references, no
    personal value. The JSON export, the printable page and the API use it."""
    return {
        "id": str(incident.pk), "reference": incident.reference,
        "source": incident.source, "status": incident.status,
        "detected_at": _iso(incident.detected_at), "aware_at": _iso(incident.aware_at),
        "closed_at": _iso(incident.closed_at),
        "summary": incident.summary, "refs": list(incident.refs),
        "client": incident.client_id,
        "natures": list(incident.natures) or ([incident.nature]
                                              if incident.nature != Nature.UNKNOWN else []),
        "data_categories": list(incident.data_categories),
        "people_approx": incident.people_approx, "records_approx": incident.records_approx,
        "likely_consequences": incident.likely_consequences,
        "risk_level": incident.risk_level or None, "risk_reasoning": incident.risk_reasoning,
        "measures_taken": incident.measures_taken,
        "measures_proposed": incident.measures_proposed,
        "role": incident.role or None,
        "clients_affected": sorted(incident.clients_affected.values_list("pk", flat=True)),
        "assessed_at": _iso(incident.assessed_at), "assessed_by": incident.assessed_by,
        "decision": {"notify_cnil": incident.notify_cnil,
                     "notify_people": incident.notify_people,
                     "rationale": incident.decision_rationale,
                     "decided_at": _iso(incident.decided_at),
                     "decided_by": incident.decided_by,
                     "complement_due": _iso(incident.complement_due)},
        "notifications": [{"kind": n.kind, "phase": n.phase, "client": n.client_id,
                           "at": _iso(n.at), "reference": n.reference, "late": n.late,
                           "delay_reason": n.delay_reason, "recorded_by": n.recorded_by}
                          for n in incident.notifications.all()],
        "clock": clock(incident, at),
    }


def register(at: dt.datetime | None = None) -> dict[str, object]:
    """The whole register, every incident notified or not, oldest first."""
    moment = at or now()
    rows = Incident.objects.order_by("detected_at", "pk").prefetch_related(
        "notifications", "clients_affected")
    return {"generated_at": _iso(moment), "incidents": [register_entry(i, moment)
                                                        for i in rows]}
