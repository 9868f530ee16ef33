from django.utils.translation import gettext_lazy as _

from livesession.access.models import AccessLink, Attendance, RoomSettings
from livesession.protection.registry import Basis, Controller, Erase, Export, Personal, declare

_KEEP = _("as long as the client's contract, then 60 days")  # P4.4

declare(
    AccessLink,
    personal={
        "token_enc": Personal(Controller.CLIENT, _("give the participant their personal link"),
                              Basis.CONTRACT, _KEEP, Erase.SHRED, Export.OMIT),
        "token_digest": Personal(Controller.CLIENT, _("recognise the personal link"),
                                 Basis.CONTRACT, _KEEP, Erase.DELETE_ROW, Export.OMIT),
        "subject": Personal(Controller.CLIENT, _("give the participant their personal link"),
                            Basis.CONTRACT, _KEEP, Erase.DELETE_ROW, Export.OMIT),
    },
    not_personal=["id", "registration", "client", "created_at", "revoked_at"],
    sealed={"token": "token_enc"},
)
declare(
    Attendance,
    personal={
        "joined_at": Personal(Controller.CLIENT, _("record attendance"),
                              Basis.CONTRACT, _KEEP, Erase.DELETE_ROW),
        "registration": Personal(Controller.CLIENT, _("record attendance"),
                                 Basis.CONTRACT, _KEEP, Erase.DELETE_ROW, Export.OMIT),
    },
    not_personal=["id", "client", "event", "session"],
)

declare(RoomSettings, not_personal=["id", "client", "bbb_url", "bbb_secret_enc", "jitsi_domain",
                                    "jitsi_app_id", "jitsi_secret_enc", "updated_at"])
