"""Registry declarations of the cookie app (issue 7): consent receipts (proof of a choice)
and raw audience rows (first-party measurement)."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from livesession.cookies.models import ConsentReceipt, PageView
from livesession.protection.registry import (
    UNLINKED,
    Basis,
    Controller,
    Erase,
    Export,
    Personal,
    declare,
)

_PROOF = _("prove the cookie choice made on this browser (GDPR art. 7(1))")
_PROOF_KEEP = _("5 years as proof; the link to the account is cleared when it is erased")


def _proof(erase: Erase, export: Export = Export.VALUE, label: str | Promise = "") -> Personal:
    return Personal(Controller.OPERATOR, _PROOF, Basis.LEGAL_OBLIGATION, _PROOF_KEEP, erase,
                    export, label=label)


declare(
    ConsentReceipt,
    personal={
        # Once the account is cleared, nothing links a receipt to anyone.
        "account": _proof(Erase.CLEAR, Export.OMIT),
        "receipt_id": _proof(Erase.KEEP_PSEUDONYMOUS, label=_("receipt number")),
        "action": _proof(Erase.KEEP_PSEUDONYMOUS, label=_("cookie choice")),
        "choices": _proof(Erase.KEEP_PSEUDONYMOUS, label=_("cookies allowed or refused")),
        "withdrawn": _proof(Erase.KEEP_PSEUDONYMOUS, label=_("consents withdrawn")),
        "at": _proof(Erase.KEEP_PSEUDONYMOUS, label=_("date of the choice")),
    },
    not_personal=["id", "surface", "inventory_hash", "notice_version", "language"],
    subject_path="account__subject",
)

_AUDIENCE = _("measure the platform's audience (pages viewed, navigation path, most used "
              "services, browser versions)")
_AUDIENCE_KEEP = _("13 months, then deleted; at once on withdrawal")


def _audience(label: str | Promise = "") -> Personal:
    return Personal(Controller.OPERATOR, _AUDIENCE, Basis.CONSENT, _AUDIENCE_KEEP,
                    Erase.DELETE_ROW, Export.OMIT, label=label)


declare(
    PageView,
    personal={
        "visitor": _audience(_("hash of a random visitor cookie")),
        "ip_prefix": _audience(_("network address cut to /16 (IPv4) or /48 (IPv6)")),
        "browser": _audience(_("browser")),
        "browser_version": _audience(_("browser major version")),
        "route": _audience(_("page viewed (its route, never its address)")),
        "seq": _audience(_("position in the navigation path")),
        "referrer_host": _audience(_("referring site")),
        "at": _audience(_("time of the page view")),
    },
    not_personal=["id", "area", "exempt"],
    # A random cookie's hash links to no person or account; withdrawal deletes a visitor's
    # rows by that cookie, the purge every row after 13 months.
    subject_path=UNLINKED,
)
