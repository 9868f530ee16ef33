from django.utils.translation import gettext_lazy as _

from livesession.privacy.models import ConsentPurpose, ConsentRecord, NoticeVersion
from livesession.protection.registry import Basis, Controller, Erase, Export, Personal, declare

_PROOF = _("prove the consent given or withdrawn")
# Kept while the consent is in use and 5 years after, as proof (CNIL recommendation).
_KEEP = _("as long as the consent, then 5 years as proof")

declare(NoticeVersion, not_personal=["digest", "text_fr", "text_en", "created_at"])
declare(ConsentPurpose, not_personal=["id", "client", "key", "label_fr", "label_en", "active",
                                      "position", "created_at"])
declare(
    ConsentRecord,
    labels={"at": _("date and time"), "channel": _("where it was given")},
    personal={
        "subject": Personal(Controller.CLIENT, _PROOF, Basis.LEGAL_OBLIGATION, _KEEP,
                            Erase.KEEP_PSEUDONYMOUS, Export.OMIT),
        "registration": Personal(Controller.CLIENT, _PROOF, Basis.LEGAL_OBLIGATION, _KEEP,
                                 Erase.CLEAR, Export.OMIT),
        "action": Personal(Controller.CLIENT, _PROOF, Basis.LEGAL_OBLIGATION, _KEEP,
                           Erase.KEEP_PSEUDONYMOUS),
        "at": Personal(Controller.CLIENT, _PROOF, Basis.LEGAL_OBLIGATION, _KEEP,
                       Erase.KEEP_PSEUDONYMOUS),
        "language": Personal(Controller.CLIENT, _PROOF, Basis.LEGAL_OBLIGATION, _KEEP,
                             Erase.KEEP_PSEUDONYMOUS),
        "channel": Personal(Controller.CLIENT, _PROOF, Basis.LEGAL_OBLIGATION, _KEEP,
                            Erase.KEEP_PSEUDONYMOUS),
    },
    not_personal=["id", "client", "purpose", "text_digest"],
)
