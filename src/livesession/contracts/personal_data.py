from django.utils.translation import gettext_lazy as _

from livesession.contracts.models import Contract, DestructionCertificate, ReturnPackage
from livesession.protection.registry import Basis, Controller, Erase, Export, Personal, declare

_PROOF = _("prove who did what (audit trail)")

# The actor columns hold pseudonymous ids ("account:12"), like the audit trail; the reason
# is the operator's ground for ending a contract, and the form asks for no personal data.
declare(
    Contract,
    labels={"terminated_by": _("who terminated it")},
    personal={
        "terminated_by": Personal(Controller.OPERATOR, _PROOF, Basis.LEGAL_OBLIGATION,
                                  _("5 years"), Erase.KEEP_PSEUDONYMOUS, Export.OMIT),
    },
    not_personal=["id", "client", "state", "terminated_at", "reason", "destroyed_at"],
)
declare(
    ReturnPackage,
    labels={"requested_by": _("who asked for it")},
    personal={
        "requested_by": Personal(Controller.OPERATOR, _PROOF, Basis.LEGAL_OBLIGATION,
                                 _("until the client's data is destroyed"),
                                 Erase.KEEP_PSEUDONYMOUS, Export.OMIT),
    },
    # The archive itself is a file encrypted under a keystore key of the client, never a
    # column; these are its progress, size and checksum.
    not_personal=["id", "client", "status", "rows_total", "rows_done", "sha256", "size",
                  "error", "created_at", "finished_at", "expires_at", "downloads"],
)
# Categories, counts and key ids only.
declare(DestructionCertificate, not_personal=[
    "id", "client_ref", "client_name", "terminated_at", "started_at", "finished_at", "steps",
    "counts", "key_ids", "files_deleted"])
