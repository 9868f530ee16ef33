from django.utils.translation import gettext_lazy as _

from livesession.protection.registry import Basis, Controller, Erase, Export, Personal, declare
from livesession.registrations.models import Registration

_PURPOSE = _("register the participant to the event and give them access")
_KEEP = _("as long as the client's contract, then 60 days")  # P4.4

declare(
    Registration,
    personal={
        "email_enc": Personal(Controller.CLIENT, _PURPOSE, Basis.CONTRACT, _KEEP, Erase.SHRED,
                              label=_("email")),
        "first_name_enc": Personal(Controller.CLIENT, _PURPOSE, Basis.CONTRACT, _KEEP,
                                   Erase.SHRED, label=_("first name")),
        "last_name_enc": Personal(Controller.CLIENT, _PURPOSE, Basis.CONTRACT, _KEEP,
                                  Erase.SHRED, label=_("last name")),
        "email_index": Personal(Controller.CLIENT, _("refuse a second registration"),
                                Basis.CONTRACT, _KEEP, Erase.DELETE_ROW, Export.OMIT),
        "subject": Personal(Controller.CLIENT, _PURPOSE, Basis.CONTRACT, _KEEP,
                            Erase.DELETE_ROW, Export.OMIT),
        "language": Personal(Controller.CLIENT, _("write to the participant in their language"),
                             Basis.CONTRACT, _KEEP, Erase.DELETE_ROW),
        "created_at": Personal(Controller.CLIENT, _PURPOSE, Basis.CONTRACT, _KEEP,
                               Erase.DELETE_ROW),
        "status": Personal(Controller.CLIENT, _PURPOSE, Basis.CONTRACT, _KEEP, Erase.DELETE_ROW),
    },
    not_personal=["id", "client", "event"],
    sealed={"email": "email_enc", "first_name": "first_name_enc", "last_name": "last_name_enc"},
)
