from django.utils.translation import gettext_lazy as _

from livesession.core.models import Client, Membership, RateCounter, WorkerHeartbeat
from livesession.protection.registry import (
    UNLINKED,
    Basis,
    Controller,
    Erase,
    Export,
    Personal,
    declare,
)

declare(Client, not_personal=["id", "name", "slug", "created_at", "is_active",
                              "form_defaults"])
declare(
    Membership,
    personal={
        "user": Personal(Controller.OPERATOR, _("give a member access to their organization"),
                         Basis.CONTRACT, _("while the membership lasts"), Erase.DELETE_ROW),
    },
    not_personal=["id", "client", "role", "created_at"],
    subject_path="user__subject",
)
declare(WorkerHeartbeat, not_personal=["name", "beat_at"])
declare(
    RateCounter,
    name=_("rate-limit counter"),
    personal={
        # A keyed hash (HMAC) of the address: pseudonymous, never the address itself.
        "bucket_key": Personal(Controller.OPERATOR,
                               _("limit abuse: robots and repeated attempts"),
                               Basis.LEGITIMATE_INTEREST,
                               _("until the end of its counting window (at most one day)"),
                               Erase.DELETE_ROW, Export.OMIT,
                               label=_("keyed hash of the connection address")),
    },
    not_personal=["id", "window_start", "expires_at", "count"],
    # A hash of a network address links to no person; the row expires within a day.
    subject_path=UNLINKED,
)
