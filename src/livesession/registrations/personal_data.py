from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from livesession.protection.registry import (
    UNLINKED,
    Basis,
    Controller,
    Erase,
    Export,
    Personal,
    declare,
)
from livesession.registrations.models import CustomField, IdempotencyKey, Registration

_PURPOSE = _("register the participant to the event and give them access")
_KEEP = _("as long as the client's contract, then 60 days")  # P4.4


def _reg(erase: Erase = Erase.DELETE_ROW, export: Export = Export.VALUE,
         label: str | Promise = "", purpose: str | Promise = _PURPOSE) -> Personal:
    # Registration rests on the service contract, not on a bundled consent (issue 3 §4).
    return Personal(Controller.CLIENT, purpose, Basis.CONTRACT, _KEEP, erase, export,
                    label=label)


declare(
    Registration,
    labels={
        "cancelled_at": _("date cancelled"),
        "channel": _("how the registration came in"),
        "confirmed_at": _("date confirmed"),
        "notice_version": _("version of the privacy notice shown"),
        "updated_at": _("date last changed"),
    },
    personal={
        "email_enc": _reg(Erase.SHRED, label=_("email")),
        "first_name_enc": _reg(Erase.SHRED, label=_("first name")),
        "last_name_enc": _reg(Erase.SHRED, label=_("last name")),
        # The purposes of optional fields are the client's own, given when it enables
        # them (P1.1); they are shown on the form and in the client's register.
        "mobile_phone_enc": _reg(Erase.SHRED, label=_("mobile phone"),
                                 purpose=_("purpose set by the organizer")),
        "city_enc": _reg(Erase.SHRED, label=_("city"), purpose=_("purpose set by the organizer")),
        "postal_code_enc": _reg(Erase.SHRED, label=_("postal code"),
                                purpose=_("purpose set by the organizer")),
        "job_function_enc": _reg(Erase.SHRED, label=_("job function"),
                                 purpose=_("purpose set by the organizer")),
        "answers_enc": _reg(Erase.SHRED, label=_("answers to the organizer's questions"),
                            purpose=_("purpose set by the organizer")),
        "email_index": _reg(export=Export.OMIT, purpose=_("refuse a second registration")),
        "subject": _reg(export=Export.OMIT),
        "language": _reg(purpose=_("write to the participant in their language")),
        "created_at": _reg(),
        "updated_at": _reg(),
        "confirmed_at": _reg(),
        "cancelled_at": _reg(),
        "status": _reg(),
        "channel": _reg(),
        "notice_version": _reg(purpose=_("prove which privacy notice was shown")),
        "decision_note": _reg(Erase.CLEAR, label=_("organizer's message")),
    },
    not_personal=["id", "client", "event"],
    sealed={"email": "email_enc", "first_name": "first_name_enc", "last_name": "last_name_enc",
            "mobile_phone": "mobile_phone_enc", "city": "city_enc",
            "postal_code": "postal_code_enc", "job_function": "job_function_enc",
            "answers_json": "answers_enc"},
)
declare(CustomField, personal={
    "created_by": Personal(Controller.CLIENT, _("know who created a question"),
                           Basis.LEGITIMATE_INTEREST, _("event lifetime"), Erase.CLEAR),
}, not_personal=["id", "client", "event", "key", "kind", "label_fr", "label_en", "help_fr",
                 "help_en", "required", "options", "rules", "position", "show_if_key",
                 "show_if_value", "purpose", "created_at"])
declare(IdempotencyKey, not_personal=["id", "event", "key_digest", "status_code", "body",
                                      "created_at"])

# --- Registrants search and import (issue 3 point 11) ------------------------------------
from livesession.registrations.models import Import, SearchToken  # noqa: E402

declare(SearchToken, labels={"token": _("keyed hash of a word of the name")}, personal={
    # Keyed hashes of name words and the address: no use to the person, gone with the row.
    "token": Personal(Controller.CLIENT, _("let the organizer find a registration"),
                      Basis.CONTRACT, _KEEP, Erase.DELETE_ROW, Export.OMIT),
    "registration": Personal(Controller.CLIENT, _("let the organizer find a registration"),
                             Basis.CONTRACT, _KEEP, Erase.DELETE_ROW, Export.OMIT),
}, not_personal=["id", "client", "event"], subject_path="registration__subject")
declare(Import, name=_("import of a participant list"), labels={
    "confirmed_by": _("who confirmed it"),
}, personal={
    # The uploaded file, sealed with a key of its own that is destroyed (with the text)
    # when the import ends or is discarded; the legal basis is the one the organizer
    # chose for this import, recorded in ``basis``.
    "content_enc": Personal(Controller.CLIENT, _("import the organizer's list of participants"),
                            Basis.CONTRACT, _("until the import ends, at most one day"),
                            Erase.SHRED, Export.OMIT, label=_("imported file")),
    "created_by": Personal(Controller.CLIENT, _("know who imported a list"),
                           Basis.LEGITIMATE_INTEREST, _("event lifetime"), Erase.CLEAR),
    "confirmed_by": Personal(Controller.CLIENT, _("know who imported a list"),
                             Basis.LEGITIMATE_INTEREST, _("event lifetime"), Erase.CLEAR),
}, not_personal=["id", "client", "event", "language", "status", "basis", "delimiter",
                 "line_numbers", "analysis", "total", "processed", "outcomes", "reasons",
                 "error", "created_at", "updated_at", "confirmed_at", "finished_at"],
        # The file holds many people under a key of its own, destroyed when the import
        # ends (at most a day); the staff columns are cleared through their own keys.
        subject_path=UNLINKED)

# The search index follows every saved registration through a post_save receiver (see
# registrations/search.py). This module is imported by every process at start-up
# (protection's AppConfig.ready autodiscovers ``personal_data``), so the receiver is
# always connected, in the web server, the worker, commands and tests alike.
from livesession.registrations import search  # noqa: E402

search.connect()

from livesession.registrations.models import SessionSeat  # noqa: E402

declare(SessionSeat, personal={
    "registration": Personal(Controller.CLIENT, _("know who attends which session"),
                             Basis.CONTRACT, _KEEP, Erase.DELETE_ROW, Export.OMIT),
    "status": Personal(Controller.CLIENT, _("know who attends which session"),
                       Basis.CONTRACT, _KEEP, Erase.DELETE_ROW),
    "created_at": Personal(Controller.CLIENT, _("know who attends which session"),
                           Basis.CONTRACT, _KEEP, Erase.DELETE_ROW),
}, not_personal=["id", "session", "client"], subject_path="registration__subject")
