from django.utils.translation import gettext_lazy as _

from livesession.protection.models import DataKey, Subject
from livesession.protection.registry import Basis, Controller, Erase, Export, Personal, declare

declare(
    Subject,
    personal={
        "email_index": Personal(
            Controller.CLIENT, _("find a person's records by email without storing it"),
            Basis.CONTRACT, _("until erasure"), Erase.KEEP_PSEUDONYMOUS, Export.OMIT,
        ),
    },
    not_personal=["id", "controller", "client", "created_at", "shredded_at"],
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
