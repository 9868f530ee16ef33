from django.utils.translation import gettext_lazy as _

from livesession.accounts.models import User
from livesession.protection.registry import Basis, Controller, Erase, Export, Personal, declare

_ACCOUNT = _("run the platform account")
_LIFE = _("as long as the account, then 3 years")  # P3.8

declare(
    User,
    personal={
        "email_enc": Personal(Controller.OPERATOR, _ACCOUNT, Basis.CONTRACT, _LIFE, Erase.SHRED,
                              label=_("email")),
        "name_enc": Personal(Controller.OPERATOR, _ACCOUNT, Basis.CONTRACT, _LIFE, Erase.SHRED,
                             label=_("name")),
        "email_index": Personal(Controller.OPERATOR, _("sign in by email"), Basis.CONTRACT,
                                _LIFE, Erase.KEEP_PSEUDONYMOUS, Export.OMIT),
        "password": Personal(Controller.OPERATOR, _("sign in"), Basis.CONTRACT, _LIFE,
                             Erase.DELETE_ROW, Export.OMIT),
        "last_login": Personal(Controller.OPERATOR, _("account security"), Basis.CONTRACT,
                               _LIFE, Erase.DELETE_ROW),
        "date_joined": Personal(Controller.OPERATOR, _ACCOUNT, Basis.CONTRACT, _LIFE,
                                Erase.DELETE_ROW),
        "confidentiality_ack_at": Personal(
            Controller.OPERATOR, _("prove staff acknowledged confidentiality"),
            Basis.LEGAL_OBLIGATION, _LIFE, Erase.DELETE_ROW),
    },
    not_personal=["id", "subject", "is_active", "is_operator"],
    sealed={"email": "email_enc", "name": "name_enc"},
)
