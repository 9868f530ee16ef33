from django.utils.translation import gettext_lazy as _

from livesession.incidents.models import Alert, ExportMark, Incident, Notification
from livesession.protection.registry import Basis, Controller, Erase, Export, Personal, declare

# The references are ids ("account:12"), never names or addresses, as in the audit trail:
# after an erasure they link to nothing, and the register keeps its evidence (GDPR art.
# 33.5). Not in the person's export: the person concerned is told by the breach notice
# (P5.1), with what it requires, and the account's own data is exported already. The
# summary is checked to hold no personal data (incidents.services.clean_summary).
declare(
    Incident,
    personal={
        "refs": Personal(Controller.OPERATOR, _("handle security incidents and personal data "
                                                "breaches (GDPR art. 33)"),
                         Basis.LEGAL_OBLIGATION, _("5 years"), Erase.KEEP_PSEUDONYMOUS,
                         Export.OMIT, label=_("who and what the incident concerns")),
        "created_by": Personal(Controller.OPERATOR, _("prove who did what (audit trail)"),
                               Basis.LEGAL_OBLIGATION, _("5 years"), Erase.KEEP_PSEUDONYMOUS,
                               Export.OMIT, label=_("who recorded the incident")),
        "assessed_by": Personal(Controller.OPERATOR, _("prove who did what (audit trail)"),
                                Basis.LEGAL_OBLIGATION, _("5 years"), Erase.KEEP_PSEUDONYMOUS,
                                Export.OMIT, label=_("who assessed the incident")),
        "decided_by": Personal(Controller.OPERATOR, _("prove who did what (audit trail)"),
                               Basis.LEGAL_OBLIGATION, _("5 years"), Erase.KEEP_PSEUDONYMOUS,
                               Export.OMIT, label=_("who decided on notification")),
    },
    not_personal=["id", "source", "detected_at", "aware_at", "nature", "status", "summary",
                  "client", "closed_at", "natures", "data_categories", "people_approx",
                  "records_approx", "likely_consequences", "risk_level", "risk_reasoning",
                  "measures_taken", "measures_proposed", "role", "assessed_at",
                  "notify_cnil", "notify_people", "decision_rationale", "decided_at",
                  "complement_due"],
)

# Who assessed and decided: account references, as ``created_by``.
declare(
    Notification,
    personal={
        "recorded_by": Personal(Controller.OPERATOR, _("prove who did what (audit trail)"),
                                Basis.LEGAL_OBLIGATION, _("5 years"), Erase.KEEP_PSEUDONYMOUS,
                                Export.OMIT, label=_("who recorded the notification")),
    },
    not_personal=["id", "incident", "kind", "phase", "client", "at", "reference",
                  "delay_reason", "late", "recorded_at"],
)
declare(Alert, not_personal=["id", "incident", "hours", "sent_at"])
# Kept one hour only (incidents.detect prunes them): who exported how many rows.
declare(
    ExportMark,
    personal={
        "actor": Personal(Controller.OPERATOR, _("detect unusual exports (security)"),
                          Basis.LEGITIMATE_INTEREST, _("1 hour"), Erase.KEEP_PSEUDONYMOUS,
                          Export.OMIT, label=_("who exported")),
    },
    not_personal=["id", "client", "rows", "at"],
)
