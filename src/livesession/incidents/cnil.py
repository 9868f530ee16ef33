"""The CNIL notification document of a breach (P3.7, P5.2, GDPR art. 33.3; B-03).

``document(incident)`` gathers what the CNIL's online form asks, from the register: (a)
the nature, the categories and approximate numbers of people and records (computed from
the stored scope, ``affected.py``), (b) the contact point, (c) the likely consequences,
(d) the measures taken or proposed. ``render_html`` prints it; the JSON is the dict as
is. Staff file it on the CNIL's service, then record the reference the CNIL gives
(``breach.record_notification(kind="cnil", reference=...)``). A document missing one of
the four parts is refused with a message that says which (``MissingParts``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from livesession.core.clock import now
from livesession.incidents import breach
from livesession.incidents.affected import category_label
from livesession.incidents.models import Incident, Kind, Nature


def document(incident: Incident) -> dict[str, Any]:
    """The art. 33(3) content; ValidationError naming each missing part."""
    from livesession.incidents.notices import contact_point, stored_affected

    stored = stored_affected(incident) or {}
    counts: dict[str, int] = stored.get("counts", {})
    natures = list(incident.natures or ([incident.nature] if incident.nature != Nature.UNKNOWN
                                        else []))
    people = stored.get("people", incident.people_approx)
    records = stored.get("records", incident.records_approx)
    missing = []
    if not natures:
        missing.append(_("the nature of the breach"))
    if people is None or records is None:
        missing.append(_("the approximate numbers of people and records"))
    contact = contact_point()
    if not contact:
        missing.append(_("the contact point (DPO_EMAIL or PRIVACY_CONTACT_EMAIL)"))
    if not incident.likely_consequences.strip():
        missing.append(_("the likely consequences"))
    if not (incident.measures_taken.strip() or incident.measures_proposed.strip()):
        missing.append(_("the measures taken or proposed"))
    if missing:
        raise ValidationError(_("The CNIL notification cannot be generated yet; it lacks: "
                                "%(missing)s. Complete the assessment.")
                              % {"missing": ", ".join(str(m) for m in missing)})
    filed = incident.notifications.filter(kind=Kind.CNIL).order_by("at", "id")
    return {
        "document": "cnil-breach-notification",
        "generated_at": now().isoformat(),
        "incident": str(incident.pk),
        "reference": incident.reference,
        "controller": settings.PLATFORM_OPERATOR_NAME,
        "role": incident.role,
        "detected_at": incident.detected_at.isoformat(),
        "aware_at": incident.aware_at.isoformat(),
        "deadline": breach.deadline(incident, Kind.CNIL).isoformat(),
        "nature": natures,
        "summary": incident.summary,
        "data_categories": [{"category": key, "label": category_label(key), "records": value}
                            for key, value in sorted(counts.items())]
        or [{"category": label, "label": label, "records": None}
            for label in incident.data_categories],
        "people_approx": people,
        "records_approx": records,
        "contact": {"email": contact,
                    "organisation": settings.PLATFORM_OPERATOR_NAME},
        "likely_consequences": incident.likely_consequences,
        "risk_level": incident.risk_level,
        "risk_reasoning": incident.risk_reasoning,
        "measures_taken": incident.measures_taken,
        "measures_proposed": incident.measures_proposed,
        "clients_affected": sorted(incident.clients_affected.values_list("pk", flat=True)),
        "filed": [{"phase": n.phase, "at": n.at.isoformat(), "reference": n.reference,
                   "late": n.late, "delay_reason": n.delay_reason} for n in filed],
    }


def render_html(incident: Incident) -> str:
    return render_to_string("console/incidents/notice_cnil.html",
                            {"doc": document(incident), "incident": incident})
