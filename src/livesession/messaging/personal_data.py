from django.utils.translation import gettext_lazy as _

from livesession.messaging.models import OutboxMessage
from livesession.protection.registry import Basis, Controller, Erase, Export, Personal, declare

_SEND = _("send the participant the messages of their registration")
_KEEP = _("90 days after sending")

declare(
    OutboxMessage,
    personal={
        "to_enc": Personal(Controller.CLIENT, _SEND, Basis.CONTRACT, _KEEP, Erase.SHRED,
                           label=_("recipient")),
        "subject_line_enc": Personal(Controller.CLIENT, _SEND, Basis.CONTRACT, _KEEP,
                                     Erase.SHRED, label=_("subject")),
        "body_enc": Personal(Controller.CLIENT, _SEND, Basis.CONTRACT, _KEEP, Erase.SHRED,
                             label=_("message")),
        "subject": Personal(Controller.CLIENT, _SEND, Basis.CONTRACT, _KEEP, Erase.DELETE_ROW,
                            Export.OMIT),
        "registration": Personal(Controller.CLIENT, _SEND, Basis.CONTRACT, _KEEP,
                                 Erase.DELETE_ROW, Export.OMIT),
        "unsubscribe_url_enc": Personal(Controller.CLIENT, _SEND, Basis.CONTRACT, _KEEP,
                                        Erase.SHRED, Export.OMIT),
        "attachment_enc": Personal(Controller.CLIENT, _SEND, Basis.CONTRACT, _KEEP,
                                   Erase.SHRED, label=_("attachment")),
    },
    not_personal=["id", "client", "event", "attachment_name", "attachment_type", "kind",
                  "status", "attempts", "next_attempt_at", "claimed_at",
                  "sent_at", "last_error", "created_at"],
    sealed={"to": "to_enc", "subject_line": "subject_line_enc", "body": "body_enc",
            "unsubscribe_url": "unsubscribe_url_enc", "attachment": "attachment_enc"},
)
