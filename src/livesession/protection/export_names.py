"""Plain names for what the copy of one's data holds: a title per kind of record, the file
name of its CSV in the archive, and the folder of each controller.

The names are part of the archive's documented layout (docs/access-export.md): change one
and a reader's script breaks, so they are stable, lower-case ASCII words. A model with
no entry gets a name made from its own (``tests/protection/test_export_names.py`` fails
until it gets a proper one).
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

# model label -> (CSV file stem, title on the page)
KINDS: dict[str, tuple[str, Promise]] = {
    "accounts.User": ("account", _("Your account")),
    "accounts.UserSession": ("sign-in-sessions", _("Your sign-in sessions")),
    "accounts.AccountLink": ("linked-registrations",
                             _("Registrations added to your account")),
    "accounts.SharingChoice": ("profile-sharing", _("What your profile shares")),
    "audit.AuditEntry": ("activity-log", _("Actions recorded about you")),
    "messaging.OutboxMessage": ("messages", _("Emails sent to you")),
    "registrations.Registration": ("registrations", _("Your registrations")),
    "registrations.SessionSeat": ("session-places", _("Your places in sessions")),
    "privacy.ConsentRecord": ("consents", _("Your consents")),
    "cookies.ConsentReceipt": ("cookie-choices", _("Your cookie choices")),
    "access.Attendance": ("attendance", _("Your attendance")),
    "access.AttendanceDevice": ("attendance-devices", _("Devices you joined from")),
    "analytics.RegistrationFacts": ("registration-statistics",
                                    _("What statistics keep of your registration")),
    "analytics.RegistrationSource": ("registration-sources",
                                     _("Where your registration came from")),
    "desk.Request": ("rights-requests", _("Your requests about your data")),
    "protection.Objection": ("objections", _("Your objections")),
    "processors.Objection": ("sub-processor-objections",
                             _("Your objections to a sub-processor")),
    "staffaccess.MfaDevice": ("two-step-sign-in", _("Your two-step sign-in")),
    "staffaccess.RecoveryCode": ("recovery-codes", _("Your recovery codes (use only)")),
    "api.ApiToken": ("api-tokens", _("API tokens you created")),
    "core.Membership": ("memberships", _("Organizers you work for")),
    "events.Event": ("events-created", _("Events you created")),
    "registrations.CustomField": ("questions-created", _("Questions you created")),
    "registrations.Import": ("imports", _("Lists of participants you imported")),
}


def file_stem(model_label: str) -> str:
    known = KINDS.get(model_label)
    return known[0] if known else slugify(model_label.replace(".", "-"))


def title(model_label: str, fallback: str) -> str:
    known = KINDS.get(model_label)
    return str(known[1]) if known else fallback[:1].upper() + fallback[1:]


def folder(controller_id: str, client_slug: str = "") -> str:
    """``platform`` for the operator, ``organizer-<slug>`` for a client: words, not ids."""
    if controller_id == "operator":
        return "platform"
    return (f"organizer-{slugify(client_slug)}" if client_slug
            else controller_id.replace(":", "-"))
