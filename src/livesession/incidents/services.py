"""Writes of incidents (issue 5 §7; the base of issue 8's breach register).

``open_incident`` is the one way an incident comes in, whatever its source: a staff entry
in the console, a "this was not me" report (``accounts.services.report_not_me``), an
unusual export. It runs in the caller's transaction (or its own), writes its audit entry,
and refuses personal data in the summary: the register names people by pseudonymous ids
only ("account:12"), as the audit trail does (P6.5, GDPR art. 33.5).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from livesession.audit.services import record
from livesession.core.clock import now
from livesession.incidents.models import Incident, Nature, Source, Status

# A pseudonymous reference: a kind of thing and its id, never a name or an address.
REF = re.compile(r"^(account|subject|registration|client|event|session|export|token|"
                 r"request):[0-9A-Za-z-]{1,64}$")
SUMMARY_MAX = 2000
# What a summary must not hold: an address, a phone number, an IP address.
_EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")
_PHONE = re.compile(r"\+?\d[\d .()\-]{7,}\d")
_IPV4 = re.compile(r"\b\d{1,3}(\.\d{1,3}){3}\b")
_IPV6 = re.compile(r"\b[0-9A-Fa-f]{1,4}(:[0-9A-Fa-f]{0,4}){2,7}\b")


def clean_summary(summary: str) -> str:
    """The summary, stripped; a ValidationError saying what to remove when it holds an
    email address, a phone number or an IP address, or is empty or too long."""
    text = (summary or "").strip()
    if not text:
        raise ValidationError({"summary": _("Write what happened, in a few words.")})
    if len(text) > SUMMARY_MAX:
        raise ValidationError({"summary": ngettext(
            "Keep the summary under %(max)d character.",
            "Keep the summary under %(max)d characters.", SUMMARY_MAX) % {"max": SUMMARY_MAX}})
    found = []
    if _EMAIL.search(text):
        found.append(_("an email address"))
    if _PHONE.search(text):
        found.append(_("a phone number"))
    if _IPV4.search(text) or _IPV6.search(text):
        found.append(_("an IP address"))
    if found:
        raise ValidationError({"summary": _(
            "The summary must hold no personal data, and it seems to contain %(what)s. "
            "Name people by their reference instead (for example account:12).")
            % {"what": ", ".join(str(item) for item in found)}})
    return text


def clean_refs(refs: Iterable[str]) -> list[str]:
    """Pseudonymous references, each "kind:id", in order, without duplicates."""
    cleaned: list[str] = []
    wrong = []
    for ref in refs:
        ref = str(ref).strip()
        if not ref:
            continue
        if not REF.match(ref):
            wrong.append(ref[:40])
        elif ref not in cleaned:
            cleaned.append(ref)
    if wrong:
        raise ValidationError({"refs": _(
            "These references are not of the form kind:id (for example account:12 or "
            "client:3): %(refs)s.") % {"refs": ", ".join(wrong)}})
    return cleaned


def open_incident(source: str, *, summary: str, refs: Iterable[str],
                  client_id: int | None = None, nature: str = Nature.UNKNOWN,
                  detected_at: dt.datetime | None = None, aware_at: dt.datetime | None = None,
                  actor: str = "system") -> Incident:
    """Record an incident for the operator (P1.5, GDPR art. 33.5). ``detected_at`` defaults
    to now; ``aware_at`` (start of the 72-hour clock) to ``detected_at``: a report from the
    person concerned, or an entry by staff, makes the operator aware at once. Raises
    ValidationError with a message per wrong field."""
    errors: dict[str, list[str]] = {}
    if source not in Source.values:
        errors.setdefault("source", []).append(_("Choose where the incident comes from."))
    if nature not in Nature.values:
        errors.setdefault("nature", []).append(_("Choose the nature of the incident, or "
                                                 "“not known yet”."))
    detected = detected_at or now()
    aware = aware_at or detected
    if detected > now():
        errors.setdefault("detected_at", []).append(_("The detection time is in the future."))
    if aware < detected:
        errors.setdefault("aware_at", []).append(_(
            "The operator cannot become aware before the detection: give a later time."))
    elif aware > now():
        errors.setdefault("aware_at", []).append(_("The awareness time is in the future."))
    cleaned_summary, cleaned_refs = "", []
    try:
        cleaned_summary = clean_summary(summary)
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    try:
        cleaned_refs = clean_refs(refs)
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        incident = Incident.objects.create(
            source=source, detected_at=detected, aware_at=aware, nature=nature,
            status=Status.OPEN, summary=cleaned_summary, refs=cleaned_refs,
            client_id=client_id, created_by=actor[:64])
        record(actor, "incident.opened", target=f"incident:{incident.pk}", client_id=client_id,
               details={"source": source, "nature": nature})
    return incident


def open_incidents() -> int:
    """How many incidents are open (the console's menu shows it)."""
    return Incident.objects.filter(status=Status.OPEN).count()
