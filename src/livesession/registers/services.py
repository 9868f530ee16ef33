"""The register of processing as a document, its records' dates and versions, and each
client's compliance evidence (issue 6 §3, §7; P3.2, P6.6; GDPR art. 28(3)(h), 30).

``register_document()`` is the whole register (the console); ``register_document(client)``
is one client's processor record with the common page (the Manager). Both are generated
from the live configuration (``registers.build``) on every call. Each record's content, in
English and without its dates, is compared with its last kept version
(``RecordVersion``): a change starts a new version, so the record's creation date is its
first version and its update date its last one (the hourly job ``registers.jobs`` keeps
them current when nobody looks). ``evidence(client)`` gathers what the client needs to
demonstrate compliance.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Min
from django.utils import timezone, translation

from livesession.audit.services import record
from livesession.core.clock import now
from livesession.core.models import Client, Membership, Role
from livesession.registers import build
from livesession.registers.measures import security_measures
from livesession.registers.models import RecordVersion

FORMAT = "livesession-register"
EVIDENCE_FORMAT = "livesession-compliance-evidence"
VERSION = 1
# The language a record's versions are compared in (its content is stored in it too).
VERSION_LANGUAGE = "en"


def digest(content: Any) -> str:
    text = json.dumps(content, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def keep_version(key: str, content: dict[str, Any]) -> dict[str, Any]:
    """Keep ``content`` as the record's new version when it differs from the last one, and
    return the record's dates: ``created_at`` (first version), ``updated_at`` (last
    version), ``version`` (their number). Two readers racing may both add the same new
    version a moment apart; the dates stay right to that moment."""
    key_digest = digest(content)
    rows = RecordVersion.objects.filter(record_key=key)
    last = rows.order_by("-id").values_list("digest", flat=True).first()
    if last != key_digest:
        with transaction.atomic():
            RecordVersion.objects.create(record_key=key, digest=key_digest, content=content,
                                         first_seen_at=now())
    stats = rows.aggregate(first=Min("first_seen_at"), last=Max("first_seen_at"),
                           n=Count("id"))
    return {"created_at": _iso(stats["first"]), "updated_at": _iso(stats["last"]),
            "version": stats["n"], "digest": key_digest}


def _dated(make: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Build a record in the active language, and record its version from its English
    build (the same facts; the dates must not move when a reader changes language)."""
    body = make()
    if (translation.get_language() or "") == VERSION_LANGUAGE:
        english = body
    else:
        with translation.override(VERSION_LANGUAGE):
            english = make()
    dates = keep_version(body["key"], english)
    return {**body, **dates}


def contacts(client: Client) -> list[dict[str, str]]:
    """The client's owners and administrators, to reach the controller (art. 30(2)(a)).
    Read live, never kept in a version; an account whose key is gone is left out."""
    from livesession.protection import keystore
    from livesession.protection.crypto import KeyDestroyed

    out = []
    members = (Membership.objects.select_related("user")
               .filter(client=client, role__in=(Role.OWNER, Role.ADMIN), user__is_active=True)
               .order_by("role", "user_id"))
    with keystore.unit_of_work():
        for membership in members:
            try:
                email = membership.user.email
            except KeyDestroyed:
                continue
            if email:
                out.append({"role": membership.role, "email": email})
    return out


def processor_record(client: Client, *, with_contacts: bool = True) -> dict[str, Any]:
    record_ = _dated(lambda: build.processor_record(client))
    record_["created_at"] = _iso(client.created_at)  # the record exists since the client
    record_["client"]["contacts"] = contacts(client) if with_contacts else []
    return record_


def controller_activities() -> list[dict[str, Any]]:
    """The operator's activities, each with its dates."""
    english: dict[str, dict[str, Any]] = {}
    if (translation.get_language() or "") != VERSION_LANGUAGE:
        with translation.override(VERSION_LANGUAGE):
            english = {a["key"]: a for a in build.controller_activities()}
    out = []
    for activity in build.controller_activities():
        dates = keep_version(activity["key"], english.get(activity["key"], activity))
        out.append({**activity, **dates})
    return out


def register_document(client: Client | None = None) -> dict[str, Any]:
    """The register (``client`` None: the whole of it, for the operator) or one client's
    processor record with the common page (P3.2, P-06). Matches
    static/livesession/schemas/register-v1.json."""
    clients = [client] if client is not None else list(Client.objects.order_by("name", "pk"))
    return {
        "format": FORMAT,
        "version": VERSION,
        "schema": build.SCHEMA_URL,
        "generated_at": now().isoformat(),
        "language": translation.get_language() or settings.LANGUAGE_CODE,
        "scope": "client" if client is not None else "platform",
        "organisation": build.organisation(),
        "security_measures": security_measures(),
        "controller_activities": controller_activities() if client is None else [],
        "processor_records": [processor_record(c) for c in clients],
    }


def snapshot_all() -> int:
    """Build every record once, keeping a version of those that changed (the hourly job).
    Returns the number of records looked at."""
    with translation.override(VERSION_LANGUAGE):
        count = 0
        for activity in build.controller_activities():
            keep_version(activity["key"], activity)
            count += 1
        for client in Client.objects.order_by("pk"):
            body = build.processor_record(client)
            keep_version(body["key"], body)
            count += 1
    return count


def versions(key: str) -> list[RecordVersion]:
    return list(RecordVersion.objects.filter(record_key=key).order_by("-id"))


@transaction.atomic
def record_export(actor: str, what: str, *, client: Client | None = None,
                  fmt: str = "") -> None:
    """An export of the register or of a client's evidence is audited (P6.6)."""
    record(actor, f"registers.{what}_exported",
           target=f"client:{client.pk}" if client is not None else "register",
           client_id=client.pk if client is not None else None, details={"format": fmt})


# --- Compliance evidence (issue 6 §7) -----------------------------------------------------

def _desk(client: Client) -> dict[str, Any]:
    from livesession.desk.deadlines import today
    from livesession.desk.models import CLOSED, RequestType, Status
    from livesession.desk.services import requests_of

    rows = list(requests_of(client).values("type", "status", "due_on", "extended_until",
                                           "responded_at"))
    day = today()
    by_type = Counter(r["type"] for r in rows)
    by_status = Counter(r["status"] for r in rows)
    open_rows = [r for r in rows if r["status"] not in CLOSED
                 and r["status"] != Status.AWAITING_CONTROLLER]
    overdue = [r for r in open_rows if (r["extended_until"] or r["due_on"]) < day]
    answered = [r for r in rows if r["responded_at"] is not None]
    late = [r for r in answered
            if timezone.localdate(r["responded_at"]) > (r["extended_until"] or r["due_on"])]
    types = dict(RequestType.choices)
    statuses = dict(Status.choices)
    return {
        "total": len(rows),
        "by_type": [{"type": key, "label": str(types.get(key, key)), "count": by_type[key]}
                    for key in sorted(by_type)],
        "by_status": [{"status": key, "label": str(statuses.get(key, key)),
                       "count": by_status[key]} for key in sorted(by_status)],
        "open": len(open_rows),
        "overdue": len(overdue),
        "answered": len(answered),
        "answered_late": len(late),
    }


def _retention_evidence(client: Client, rules: list[dict[str, Any]]) -> dict[str, Any]:
    if not apps.is_installed("livesession.retention"):
        return {"available": False, "rules": rules, "holds": [], "purge_runs": [],
                "forecast": []}
    from livesession.retention.models import LegalHold, PurgeRun
    from livesession.retention.purge import forecast

    holds = [{"scope": h.scope, "reason": h.reason, "created_at": _iso(h.created_at),
              "lifted_at": _iso(h.lifted_at)}
             for h in LegalHold.objects.filter(client=client).order_by("-created_at")[:50]]
    # The runs are the platform's (every client at once); their counts are the platform's
    # too and are not shown to one client: the dates and the categories done are.
    runs = [{"started_at": _iso(r.started_at), "finished_at": _iso(r.finished_at),
             "status": r.status, "resumed": r.resumed,
             "categories": sorted(k for k, v in r.progress.items() if v.get("done"))}
            for r in PurgeRun.objects.order_by("-started_at")[:30]]
    plan = [{"category": f["category"], "label": str(f["label"]), "counts": f["counts"]}
            for f in forecast(client.pk)]
    return {"available": True, "rules": rules, "holds": holds, "purge_runs": runs,
            "forecast": plan}


def _staff_access(client: Client) -> dict[str, Any]:
    """Operator staff accesses to the client's data (issue 6 §6) when that app is here:
    each grant with its reason and time, and its reads."""
    from livesession.audit.models import AuditEntry

    audited = AuditEntry.objects.filter(client_id=client.pk,
                                        action__startswith="staff_access.").count()
    if not apps.is_installed("livesession.staffaccess"):
        return {"available": False, "grants": [], "audit_entries": audited}
    grant_model = apps.get_model("staffaccess", "StaffAccessGrant")
    grants = []
    for grant in (grant_model.objects.filter(client=client).annotate(n_reads=Count("reads"))
                  .order_by("-starts_at")[:200]):
        grants.append({"staff": grant.staff_ref, "reason": grant.reason,
                       "ticket": grant.ticket, "starts_at": _iso(grant.starts_at),
                       "expires_at": _iso(grant.expires_at), "ended_at": _iso(grant.ended_at),
                       "reads": grant.n_reads})
    return {"available": True, "grants": grants, "audit_entries": audited}


def _audit_status(client: Client) -> dict[str, Any]:
    from livesession.audit.models import AuditEntry
    from livesession.audit.services import check

    status = check()  # the whole chain, now: its state is what the client is shown
    last = (AuditEntry.objects.filter(action="audit.verified").order_by("-id")
            .values_list("at", flat=True).first())
    return {"intact": status.intact, "entries": status.entries, "head": status.head,
            "broken_id": status.broken_id, "reason": status.reason,
            "checked_at": now().isoformat(), "last_verified_by_operator": _iso(last),
            "client_entries": AuditEntry.objects.filter(client_id=client.pk).count()}


def _notices(client: Client) -> list[dict[str, Any]]:
    if not apps.is_installed("livesession.processors"):
        return []
    from livesession.processors.models import ChangeNotice
    from livesession.processors.services import objections_of

    mine = objections_of(client)
    return [{"subprocessor": n.subprocessor.legal_entity, "change": n.change,
             "sent_at": _iso(n.sent_at), "objection_until": _iso(n.objection_until),
             "objected": n.pk in mine}
            for n in ChangeNotice.objects.select_related("subprocessor").order_by("-sent_at")[:50]]


def evidence(client: Client) -> dict[str, Any]:
    """One client's compliance evidence (P6.6, P-06): its processor record, sub-processors
    and change notices, retention rules with holds and purge history, operator staff
    accesses, request-desk history, security measures and the audit chain's status."""
    register = register_document(client)
    own = register["processor_records"][0]
    return {
        "format": EVIDENCE_FORMAT,
        "version": VERSION,
        "generated_at": now().isoformat(),
        "language": register["language"],
        "client": {"id": f"client:{client.pk}", "name": client.name, "slug": client.slug},
        "register": register,
        "sub_processors": {"entries": own["sub_processors"], "notices": _notices(client)},
        "retention": _retention_evidence(client, own["retention"]),
        "staff_access": _staff_access(client),
        "request_desk": _desk(client),
        "security_measures": register["security_measures"],
        "audit": _audit_status(client),
    }
