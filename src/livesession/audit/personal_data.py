from django.utils.translation import gettext_lazy as _

from livesession.audit.models import AuditEntry
from livesession.protection.registry import Basis, Controller, Erase, Personal, declare

# Actors and targets are ids ("account:12"), never names or addresses; after erasure the id
# links to nothing, and the chain stays verifiable (P6.6).
declare(
    AuditEntry,
    personal={
        "actor": Personal(Controller.OPERATOR, _("prove who did what (audit trail)"),
                          Basis.LEGAL_OBLIGATION, _("5 years"), Erase.KEEP_PSEUDONYMOUS),
        "target": Personal(Controller.OPERATOR, _("prove who did what (audit trail)"),
                           Basis.LEGAL_OBLIGATION, _("5 years"), Erase.KEEP_PSEUDONYMOUS),
    },
    not_personal=["id", "at", "client", "action", "details", "prev_hash", "hash"],
)
