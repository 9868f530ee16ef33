from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from livesession.accounts.models import AccountLink, SharingChoice, User, UserSession
from livesession.protection.registry import Basis, Controller, Erase, Export, Personal, declare

_ACCOUNT = _("run the platform account")
_PROFILE = _("keep your profile to fill in registration forms for you")
_SECURITY = _("protect the account against misuse")
_LIFE = _("as long as the account, then 3 years")  # P3.8
_SESSION = _("while the session lasts (1 hour idle), or until you sign it out")


def _account(purpose: str | Promise, erase: Erase = Erase.DELETE_ROW,
             export: Export = Export.VALUE, label: str | Promise = "",
             basis: Basis = Basis.CONTRACT, retention: str | Promise = _LIFE) -> Personal:
    """Every account datum has the operator as its controller (P0.2)."""
    return Personal(Controller.OPERATOR, purpose, basis, retention, erase, export, label=label)


declare(
    User,
    personal={
        "email_enc": _account(_ACCOUNT, Erase.SHRED, label=_("email")),
        "first_name_enc": _account(_PROFILE, Erase.SHRED, label=_("first name")),
        "last_name_enc": _account(_PROFILE, Erase.SHRED, label=_("last name")),
        "mobile_phone_enc": _account(_PROFILE, Erase.SHRED, label=_("mobile phone")),
        "city_enc": _account(_PROFILE, Erase.SHRED, label=_("city")),
        "postal_code_enc": _account(_PROFILE, Erase.SHRED, label=_("postal code")),
        "job_function_enc": _account(_PROFILE, Erase.SHRED, label=_("job function")),
        "language": _account(_("write to you in your language"), label=_("language")),
        "email_index": _account(_("sign in by email"), Erase.KEEP_PSEUDONYMOUS,
                               export=Export.OMIT),
        "password": _account(_("sign in"), export=Export.OMIT),
        "email_verified_at": _account(_("prove the address is yours"),
                                      label=_("email verification date")),
        "failed_logins": _account(_SECURITY, label=_("failed sign-in attempts"),
                                  basis=Basis.LEGITIMATE_INTEREST),
        "last_failed_login_at": _account(_SECURITY, label=_("last failed sign-in"),
                                         basis=Basis.LEGITIMATE_INTEREST),
        "locked_until": _account(_SECURITY, label=_("account locked until"),
                                 basis=Basis.LEGITIMATE_INTEREST),
        "last_login": _account(_("account security")),
        "date_joined": _account(_ACCOUNT),
        "confidentiality_ack_at": _account(_("prove staff acknowledged confidentiality"),
                                           basis=Basis.LEGAL_OBLIGATION),
    },
    not_personal=["id", "subject", "is_active", "is_operator"],
    sealed={"email": "email_enc", "first_name": "first_name_enc",
            "last_name": "last_name_enc", "mobile_phone": "mobile_phone_enc",
            "city": "city_enc", "postal_code": "postal_code_enc",
            "job_function": "job_function_enc"},
)

_SHARING = _("share with each organizer only the profile fields you chose")
declare(
    SharingChoice,
    personal={
        "user": _account(_SHARING, export=Export.OMIT, basis=Basis.CONSENT),
        "client": _account(_SHARING, label=_("organizer"), basis=Basis.CONSENT),
        "fields": _account(_SHARING, label=_("fields shared with the organizer"),
                           basis=Basis.CONSENT),
        "updated_at": _account(_SHARING, label=_("date of the sharing choice"),
                               basis=Basis.CONSENT),
    },
    not_personal=["id"],
    subject_path="user__subject",
)

_LINKS = _("show your registrations in your personal space")
declare(
    AccountLink,
    personal={
        "account": _account(_LINKS, export=Export.OMIT),
        "registration": _account(_LINKS, label=_("registration held by the account")),
        "linked_at": _account(_LINKS, label=_("date the registration joined the account")),
    },
    not_personal=["id"],
    subject_path="account__subject",
)

declare(
    UserSession,
    personal={
        "user": _account(_SECURITY, export=Export.OMIT, retention=_SESSION),
        "session_key": _account(_("sign a session out"), export=Export.OMIT, retention=_SESSION,
                                label=_("session key")),
        "created_at": _account(_SECURITY, label=_("sign-in time"), retention=_SESSION),
        "last_seen_at": _account(_SECURITY, label=_("last activity"), retention=_SESSION),
        "user_agent_family": _account(_SECURITY, label=_("browser and system"),
                                      retention=_SESSION),
        "ip_truncated": _account(_SECURITY, label=_("network (shortened IP address)"),
                                 retention=_SESSION),
    },
    not_personal=["id"],
    subject_path="user__subject",
)
