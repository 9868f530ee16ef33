"""Personal fields of third-party models we install (Django sessions)."""

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

declare(
    "sessions.Session",
    personal={
        "session_data": Personal(
            Controller.OPERATOR, _("keep a signed-in person signed in"),
            Basis.CONTRACT, _("session lifetime (1 hour idle)"), Erase.DELETE_ROW, Export.OMIT,
        ),
    },
    not_personal=["session_key", "expire_date"],
    # No column names the person (the account id sits inside the encoded data): erasure
    # ends an account's sessions through ``UserSession.session_key`` (accounts.services.
    # revoke_sessions), and any other session expires after an idle hour.
    subject_path=UNLINKED,
)
