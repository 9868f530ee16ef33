from django.utils.translation import gettext_lazy as _

from livesession.protection.registry import Basis, Controller, Erase, Export, Personal, declare
from livesession.retention.models import (
    ClientPeriod,
    InactivityWarning,
    LegalHold,
    PurgeRun,
    RetentionRule,
)

declare(RetentionRule, not_personal=["id", "category", "trigger", "period_days", "action",
                                     "clause", "applier", "updated_at"])
declare(ClientPeriod, not_personal=["id", "client", "category", "period_days", "updated_at"])
# Counts per category only, never a value.
declare(PurgeRun, not_personal=["id", "started_at", "finished_at", "status", "progress",
                                "resumed"])
# A hold names people by pseudonymous ids, like the audit trail; its reason is a legal
# ground, and the form asks for no personal data in it.
_HOLD = _("suspend deletion under a legal obligation (legal hold)")
declare(
    LegalHold,
    name=_("legal hold"),
    labels={
        "lifted_by": _("who lifted it"),
        "subject_id": _("pseudonymous person identifier"),
    },
    personal={
        "subject_id": Personal(Controller.CLIENT, _HOLD, Basis.LEGAL_OBLIGATION,
                               _("while the hold lasts, then 5 years as proof"),
                               Erase.KEEP_PSEUDONYMOUS, Export.OMIT),
        "created_by": Personal(Controller.OPERATOR, _("prove who did what (audit trail)"),
                               Basis.LEGAL_OBLIGATION, _("5 years"), Erase.KEEP_PSEUDONYMOUS,
                               Export.OMIT),
        "lifted_by": Personal(Controller.OPERATOR, _("prove who did what (audit trail)"),
                              Basis.LEGAL_OBLIGATION, _("5 years"), Erase.KEEP_PSEUDONYMOUS,
                              Export.OMIT),
    },
    not_personal=["id", "client", "event", "reason", "created_at", "lifted_at", "lift_reason"],
)
declare(
    InactivityWarning,
    name=_("inactivity warning"),
    labels={
        "last_activity_at": _("date of last activity"),
        "warned_at": _("date warned"),
    },
    personal={
        name: Personal(Controller.OPERATOR, _("warn before deleting an inactive account"),
                       Basis.LEGITIMATE_INTEREST, _("as long as the account"),
                       Erase.DELETE_ROW, Export.OMIT)
        for name in ("user", "last_activity_at", "warned_at")
    },
    not_personal=["id"],
    subject_path="user__subject",
)
