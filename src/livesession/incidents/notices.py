"""The notices of a breach (issue 8 §4): to each affected participant (P5.1, GDPR art.
34) and to each affected client (P6.7, art. 33.2). The CNIL's document is ``cnil.py``.

- ``store_affected`` computes the people and records of a scope (``affected.py``), keeps
  the scope and the counts in the audit trail (``incident.affected``) and the numbers on
  the incident (people, records, categories, clients affected).
- ``send_participant_notices`` mails each affected person, in their language, the three
  parts P5.1 requires (nature; probable consequences; measures taken or proposed and what
  the person can do) plus the contact point, through the outbox (kind
  ``breach.participant``, which reaches a restricted person too). For a client's data it
  is refused unless the client's instruction is recorded (``record_client_instruction``);
  an instruction to co-sign puts the client's name in the mail. Per-recipient status: the
  outbox rows listed in the audit entry ``incident.participant_notices``
  (``participant_status``).
- ``notify_clients`` sends each affected client's owners and administrators a structured
  notice with the art. 33(3) facts about its data, keeps those facts in the audit trail
  (``incident.client_notice``; the Manager page reads them) and records the notification
  (``breach.record_notification``, with the client deadline).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from livesession.audit.models import AuditEntry
from livesession.audit.services import record
from livesession.core.clock import now
from livesession.incidents import breach
from livesession.incidents.affected import Affected, Scope, affected, category_label
from livesession.incidents.models import Incident, Kind, Nature
from livesession.incidents.services import clean_summary

PARTICIPANT_KIND = "breach.participant"
CLIENT_KIND = "breach.client"
PARTICIPANT_TEMPLATE = "emails/breach_participant.txt"
CLIENT_TEMPLATE = "emails/breach_client.txt"
LANGUAGES = ("en", "fr")
PARTS = ("nature", "consequences", "measures")
PART_MAX = 3000


@dataclass(frozen=True)
class NoticeText:
    """The words of the participants' notice in one language: the three parts of P5.1."""

    nature: str
    consequences: str
    measures: str  # measures taken or proposed, and what the person can do


def part_names() -> dict[str, str]:
    return {"nature": _("the nature of the breach"),
            "consequences": _("its probable consequences"),
            "measures": _("the measures taken or proposed, and what the person can do")}


def validate_texts(texts: dict[str, NoticeText]) -> dict[str, NoticeText]:
    """Each language (English and French) with its three parts, or a ValidationError that
    names each missing part (P5.1)."""
    errors: dict[str, list[str]] = {}
    names = part_names()
    cleaned: dict[str, NoticeText] = {}
    for language in LANGUAGES:
        text = texts.get(language)
        values = {p: (getattr(text, p, "") or "").strip() for p in PARTS}
        for part, value in values.items():
            key = f"{part}_{language}"
            if not value:
                errors.setdefault(key, []).append(_(
                    "The notice in %(language)s lacks %(part)s: the law requires the three "
                    "parts (nature, probable consequences, measures). Write it.")
                    % {"language": language.upper(), "part": names[part]})
            elif len(value) > PART_MAX:
                errors.setdefault(key, []).append(
                    ngettext("Keep each part under %(max)d character.",
                             "Keep each part under %(max)d characters.", PART_MAX)
                    % {"max": PART_MAX})
            else:
                try:
                    clean_summary(value)
                except ValidationError as exc:
                    errors.setdefault(key, []).extend(exc.message_dict["summary"])
        cleaned[language] = NoticeText(**values)
    if errors:
        raise ValidationError(errors)
    return cleaned


_PLACEHOLDER = re.compile(r"{{\s*(\w+)\s*}}")


def validate_template(source: str) -> str:
    """A notice template must show the three parts and the contact point: each of
    ``{{ nature }}``, ``{{ consequences }}``, ``{{ measures }}`` and ``{{ contact }}``.
    Refused with a message that names what is missing."""
    used = set(_PLACEHOLDER.findall(source or ""))
    missing = [name for name in (*PARTS, "contact") if name not in used]
    if missing:
        raise ValidationError(_(
            "This notice template lacks %(missing)s: a breach notice must give the nature, "
            "the probable consequences, the measures and the contact point (GDPR art. 34, "
            "policy P5.1).") % {"missing": ", ".join(f"{{{{ {m} }}}}" for m in missing)})
    return source


def _check_file_template(name: str) -> None:
    from django.template import engines

    backend: Any = engines["django"]
    validate_template(backend.engine.get_template(name).source)


def contact_point() -> str:
    """The contact point a notice gives (GDPR art. 33.3.b, 34.2): the DPO when there is one,
    else the privacy contact of the privacy notice."""
    from livesession.privacy.services import privacy_contact_email

    return str(settings.DPO_EMAIL or privacy_contact_email())


# --- affected people ------------------------------------------------------------------------

def store_affected(incident: Incident, scope: Scope, *, actor: str) -> Affected:
    """Compute who ``scope`` reaches; keep scope and counts (audit trail) and the numbers on
    the incident."""
    from livesession.core.models import Client

    found = affected(scope)
    with transaction.atomic():
        locked = Incident.objects.select_for_update().get(pk=incident.pk)
        breach._open(locked)  # a closed incident is not changed
        locked.people_approx = found.people
        locked.records_approx = found.records
        locked.data_categories = sorted(found.rows)
        locked.save(update_fields=["people_approx", "records_approx", "data_categories"])
        clients = [c for c in found.by_client if c]
        locked.clients_affected.add(*Client.objects.filter(pk__in=clients))
        record(actor, "incident.affected", target=f"incident:{locked.pk}",
               client_id=locked.client_id,
               details={"scope": scope.as_json(), **found.as_json()})
    incident.refresh_from_db()
    return found


def stored_affected(incident: Incident) -> dict[str, Any] | None:
    """The last scope and counts computed for ``incident`` (``store_affected``)."""
    entry = (AuditEntry.objects.filter(action="incident.affected",
                                       target=f"incident:{incident.pk}")
             .order_by("-id").first())
    return dict(entry.details) if entry is not None else None


def stored_scope(incident: Incident) -> Scope:
    stored = stored_affected(incident)
    if stored is None:
        raise ValidationError(_("Compute the affected people first (scope of the incident)."))
    return Scope.from_json(stored["scope"])


# --- the client's instruction ---------------------------------------------------------------

def record_client_instruction(incident: Incident, client: Any, *, by: str, at: dt.datetime,
                              text: str, cosign: bool = False) -> AuditEntry:
    """Record that ``client`` (the controller) instructed the operator to tell its people
    (GDPR art. 28.3; B-05), or approved a co-signed notice (``cosign``: its name in the
    mail). ``by`` is a pseudonymous id ("account:12") of who gave the instruction."""
    errors: dict[str, list[str]] = {}
    if at > now():
        errors.setdefault("at", []).append(_("The instruction time is in the future."))
    if not re.match(r"^[a-z]+:[0-9A-Za-z-]{1,64}$", by or ""):
        errors.setdefault("by", []).append(_("Name who gave the instruction by reference "
                                             "(for example account:12)."))
    wording = ""
    try:
        wording = clean_summary(text)
    except ValidationError as exc:
        errors.setdefault("text", []).extend(exc.message_dict["summary"])
    affected_ids = set(incident.clients_affected.values_list("pk", flat=True))
    if incident.client_id:
        affected_ids.add(incident.client_id)
    if client.pk not in affected_ids:
        errors.setdefault("client", []).append(_("This client is not among the clients "
                                                 "affected by the incident."))
    if errors:
        raise ValidationError(errors)
    return record(by, "incident.client_instruction", target=f"incident:{incident.pk}",
                  client_id=client.pk,
                  details={"at": at.isoformat(), "text": wording, "cosign": cosign})


def client_instruction(incident: Incident, client_id: int) -> AuditEntry | None:
    return (AuditEntry.objects.filter(action="incident.client_instruction",
                                      target=f"incident:{incident.pk}", client_id=client_id)
            .order_by("-id").first())


# --- participants ---------------------------------------------------------------------------

def _recipient(subject: Any) -> tuple[str, str] | None:
    """(address, language) of a subject: the account's, or their latest registration's."""
    from livesession.accounts.models import User
    from livesession.registrations.models import Registration

    if subject.client_id is None:
        user = User.objects.filter(subject=subject).first()
        if user is None or not user.email:
            return None
        return user.email, user.language or settings.LANGUAGE_CODE
    for registration in Registration.objects.filter(subject=subject).order_by("-created_at"):
        if registration.email:
            return registration.email, registration.language or settings.LANGUAGE_CODE
    return None


def _language(code: str) -> str:
    return code if code in LANGUAGES else "fr"


def send_participant_notices(incident: Incident, texts: dict[str, NoticeText], *,
                             actor: str, delay_reason: str = "") -> list[int]:
    """Mail each affected person the three-part notice (P5.1) in their language, with the
    contact point; returns the outbox ids. Refused (ValidationError) when a part is missing,
    when the contact point is not configured, or when a client whose people are concerned
    has given no instruction. Records the notification (kind ``participants``)."""
    from livesession.core.models import Client
    from livesession.messaging.services import queue_email
    from livesession.protection.models import Subject

    cleaned = validate_texts(texts)
    _check_file_template(PARTICIPANT_TEMPLATE)
    contact = contact_point()
    found = affected(stored_scope(incident))
    subjects = list(Subject.objects.filter(pk__in=found.subjects, shredded_at=None)
                    .order_by("pk"))
    clients = {s.client_id for s in subjects if s.client_id}
    signers: dict[int, str] = {}
    refused = []
    for client in Client.objects.filter(pk__in=clients).order_by("name"):
        instruction = client_instruction(incident, client.pk)
        if instruction is None:
            refused.append(client.name)
        elif instruction.details.get("cosign"):
            signers[client.pk] = client.name
    if refused:
        raise ValidationError(_(
            "These people's data belongs to %(clients)s: the operator, its processor, tells "
            "them only on the client's instruction or in a notice the client co-signs. "
            "Record the instruction first.") % {"clients": ", ".join(refused)})
    ids: list[int] = []
    with transaction.atomic():
        for subject in subjects:
            address = _recipient(subject)
            if address is None:
                continue
            to, code = address
            language = _language(code)
            with translation.override(language):
                text = cleaned[language]
                body = render_to_string(PARTICIPANT_TEMPLATE, {
                    "nature": text.nature, "consequences": text.consequences,
                    "measures": text.measures, "contact": contact,
                    "operator": settings.PLATFORM_OPERATOR_NAME,
                    "cosigner": signers.get(subject.client_id or 0, ""),
                    "reference": incident.reference})
                line = _("Important: a security incident concerning your data")
            message = queue_email(subject=subject, to=to, subject_line=line, body=body,
                                  kind=PARTICIPANT_KIND, client_id=subject.client_id)
            if message is not None:
                ids.append(message.pk)
        record(actor, "incident.participant_notices", target=f"incident:{incident.pk}",
               client_id=incident.client_id,
               details={"messages": ids, "people": len(subjects),
                        "cosigned": sorted(signers)})
        breach.record_notification(incident, actor=actor, kind=Kind.PARTICIPANTS,
                                   delay_reason=delay_reason)
    return ids


def participant_status(incident: Incident) -> list[dict[str, Any]]:
    """Per recipient: the outbox message, its status, when sent (pseudonymous ids only)."""
    from livesession.messaging.models import OutboxMessage

    ids: list[int] = []
    for entry in AuditEntry.objects.filter(action="incident.participant_notices",
                                           target=f"incident:{incident.pk}").order_by("id"):
        ids.extend(entry.details.get("messages", []))
    rows = OutboxMessage.objects.filter(pk__in=ids).order_by("pk")
    return [{"message": m.pk, "subject": f"subject:{m.subject_id}", "status": m.status,
             "status_label": m.get_status_display(), "sent_at": m.sent_at,
             "client_id": m.client_id} for m in rows]


# --- clients --------------------------------------------------------------------------------

def client_facts(incident: Incident, client: Any) -> dict[str, Any]:
    """What ``client`` needs for its own notification (GDPR art. 33.3), about its data."""
    stored = stored_affected(incident)
    found: Affected | None = None
    if stored is not None:
        scope = Scope.from_json(stored["scope"])
        if not scope.clients or client.pk in scope.clients:
            found = affected(Scope(
                clients=(client.pk,), events=scope.events, categories=scope.categories,
                since=scope.since, until=scope.until, audit_actions=scope.audit_actions,
                audit_actors=scope.audit_actors))
    natures = list(incident.natures or ([incident.nature] if incident.nature
                                        != Nature.UNKNOWN else []))
    return {
        "incident": str(incident.pk),
        "reference": incident.reference,
        "client": client.pk,
        "detected_at": incident.detected_at.isoformat(),
        "aware_at": incident.aware_at.isoformat(),
        "client_deadline": breach.deadline(incident, Kind.CLIENT).isoformat(),
        "cnil_deadline": breach.deadline(incident, Kind.CNIL).isoformat(),
        "natures": natures,
        "summary": incident.summary,
        "categories": dict(found.counts) if found else {},
        "people": found.people if found else None,
        "records": found.records if found else None,
        "likely_consequences": incident.likely_consequences,
        "risk_level": incident.risk_level,
        "measures_taken": incident.measures_taken,
        "measures_proposed": incident.measures_proposed,
        "contact": contact_point(),
        "operator": settings.PLATFORM_OPERATOR_NAME,
        "sent_at": now().isoformat(),
    }


def _affected_clients(incident: Incident) -> list[Any]:
    from livesession.core.models import Client

    ids = set(incident.clients_affected.values_list("pk", flat=True))
    if incident.client_id:
        ids.add(incident.client_id)
    return list(Client.objects.filter(pk__in=ids).order_by("name"))


def notify_clients(incident: Incident, *, actor: str, delay_reason: str = "") -> int:
    """Send each affected client's owners and administrators the structured notice (P6.7)
    and record it; returns how many clients were told. Refused before the assessment (the
    notice must carry the consequences and measures)."""
    from livesession.core.models import Membership, Role
    from livesession.messaging.services import queue_email

    if not breach.is_assessed(incident):
        raise ValidationError(_("Assess the incident first: the client's notice must give "
                                "the likely consequences and the measures."))
    clients = _affected_clients(incident)
    if not clients:
        raise ValidationError(_("No client is affected by this incident."))
    with transaction.atomic():
        for client in clients:
            facts = client_facts(incident, client)
            members = (Membership.objects.filter(client=client,
                                                 role__in=[Role.OWNER, Role.ADMIN])
                       .select_related("user").order_by("pk"))
            for membership in members:
                user = membership.user
                if not user.email or user.subject_id is None:
                    continue
                language = _language(user.language or settings.LANGUAGE_CODE)
                with translation.override(language):
                    body = render_to_string(CLIENT_TEMPLATE, {
                        "f": facts, "client": client,
                        "operator": settings.PLATFORM_OPERATOR_NAME,
                        "categories": [(category_label(k), v)
                                       for k, v in sorted(facts["categories"].items())],
                        "link": settings.SITE_URL + reverse(
                            "manager:breach", args=[client.slug, incident.pk])})
                    line = _("Personal data breach notice for %(client)s (GDPR art. 33.2)") \
                        % {"client": client.name}
                queue_email(subject=user.subject, to=user.email, subject_line=line,
                            body=body, kind=CLIENT_KIND, client_id=client.pk)
            record(actor, "incident.client_notice", target=f"incident:{incident.pk}",
                   client_id=client.pk, details=facts)
            breach.record_notification(incident, actor=actor, kind=Kind.CLIENT,
                                       client_id=client.pk, delay_reason=delay_reason)
    return len(clients)


def client_notices(client: Any) -> list[dict[str, Any]]:
    """The notices sent to ``client`` (newest first): the facts as sent."""
    entries = AuditEntry.objects.filter(action="incident.client_notice",
                                        client_id=client.pk).order_by("-id")
    return [dict(e.details) for e in entries]
