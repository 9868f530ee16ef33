"""Registry declarations of the request desk (issue 5 §8). The requester's identifiers and
the note are sealed under the request's subject; erasure shreds them and keeps the request's
dates and outcome, which name nobody once the subject link is cleared (R-13)."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from livesession.desk.models import Alert, Delivery, IdentityCheck, IdentityDocument, Request
from livesession.protection.registry import Basis, Controller, Erase, Export, Personal, declare

_ANSWER = _("answer the person's request about their data (GDPR art. 12 to 22)")
_KEEP = _("the time to answer, then 5 years as proof of the answer")
_ID = _("check the identity of the person making a request, on a recorded doubt")
_ID_KEEP = _("deleted right after the check")


def _p(erase: Erase, export: Export = Export.VALUE, label: str | Promise = "") -> Personal:
    # Both controllers hold requests; CLIENT is the stricter reading for the register
    # (the operator's own requests are about platform accounts, see docs/request-desk.md).
    return Personal(Controller.CLIENT, _ANSWER, Basis.LEGAL_OBLIGATION, _KEEP, erase, export,
                    label=label)


declare(
    Request,
    personal={
        "subject": _p(Erase.CLEAR, Export.OMIT),
        "email_enc": _p(Erase.SHRED, label=_("email address given with the request")),
        "name_enc": _p(Erase.SHRED, label=_("name given with the request")),
        "postal_address_enc": _p(Erase.SHRED, label=_("postal address given")),
        "details_enc": _p(Erase.SHRED, label=_("request details")),
        "type": _p(Erase.KEEP_PSEUDONYMOUS, label=_("type of request")),
        "received_on": _p(Erase.KEEP_PSEUDONYMOUS, label=_("date received")),
        "status": _p(Erase.KEEP_PSEUDONYMOUS, label=_("status of the request")),
        "doubt_reason": _p(Erase.CLEAR, Export.OMIT),
        "refusal_reason": _p(Erase.KEEP_PSEUDONYMOUS, label=_("reason for the refusal")),
    },
    not_personal=["id", "client", "own_subject", "channel", "due_on", "extended_until",
                  "extension_reason", "extension_notified_at", "identity_verified_at",
                  "identity_method", "responded_at", "response_channel", "forwarded_from",
                  "routed_to", "language", "created_by", "created_at", "updated_at"],
    sealed={"email": "email_enc", "name": "name_enc", "postal_address": "postal_address_enc",
            "details": "details_enc"},
    subject_path="subject",
)
# A keyed hash of a random code, gone after use or lock-out: nothing about the person.
declare(IdentityCheck, not_personal=["id", "request", "code_hash", "attempts", "expires_at",
                                     "created_at"])
declare(
    IdentityDocument,
    name=_("identity document"), labels={"file_name_enc": _("file name")},
    personal={
        "subject": Personal(Controller.CLIENT, _ID, Basis.LEGAL_OBLIGATION, _ID_KEEP,
                            Erase.DELETE_ROW, Export.OMIT),
        "content_enc": Personal(Controller.CLIENT, _ID, Basis.LEGAL_OBLIGATION, _ID_KEEP,
                                Erase.SHRED, Export.OMIT, label=_("identity document")),
        "file_name_enc": Personal(Controller.CLIENT, _ID, Basis.LEGAL_OBLIGATION, _ID_KEEP,
                                  Erase.SHRED, Export.OMIT),
    },
    not_personal=["id", "request", "content_type", "uploaded_at"],
    sealed={"content": "content_enc", "file_name": "file_name_enc"},
    subject_path="subject",
)
declare(Alert, not_personal=["id", "request", "key", "sent_at"])
_SEND = _("send the person the copy of their data they asked for")
_SEND_KEEP = _("until downloaded, or 7 days at most")
declare(
    Delivery,
    name=_("delivery of an answer"),
    personal={
        "subject": Personal(Controller.OPERATOR, _SEND, Basis.LEGAL_OBLIGATION, _SEND_KEEP,
                            Erase.DELETE_ROW, Export.OMIT),
        "archive_enc": Personal(Controller.OPERATOR, _SEND, Basis.LEGAL_OBLIGATION,
                                _SEND_KEEP, Erase.SHRED, Export.OMIT,
                                label=_("copy of the data, waiting to be downloaded")),
    },
    not_personal=["id", "request", "token_digest", "sha256", "code_hash", "code_expires_at",
                  "attempts", "expires_at", "created_at"],
    sealed={"archive": "archive_enc"},
    subject_path="subject",
)
