from django.utils.translation import gettext_lazy as _

from livesession.messaging.models import OutboxMessage
from livesession.protection.registry import Basis, Controller, Erase, Export, Personal, declare

_SEND = _("send the participant the messages of their registration")
_KEEP = _("90 days after sending")

declare(
    OutboxMessage,
    labels={"unsubscribe_url_enc": _("unsubscribe link")},
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

# Issue 4 §7: templates, exactly-once records, unsubscriptions, messages to a segment.
from livesession.messaging.models import (  # noqa: E402
    Campaign,
    MessageOnce,
    MessageTemplate,
    Unsubscribe,
)

_ONCE = _("send each reminder, follow-up and segment message only once")
_OPT_OUT = _("respect the wish to receive no more non-transactional messages")

# The organizer's wording: about the event, never about a person.
declare(MessageTemplate, not_personal=["id", "client", "kind", "language", "subject", "body",
                                       "updated_at"])
declare(Campaign, not_personal=["id", "client", "event", "segment", "subject_fr", "body_fr",
                                "subject_en", "body_en", "status", "total", "queued",
                                "skipped", "created_by", "created_at", "finished_at"])
declare(
    MessageOnce,
    personal={"registration": Personal(Controller.CLIENT, _ONCE, Basis.CONTRACT,
                                       _("as long as the registration"), Erase.DELETE_ROW,
                                       Export.OMIT)},
    not_personal=["id", "client", "key", "outbox", "created_at"],
    subject_path="registration__subject",
)
declare(
    Unsubscribe,
    personal={"subject": Personal(Controller.CLIENT, _OPT_OUT, Basis.LEGAL_OBLIGATION,
                                  _("as long as the client uses the service"),
                                  Erase.DELETE_ROW, Export.OMIT)},
    not_personal=["id", "client", "created_at"],
)

# The send rate's shared clock (issue 9, S8): a moment, about nobody.
from livesession.messaging.models import SendPace  # noqa: E402

declare(SendPace, not_personal=["id", "key", "next_at"])
