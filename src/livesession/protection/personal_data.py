from typing import Any

from django.utils.translation import gettext_lazy as _

from livesession.protection.models import DataKey, Objection, Subject
from livesession.protection.registry import Basis, Controller, Erase, Export, Personal, declare

declare(
    Subject,
    personal={
        "email_index": Personal(
            Controller.CLIENT, _("find a person's records by email without storing it"),
            Basis.CONTRACT, _("until erasure"), Erase.KEEP_PSEUDONYMOUS, Export.OMIT,
        ),
        # Restriction of processing (art. 18): the husk left by erasure links to nobody.
        # Not in the download (the Subject row has no export path): the personal space's
        # "My choices" page shows the state.
        "restricted_at": Personal(
            Controller.CLIENT, _("honour the person's restriction of processing"),
            Basis.LEGAL_OBLIGATION, _("while the restriction lasts"),
            Erase.KEEP_PSEUDONYMOUS, Export.OMIT, label=_("processing restricted since"),
        ),
        "restricted_source": Personal(
            Controller.CLIENT, _("honour the person's restriction of processing"),
            Basis.LEGAL_OBLIGATION, _("while the restriction lasts"),
            Erase.KEEP_PSEUDONYMOUS, Export.OMIT, label=_("restriction asked from"),
        ),
    },
    not_personal=["id", "controller", "client", "created_at", "shredded_at"],
)


def _objection(label: Any) -> Personal:
    """A field of an objection's record: all share the purpose, basis and retention."""
    return Personal(Controller.CLIENT, _("honour the person's objection to a purpose"),
                    Basis.LEGAL_OBLIGATION, _("until erasure"), Erase.DELETE_ROW, label=label)


declare(
    Objection,
    personal={
        "purpose": _objection(_("objection to")),
        "objected_at": _objection(_("objected on")),
        "objected_source": _objection(_("objection made from")),
        "withdrawn_at": _objection(_("objection withdrawn on")),
        "withdrawn_source": _objection(_("objection withdrawn from")),
        "subject": Personal(
            Controller.CLIENT, _("honour the person's objection to a purpose"),
            Basis.LEGAL_OBLIGATION, _("until erasure"), Erase.DELETE_ROW, Export.OMIT,
        ),
    },
    not_personal=["id"],
    subject_path="subject",
)
declare(
    DataKey,
    personal={
        "wrapped": Personal(
            Controller.CLIENT, _("encrypt the person's data at rest"),
            Basis.LEGAL_OBLIGATION, _("until erasure"), Erase.SHRED, Export.OMIT,
        ),
    },
    not_personal=["subject_id", "controller", "created_at", "destroyed_at"],
    # In the keystore database: no foreign key can cross, the id is the link.
    subject_path="subject_id",
)
