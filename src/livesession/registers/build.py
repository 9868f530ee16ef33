"""The records of the register of processing (GDPR art. 30; CNIL template), built from the
live configuration (P3.2).

- As **controller** (art. 30(1)): the operator's own activities. Their purposes, legal
  bases, data and retention come from the personal-data registry (``protection.registry``,
  the rows whose controller is the operator), each registry model placed in one activity
  by ``MODEL_ACTIVITY``/``APP_ACTIVITY``; the cookies activity from the cookie settings.
- As **processor** (art. 30(2)): one record per client, from what that client configured:
  the standard fields it collects and their purposes (``registrations.scope``: its default
  and each event's override), its custom questions and their purposes, its consent
  purposes, the registry's client categories (minus the fields it does not collect), its
  retention periods (``livesession.retention`` when installed, else the registry's texts),
  the sub-processors (``processors.services.for_notice``) and the transfers.

Everything here reads; the dates and versions of each record are kept by
``registers.services``. Texts come out in the active language.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from livesession.protection.registry import (
    BASIS_LABELS,
    Basis,
    Controller,
    declaration,
    register_of_processing,
)

SCHEMA_URL = "/static/livesession/schemas/register-v1.json"


@dataclass(frozen=True)
class Activity:
    key: str
    ref: str
    name: str | Promise
    description: str | Promise
    subjects: tuple[str | Promise, ...]
    recipients: tuple[tuple[str | Promise, str | Promise], ...]  # (who, why)


ACTIVITIES: tuple[Activity, ...] = (
    Activity("accounts", "C-01", gettext_lazy("Platform accounts"),
             gettext_lazy("Sign-up, sign-in, profile and personal space of the platform's "
                          "accounts; a client's members and their roles."),
             (gettext_lazy("participants who create an account"),
              gettext_lazy("members of the clients' organizations"),
              gettext_lazy("operator staff")),
             ((gettext_lazy("operator staff"), gettext_lazy("run the service")),)),
    Activity("clients", "C-02", gettext_lazy("Client contracts and support"),
             gettext_lazy("The contract with each client: its members, its decisions on "
                          "sub-processors, its contract's end."),
             (gettext_lazy("members of the clients' organizations"),),
             ((gettext_lazy("operator staff"), gettext_lazy("manage the contract")),)),
    Activity("security", "C-03", gettext_lazy("Security logging and accountability"),
             gettext_lazy("Signed-in sessions, rate limits against abuse, the audit trail "
                          "and legal holds, to protect the service and prove compliance."),
             (gettext_lazy("everyone who uses the platform"),),
             ((gettext_lazy("operator staff"), gettext_lazy("investigate and prove")),
              (gettext_lazy("supervisory authority, on request"),
               gettext_lazy("demonstrate compliance (GDPR art. 5(2), 30(4))")))),
    Activity("requests", "C-04", gettext_lazy("Rights requests (request desk)"),
             gettext_lazy("Requests about platform accounts answered by the operator, "
                          "requests about a client's data forwarded to that client, identity "
                          "checks and the copies delivered."),
             (gettext_lazy("people who make a request about their data"),),
             ((gettext_lazy("operator staff"), gettext_lazy("answer the request")),
              (gettext_lazy("the client concerned"),
               gettext_lazy("requests about its participants are forwarded to it")))),
    Activity("incidents", "C-05", gettext_lazy("Security incidents and breach register"),
             gettext_lazy("Incidents, personal data breaches, their assessment and the "
                          "notices to clients and to the supervisory authority (GDPR art. "
                          "33, 34)."),
             (gettext_lazy("people whose data is affected by an incident"),),
             ((gettext_lazy("operator staff"), gettext_lazy("handle the incident")),
              (gettext_lazy("the clients concerned"), gettext_lazy("breach notice")),
              (gettext_lazy("supervisory authority (CNIL)"), gettext_lazy("notification")))),
    Activity("cookies", "C-06", gettext_lazy("Cookies and similar trackers"),
             gettext_lazy("Functional cookies, exempt from consent; with the visitor's "
                          "consent, first-party audience measurement and an organizer's "
                          "third-party room player; the receipts of each choice. No "
                          "advertising tracker."),
             (gettext_lazy("visitors of the platform's pages"),),
             ()),
)
BY_KEY = {a.key: a for a in ACTIVITIES}
OTHER = Activity("other", "C-99", gettext_lazy("Other processing (to be classified)"),
                 gettext_lazy("Registry models not yet placed in an activity."), (), ())

# Where each model of the operator's rows belongs; unknown apps fall into OTHER, which a
# test requires to stay empty (a new model is placed by a decision, not by chance).
MODEL_ACTIVITY: dict[str, str] = {
    "accounts.UserSession": "security",
    "sessions.Session": "security",
    "core.RateCounter": "security",
    "core.Membership": "accounts",
    "retention.LegalHold": "security",
    "retention.InactivityWarning": "accounts",
    "desk.Delivery": "requests",
    # A second factor protects the account's sign-in; staff grants are accountability.
    "staffaccess.MfaDevice": "accounts",
    "staffaccess.RecoveryCode": "accounts",
}
APP_ACTIVITY: dict[str, str] = {
    "accounts": "accounts",
    "core": "accounts",
    "audit": "security",
    "sessions": "security",
    "staffaccess": "security",
    "desk": "requests",
    "incidents": "incidents",
    "processors": "clients",
    "contracts": "clients",
    "retention": "security",
    "cookies": "cookies",  # consent receipts and audience rows (issue 7)
}


def activity_of(model_label: str) -> str:
    return MODEL_ACTIVITY.get(model_label) or APP_ACTIVITY.get(model_label.split(".", 1)[0],
                                                               OTHER.key)


# --- shared pieces -----------------------------------------------------------------------

def _verbose(model_label: str) -> str:
    return str(apps.get_model(model_label)._meta.verbose_name)


def _rows(controller: Controller) -> list[dict[str, str]]:
    return [r for r in register_of_processing() if r["controller"] == controller.value]


def _purposes(rows: Iterable[dict[str, str]]) -> list[dict[str, str]]:
    seen: dict[tuple[str, str], dict[str, str]] = {}
    for row in rows:
        seen.setdefault((row["purpose"], row["legal_basis"]), {
            "purpose": row["purpose"], "legal_basis": row["legal_basis"],
            "legal_basis_label": row["legal_basis_label"], "source": "registry"})
    return sorted(seen.values(), key=lambda p: (p["purpose"].lower(), p["legal_basis"]))


def _categories(rows: Iterable[dict[str, str]], *, drop: frozenset[tuple[str, str]] = frozenset(),
                ) -> list[dict[str, Any]]:
    """Registry rows grouped by model: its data, retention texts; ``drop`` names (model,
    field) pairs that this record does not collect."""
    groups: dict[str, dict[str, Any]] = {}
    for row in rows:
        if (row["model"], row["field"]) in drop:
            continue
        verbose = _verbose(row["model"])
        group = groups.setdefault(row["model"], {
            "model": row["model"], "category": verbose, "data": [], "retention_texts": [],
            "sensitive": False})
        label = row["data"][len(verbose) + 2:] if row["data"].startswith(verbose + ": ") \
            else row["data"]
        if label not in group["data"]:
            group["data"].append(label)
        if row["retention"] not in group["retention_texts"]:
            group["retention_texts"].append(row["retention"])
    return sorted(groups.values(), key=lambda g: g["model"])


def _retention(models: Iterable[str], client: Any = None) -> list[dict[str, Any]]:
    """The retention rules of these models' categories: the rules of
    ``livesession.retention`` when installed (the client's own period where it set one),
    else nothing here (the registry's texts stay on each data category)."""
    if not apps.is_installed("livesession.retention"):
        return []
    from livesession.retention import categories as cat
    from livesession.retention import services as retention

    rows = {r.category: r for r in retention.rules()}
    out: dict[str, dict[str, Any]] = {}
    for model in models:
        category = cat.category_of(model)
        if category is None or category in out or category not in rows:
            continue
        rule, platform = rows[category], cat.RULES_BY_CATEGORY[category]
        item = {"category": category, "label": str(platform.label),
                "trigger": rule.trigger, "trigger_label": str(rule.get_trigger_display()),
                "period_days": rule.period_days, "bound_days": rule.period_days,
                "action": rule.action, "action_label": str(rule.get_action_display()),
                "clause": rule.clause, "note": str(platform.note),
                "models": []}
        if client is not None and category in cat.CLIENT_ADJUSTABLE:
            item["period_days"] = retention.period_for(category, client)
        out[category] = item
    for model in models:
        category = cat.category_of(model)
        if category in out:
            out[category]["models"].append(model)
    return sorted(out.values(), key=lambda r: r["category"])


def sub_processors() -> list[dict[str, Any]]:
    if not apps.is_installed("livesession.processors"):
        return []
    from livesession.processors.services import for_notice

    keep = ("legal_entity", "service", "service_kind_label", "country", "country_name",
            "in_eea", "data_categories_labels", "mechanism", "mechanism_label", "safeguard",
            "active_from", "active_until", "upcoming")
    return [{key: item.get(key) for key in keep} for item in for_notice()]


def transfers(processors: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Transfers outside the EEA: sub-processors located outside it, and the recipients
    named in ``PERSONAL_DATA_TRANSFERS``."""
    out = [{"recipient": p["legal_entity"], "country": str(p["country_name"] or p["country"]),
            "safeguard": str(p["safeguard"]), "documentation": str(p["mechanism_label"])}
           for p in processors if not p["in_eea"]]
    out += [{"recipient": name, "country": country, "safeguard": safeguard,
             "documentation": "PERSONAL_DATA_TRANSFERS"}
            for name, country, safeguard in settings.PERSONAL_DATA_TRANSFERS]
    return out


def organisation() -> dict[str, Any]:
    """The register's common page: who keeps it and whom to write to."""
    from livesession.privacy.services import privacy_contact_email

    contact = privacy_contact_email()
    return {
        "name": settings.PLATFORM_OPERATOR_NAME,
        "address": settings.PRIVACY_POSTAL_ADDRESS,
        "contact_email": contact,
        "representative": settings.PLATFORM_OPERATOR_REPRESENTATIVE,
        "dpo": {"designated": bool(settings.DPO_NAME), "name": settings.DPO_NAME,
                "email": settings.DPO_EMAIL or contact},
        "hosting_country": settings.HOSTING_COUNTRY,
    }


# --- the controller's activities (art. 30(1)) --------------------------------------------

def _cookies() -> list[dict[str, Any]]:
    """The cookie inventory (``cookies.inventory``, issue 7 §1): every cookie and tracker
    with its emitter, purpose, lifetime and why consent is or is not asked."""
    from livesession.cookies.inventory import rows

    exempt = _("strictly necessary for the service the person asked for (exempt from "
               "consent, ePrivacy art. 5(3))")
    asked = _("consent asked first: set or loaded only after the visitor's choice (banner, P7.4)")
    return [{"name": row["name"], "purpose": row["purpose_label"],
             "lifetime": row["lifetime"], "emitter": row["emitter_label"],
             "functional": row["functional"],
             "exempt_reason": exempt if row["functional"] else asked}
            for row in rows()]


def controller_activities() -> list[dict[str, Any]]:
    """The operator's own activities, without dates (``services`` adds them)."""
    rows = _rows(Controller.OPERATOR)
    by_activity: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_activity.setdefault(activity_of(row["model"]), []).append(row)
    processors = sub_processors()
    moves = transfers(processors)
    names = [p["legal_entity"] for p in processors]
    out = []
    wanted = list(ACTIVITIES) + ([OTHER] if OTHER.key in by_activity else [])
    for activity in wanted:
        mine = by_activity.get(activity.key, [])
        models = sorted({r["model"] for r in mine})
        record: dict[str, Any] = {
            "key": f"controller:{activity.key}", "ref": activity.ref, "kind": "controller",
            "name": str(activity.name), "description": str(activity.description),
            "controller": settings.PLATFORM_OPERATOR_NAME, "joint_controllers": [],
            "processors": names,
            "purposes": _purposes(mine),
            "data_subjects": [str(s) for s in activity.subjects],
            "data_categories": _categories(mine),
            "sensitive_data": False,
            "recipients": [{"name": str(who), "role": str(why)}
                           for who, why in activity.recipients],
            "transfers": moves,
            "retention": _retention(models),
            "security_measures": "all",
        }
        if activity.key == "cookies":
            record["cookies"] = _cookies()
            # The registry's rows of the cookie app (receipts, audience), then the
            # functional cookies' purpose, which no table holds.
            record["purposes"] = [*_purposes(mine), {
                "purpose": _("run the pages the person uses (session, form protection, "
                             "language)"),
                "legal_basis": Basis.LEGITIMATE_INTEREST.value,
                "legal_basis_label": str(BASIS_LABELS[Basis.LEGITIMATE_INTEREST]),
                "source": "settings"}]
        out.append(record)
    return out


# --- the processor's record per client (art. 30(2)) --------------------------------------

def _standard_fields(client: Any) -> list[dict[str, Any]]:
    from livesession.events.models import Event
    from livesession.registrations import scope

    defaults = scope.normalize(client.form_defaults)
    events = Event.objects.filter(client=client)
    plain = events.filter(form_scope__isnull=True).count()
    overrides = [scope.normalize(raw) for raw in
                 events.filter(form_scope__isnull=False).values_list("form_scope", flat=True)]
    email = declaration("registrations.Registration")
    email_purpose = str(email.personal["email_enc"].purpose) if email else ""
    out = [{"key": "email", "label": _("Email"), "collected": True, "always": True,
            "enabled_by_default": True, "required_by_default": True,
            "events_collecting": plain + len(overrides), "purposes": [email_purpose]}]
    for field in scope.STANDARD_FIELDS:
        own = defaults[field.key]
        purposes: list[str] = []
        if own["enabled"] and own["purpose"]:
            purposes.append(own["purpose"])
        collecting = plain if own["enabled"] else 0
        for item in overrides:
            if item[field.key]["enabled"]:
                collecting += 1
                if item[field.key]["purpose"] and item[field.key]["purpose"] not in purposes:
                    purposes.append(item[field.key]["purpose"])
        out.append({"key": field.key, "label": str(field.label),
                    "collected": bool(own["enabled"] or collecting), "always": False,
                    "enabled_by_default": own["enabled"],
                    "required_by_default": own["required"],
                    "events_collecting": collecting, "purposes": purposes})
    return out


def _custom_questions(client: Any) -> list[dict[str, Any]]:
    from livesession.registrations.models import CustomField

    groups: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    for question in CustomField.objects.filter(client=client).order_by("key", "id"):
        label = question.label()
        item = groups.setdefault((question.key, label, question.kind, question.purpose), {
            "key": question.key, "label": label, "kind": question.kind,
            "purpose": question.purpose, "events": 0, "required": False})
        item["events"] += 1
        item["required"] = item["required"] or question.required
    return list(groups.values())


def _consent_purposes(client: Any) -> list[dict[str, Any]]:
    from livesession.privacy.models import ConsentPurpose
    from livesession.privacy.services import ensure_builtin_purposes

    rows = list(ConsentPurpose.objects.filter(client=client))
    if not rows:  # as privacy.services.purposes_for: the built-in ones exist from first use
        ensure_builtin_purposes(client)
        rows = list(ConsentPurpose.objects.filter(client=client))
    language = get_language() or settings.LANGUAGE_CODE
    return [{"key": p.key, "label": p.label(language), "active": p.active,
             "legal_basis": Basis.CONSENT.value,
             "legal_basis_label": str(BASIS_LABELS[Basis.CONSENT])} for p in rows]


def _not_collected(fields: list[dict[str, Any]], questions: list[dict[str, Any]],
                   ) -> frozenset[tuple[str, str]]:
    decl = declaration("registrations.Registration")
    if decl is None:
        return frozenset()
    drop = {("registrations.Registration", decl.sealed[f["key"]]) for f in fields
            if not f["collected"] and f["key"] in decl.sealed}
    if not questions and "answers_json" in decl.sealed:
        drop.add(("registrations.Registration", decl.sealed["answers_json"]))
    return frozenset(drop)


PROCESSING = (
    gettext_lazy("hosting and storage of the registrations, answers and attendance"),
    gettext_lazy("collection of registrations through the client's forms, API and imports"),
    gettext_lazy("sending of the messages the client schedules or triggers"),
    gettext_lazy("personal access links, access to the rooms and attendance records"),
    gettext_lazy("exports and tools to answer the participants' rights requests"),
    gettext_lazy("deletion at the end of the retention periods and of the contract"),
)


def processor_record(client: Any) -> dict[str, Any]:
    """One client's record, without dates or contacts (``services`` adds them)."""
    rows = _rows(Controller.CLIENT)
    fields = _standard_fields(client)
    questions = _custom_questions(client)
    consents = _consent_purposes(client)
    processors = sub_processors()
    purposes = _purposes(rows)
    for f in fields:
        for text in f["purposes"]:
            purposes.append({"purpose": text, "legal_basis": Basis.CONTRACT.value,
                             "legal_basis_label": str(BASIS_LABELS[Basis.CONTRACT]),
                             "source": f"field:{f['key']}"})
    for q in questions:
        purposes.append({"purpose": q["purpose"], "legal_basis": Basis.CONTRACT.value,
                         "legal_basis_label": str(BASIS_LABELS[Basis.CONTRACT]),
                         "source": f"question:{q['key']}"})
    for c in consents:
        if c["active"]:
            purposes.append({"purpose": c["label"], "legal_basis": Basis.CONSENT.value,
                             "legal_basis_label": c["legal_basis_label"],
                             "source": f"consent:{c['key']}"})
    models = sorted({r["model"] for r in rows})
    return {
        "key": f"processor:client:{client.pk}", "ref": f"P-{client.pk:04d}",
        "kind": "processor",
        "name": _("Processing on behalf of %(client)s") % {"client": client.name},
        "client": {"id": f"client:{client.pk}", "name": client.name, "slug": client.slug,
                   "active": client.is_active},
        "processor": settings.PLATFORM_OPERATOR_NAME,
        "processing": [str(p) for p in PROCESSING],
        "purposes": purposes,
        "standard_fields": fields,
        "custom_questions": questions,
        "consent_purposes": consents,
        "data_subjects": [_("participants registered to the client's events or imported by "
                            "it"), _("people who make a rights request to the client")],
        "data_categories": _categories(rows, drop=_not_collected(fields, questions)),
        "sensitive_data": False,
        "recipients": [
            {"name": client.name, "role": _("controller: its members, by role")},
            {"name": settings.PLATFORM_OPERATOR_NAME,
             "role": _("processor: hosting and running the service on the client's "
                       "instructions")},
        ] + [{"name": p["legal_entity"], "role": _("sub-processor: %(service)s")
              % {"service": p["service"]}} for p in processors],
        "sub_processors": processors,
        "transfers": transfers(processors),
        "retention": _retention(models, client),
        "security_measures": "all",
    }
