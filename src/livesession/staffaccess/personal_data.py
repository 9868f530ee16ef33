"""Registry declarations of staff access and second factors (the operator is controller of
account data, P0.2)."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from livesession.protection.registry import Basis, Controller, Erase, Export, Personal, declare
from livesession.staffaccess.models import (
    ClientMfaPolicy,
    MfaDevice,
    RecoveryCode,
    StaffAccessGrant,
    StaffAccessRead,
)

_MFA = _("protect the account with a second factor")
_LIFE = _("as long as the second factor is on")
_STAFF = _("show the client which staff member reached its data (P3.4)")
_EVIDENCE = _("as long as the client's data, then with the audit trail")


def _mfa(label: str | Promise, erase: Erase = Erase.DELETE_ROW,
         export: Export = Export.VALUE) -> Personal:
    return Personal(Controller.OPERATOR, _MFA, Basis.LEGITIMATE_INTEREST, _LIFE, erase, export,
                    label=label)


declare(
    MfaDevice,
    personal={
        "user": _mfa(_("account"), export=Export.OMIT),
        "secret_enc": _mfa(_("second factor secret"), Erase.SHRED, Export.OMIT),
        "created_at": _mfa(_("second factor set up on")),
        "confirmed_at": _mfa(_("second factor confirmed on")),
        "last_step": _mfa(_("last code used"), export=Export.OMIT),
    },
    not_personal=["id", "subject"],
    sealed={"secret": "secret_enc"},
)

declare(
    RecoveryCode,
    personal={
        "code_digest": _mfa(_("recovery code (hashed)"), export=Export.OMIT),
        "used_at": _mfa(_("recovery code used on")),
    },
    not_personal=["id", "device"],
    subject_path="device__subject",
)

declare(ClientMfaPolicy, not_personal=["id", "client", "required", "changed_at"])

declare(
    StaffAccessGrant,
    personal={
        "staff": Personal(Controller.OPERATOR, _STAFF, Basis.LEGAL_OBLIGATION, _EVIDENCE,
                          Erase.CLEAR, Export.OMIT, label=_("staff member")),
        "staff_ref": Personal(Controller.OPERATOR, _STAFF, Basis.LEGAL_OBLIGATION, _EVIDENCE,
                              Erase.KEEP_PSEUDONYMOUS, Export.OMIT,
                              label=_("staff member (pseudonymous id)")),
    },
    # The reason and ticket describe a task, never a person (the form says so).
    not_personal=["id", "client", "reason", "ticket", "starts_at", "expires_at", "ended_at"],
    subject_path="staff__subject",
)

declare(StaffAccessRead, not_personal=["id", "grant", "client", "at", "what", "rows"])
