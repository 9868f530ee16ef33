from django.utils.translation import gettext_lazy as _

from livesession.core.models import Client, Membership, WorkerHeartbeat
from livesession.protection.registry import Basis, Controller, Erase, Personal, declare

declare(Client, not_personal=["id", "name", "slug", "created_at", "is_active",
                              "form_defaults"])
declare(
    Membership,
    personal={
        "user": Personal(Controller.OPERATOR, _("give a member access to their organization"),
                         Basis.CONTRACT, _("while the membership lasts"), Erase.DELETE_ROW),
    },
    not_personal=["id", "client", "role", "created_at"],
)
declare(WorkerHeartbeat, not_personal=["name", "beat_at"])
