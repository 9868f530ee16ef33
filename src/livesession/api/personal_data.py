from django.utils.translation import gettext_lazy as _

from livesession.api.models import ApiToken
from livesession.protection.registry import Basis, Controller, Erase, Personal, declare

declare(
    ApiToken,
    personal={
        "created_by": Personal(Controller.CLIENT, _("know who created an API token"),
                               Basis.LEGITIMATE_INTEREST, _("token lifetime"), Erase.CLEAR),
    },
    not_personal=["id", "client", "name", "prefix", "token_digest", "created_at",
                  "last_used_at", "revoked_at"],
)
