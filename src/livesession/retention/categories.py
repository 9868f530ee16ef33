"""The data categories of the personal-data registry and the platform's retention rules.

The registry (``protection.registry``) declares personal data model by model; retention
works on *categories*, groups of models kept for the same time by the same trigger. Every
model that declares a personal field belongs to exactly one category (``category_of``), and
every category has one seeded rule (``PLATFORM_RULES``): ``tests/retention`` walks the
registry and fails on a model without a category. A new model in an app listed in
``APP_DEFAULTS`` inherits that app's category; any other gets a line in ``MODEL_CATEGORIES``.

``PLATFORM_RULES`` is the platform bound of each category: the rule rows are seeded from it
(``services.ensure_rules``, run after every ``migrate``), a client may set a shorter period,
never a longer one, and docs/retention.md's table is checked against it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Trigger(models.TextChoices):
    EVENT_END = "event_end", _("end of the event")
    LAST_ACTIVITY = "last_activity", _("last activity")
    SENT = "sent", _("message delivered")
    RECORDED = "recorded", _("date of the record")
    CONTRACT_END = "contract_end", _("end of the client's contract")
    END_OF_SERVICES = "end_of_services", _("end of services")
    REQUEST = "request", _("the person's request")


class Action(models.TextChoices):
    DELETE = "delete", _("delete")
    ANONYMIZE = "anonymize", _("anonymize (blank the personal fields, keep the row)")


class Applier(models.TextChoices):
    """Which code applies the rule: the purge job of this app, or another named part."""

    PURGE = "purge", _("the daily retention purge")
    CONTRACT = "contract", _("the contract lifecycle (termination + period)")
    ERASURE = "erasure", _("erasure, on the person's request")
    OWN_JOB = "own_job", _("its own job (see the note)")
    NOT_AUTOMATIC = "not_automatic", _("not deleted automatically yet (see the note)")


@dataclass(frozen=True)
class PlatformRule:
    category: str
    label: str | Promise
    trigger: str
    period_days: int
    action: str
    clause: str
    applier: str
    note: str | Promise = ""


REGISTRATIONS = "registrations"
ATTENDANCE = "attendance"
MESSAGES = "messages"
SESSIONS = "sessions"
ACCOUNTS = "accounts"
CONSENTS = "consents"
AUDIT = "audit"
CLIENT_DATA = "client_data"
END_OF_SERVICES = "end_of_services"
SUBJECTS = "subjects"
REQUESTS = "requests"
IMPORTS = "imports"
RATE_LIMITS = "rate_limits"
INCIDENTS = "incidents"
COPIES = "copies"
AUDIENCE = "audience"  # raw first-party audience rows (issue 7 §5, P7.2, D-07)
COOKIE_CONSENTS = "cookie_consents"  # receipts of cookie choices (issue 7 §2, C-08)

PLATFORM_RULES: tuple[PlatformRule, ...] = (
    PlatformRule(REGISTRATIONS, _("Registrations and answers to the form"),
                 Trigger.EVENT_END, 365, Action.DELETE, "P6.10", Applier.PURGE,
                 _("with their personal links, search index, session seats and "
                   "exactly-once records")),
    PlatformRule(ATTENDANCE, _("Attendance (times, devices)"), Trigger.EVENT_END, 365,
                 Action.DELETE, "P6.10", Applier.PURGE),
    PlatformRule(MESSAGES, _("Messages sent (recipient, subject, body, attachment)"),
                 Trigger.SENT, 90, Action.ANONYMIZE, "P2.5", Applier.PURGE,
                 _("the row stays with its kind, status and dates, for statistics")),
    PlatformRule(SESSIONS, _("Signed-in sessions"), Trigger.LAST_ACTIVITY, 1,
                 Action.DELETE, "P2.5", Applier.PURGE),
    PlatformRule(ACCOUNTS, _("Platform accounts and their profile"), Trigger.LAST_ACTIVITY,
                 1095, Action.DELETE, "P3.8", Applier.PURGE,
                 _("a warning email 30 days before; erased through the erasure machinery; "
                   "operator staff and client members are not purged")),
    PlatformRule(CONSENTS, _("Consent records (proof)"), Trigger.RECORDED, 1825,
                 Action.DELETE, "P1.3", Applier.PURGE,
                 _("kept 5 years as proof, and while the person still has a registration "
                   "with the client")),
    PlatformRule(AUDIT, _("Audit trail (pseudonymous ids)"), Trigger.RECORDED, 1825,
                 Action.DELETE, "P6.6", Applier.NOT_AUTOMATIC,
                 _("append-only hash chain: entries are not deleted before a chain "
                   "checkpoint exists; they hold pseudonymous ids only")),
    PlatformRule(CLIENT_DATA, _("All of a client's data after its contract ends"),
                 Trigger.CONTRACT_END, 60, Action.DELETE, "P4.4", Applier.CONTRACT,
                 _("unless a legal hold applies")),
    PlatformRule(END_OF_SERVICES, _("Anything processed for a client after the end of "
                                    "services"), Trigger.END_OF_SERVICES, 365, Action.DELETE,
                 "P6.10", Applier.CONTRACT),
    PlatformRule(SUBJECTS, _("Person keys, restrictions and objections"), Trigger.REQUEST, 0,
                 Action.DELETE, "P4.3", Applier.ERASURE,
                 _("destroyed with the person's erasure")),
    PlatformRule(REQUESTS, _("Rights requests and identity checks"), Trigger.RECORDED, 1825,
                 Action.DELETE, "P4.2", Applier.NOT_AUTOMATIC,
                 _("identity documents are deleted right after the check by the request "
                   "desk; the requests themselves are proof of the answer")),
    PlatformRule(IMPORTS, _("Imported participant lists (files)"), Trigger.RECORDED, 1,
                 Action.DELETE, "P2.5", Applier.OWN_JOB,
                 _("the import's key is destroyed when the import ends")),
    PlatformRule(RATE_LIMITS, _("Rate-limit counters (keyed hashes)"), Trigger.RECORDED, 1,
                 Action.DELETE, "P3.3", Applier.OWN_JOB,
                 _("pruned every 15 minutes by core.jobs")),
    PlatformRule(INCIDENTS, _("Security incidents and breaches"), Trigger.RECORDED, 1825,
                 Action.DELETE, "P5.1", Applier.NOT_AUTOMATIC,
                 _("evidence of the breach register (GDPR art. 33.5), pseudonymous ids")),
    PlatformRule(COPIES, _("Copies of data waiting to be downloaded"), Trigger.RECORDED, 7,
                 Action.DELETE, "P4.1", Applier.OWN_JOB,
                 _("purged hourly by the request desk's job")),
    PlatformRule(AUDIENCE, _("Raw audience measurement (page views)"), Trigger.RECORDED, 395,
                 Action.DELETE, "P7.2", Applier.PURGE,
                 _("13 months; a visitor's rows go at once when consent is withdrawn")),
    PlatformRule(COOKIE_CONSENTS, _("Receipts of cookie choices (proof)"), Trigger.RECORDED,
                 1825, Action.DELETE, "P7.4", Applier.PURGE,
                 _("5 years as proof of consent; no network address is kept")),
)

RULES_BY_CATEGORY = {rule.category: rule for rule in PLATFORM_RULES}
CATEGORY_CHOICES = [(rule.category, rule.label) for rule in PLATFORM_RULES]
# The categories a client may shorten (its own participants' data, applied by the purge).
CLIENT_ADJUSTABLE = (REGISTRATIONS, ATTENDANCE, MESSAGES, CONSENTS)

MODEL_CATEGORIES: dict[str, str] = {
    "registrations.Registration": REGISTRATIONS,
    "registrations.SearchToken": REGISTRATIONS,
    "registrations.SessionSeat": REGISTRATIONS,
    "registrations.CustomField": CLIENT_DATA,
    "registrations.Import": IMPORTS,
    "access.AccessLink": REGISTRATIONS,
    "access.Attendance": ATTENDANCE,
    "access.AttendanceDevice": ATTENDANCE,
    # Organizer analytics (issue 7 §7): derived from the registration, gone with it (CASCADE).
    "analytics.RegistrationSource": REGISTRATIONS,
    "analytics.RegistrationFacts": REGISTRATIONS,
    "messaging.OutboxMessage": MESSAGES,
    "messaging.MessageOnce": REGISTRATIONS,
    "messaging.Unsubscribe": CLIENT_DATA,
    "accounts.UserSession": SESSIONS,
    "sessions.Session": SESSIONS,
    "privacy.ConsentRecord": CONSENTS,
    "audit.AuditEntry": AUDIT,
    "core.RateCounter": RATE_LIMITS,
    "core.Membership": ACCOUNTS,
    "desk.Delivery": COPIES,
    "retention.LegalHold": AUDIT,
    "retention.InactivityWarning": ACCOUNTS,
    "contracts.Contract": AUDIT,  # who terminated: proof, 5 years
    "staffaccess.StaffAccessGrant": AUDIT,  # kept with the audit trail
    "cookies.PageView": AUDIENCE,
    "cookies.ConsentReceipt": COOKIE_CONSENTS,
}
APP_DEFAULTS: dict[str, str] = {
    "accounts": ACCOUNTS,
    "protection": SUBJECTS,
    "desk": REQUESTS,
    "incidents": INCIDENTS,
    "events": CLIENT_DATA,
    "api": CLIENT_DATA,
    "processors": CLIENT_DATA,
    "registrations": REGISTRATIONS,
    "contracts": CLIENT_DATA,
    "staffaccess": ACCOUNTS,  # MFA devices and recovery codes go with the account
}


def category_of(model_label: str) -> str | None:
    """The retention category of a registry model (``app.Model``), or None if unknown."""
    if model_label in MODEL_CATEGORIES:
        return MODEL_CATEGORIES[model_label]
    return APP_DEFAULTS.get(model_label.split(".", 1)[0])


def markdown_table() -> str:
    """The retention table of docs/retention.md, generated from ``PLATFORM_RULES`` (in
    English); ``tests/retention/test_docs.py`` fails when the doc and the rules differ."""
    from django.utils import translation

    with translation.override("en"):
        lines = ["| Category | Data | Clock starts at | Period (days) | Then | Clause | "
                 "Applied by |",
                 "|---|---|---|---|---|---|---|"]
        for rule in PLATFORM_RULES:
            data = str(rule.label) + (f" ({rule.note})" if rule.note else "")
            lines.append(f"| `{rule.category}` | {data} | {Trigger(rule.trigger).label} | "
                         f"{rule.period_days} | {Action(rule.action).label} | {rule.clause} | "
                         f"{Applier(rule.applier).label} |")
    return "\n".join(lines)
