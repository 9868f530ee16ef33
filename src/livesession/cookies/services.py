"""Cookie choices: the one write of a choice, its receipt and its effects (issue 7 §2, §4;
P2.3, P7.4, P7.5; C-08)."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from livesession.cookies import audience, consent, inventory
from livesession.cookies.models import ConsentAction, ConsentReceipt
from livesession.core.clock import now


def choices_for(action: str, *, allow: list[str] | tuple[str, ...] = (),
                previous: consent.Choice | None = None, grant: str = "") -> dict[str, bool]:
    """What each non-functional tracker gets for an action. Nothing is allowed unless
    the visitor said so (C-04: every default is off)."""
    optional = inventory.optional_keys()
    if action == ConsentAction.ACCEPT_ALL:
        return {key: True for key in optional}
    if action == ConsentAction.CUSTOM:
        return {key: key in allow for key in optional}
    if action == ConsentAction.GRANT:
        if grant not in optional:
            raise ValueError(f"unknown tracker {grant!r}")
        kept = previous.allowed if previous is not None else {}
        return {key: key == grant or bool(kept.get(key, False)) for key in optional}
    # reject_all, close: refusal (closing the banner is a refusal, C-01).
    return {key: False for key in optional}


def record_choice(*, action: str, surface: str, allowed: dict[str, bool],
                  previous: consent.Choice | None, account: Any = None,
                  language: str = "") -> tuple[ConsentReceipt, consent.Choice]:
    """Write the receipt of one choice (proof, GDPR art. 7(1)) and return it with the
    choice the cookie will carry. No network address is kept (C-08)."""
    from livesession.privacy.services import current_notice_digest

    withdrawn = sorted(key for key, was in (previous.allowed if previous else {}).items()
                       if was and not allowed.get(key, False))
    moment = now()
    with transaction.atomic():
        receipt = ConsentReceipt.objects.create(
            receipt_id=uuid.uuid4(), action=action, surface=surface, choices=dict(allowed),
            withdrawn=withdrawn, inventory_hash=inventory.inventory_hash(),
            notice_version=current_notice_digest(),
            language=(language or translation.get_language() or "")[:8],
            account=account if getattr(account, "is_authenticated", False) else None,
            at=moment)
    choice = consent.Choice(receipt_id=str(receipt.receipt_id), allowed=dict(allowed),
                            inventory_hash=receipt.inventory_hash, at=int(moment.timestamp()))
    return receipt, choice


def apply_choice(request: HttpRequest, response: HttpResponse, choice: consent.Choice) -> int:
    """The choice's effects on this answer: the consent cookie, and when audience is not
    (any more) allowed, the visitor cookie deleted with the visitor's raw rows (P7.5).
    From here on the request itself runs under the new choice. Returns rows deleted."""
    consent.replace(request, choice)
    consent.write(request, response, choice)
    if not audience.allowed(request):
        return audience.forget(request, response)
    return 0


def receipts_of(account: Any) -> list[ConsentReceipt]:
    """A signed-in person's receipts, newest first (GET /api/v1/me/consents)."""
    return list(ConsentReceipt.objects.filter(account=account).order_by("-at", "-id"))


def receipt_dict(receipt: ConsentReceipt) -> dict[str, Any]:
    return {"receipt_id": str(receipt.receipt_id), "action": receipt.action,
            "surface": receipt.surface, "choices": receipt.choices,
            "withdrawn": receipt.withdrawn, "inventory_hash": receipt.inventory_hash,
            "notice_version": receipt.notice_version, "language": receipt.language,
            "at": receipt.at.isoformat()}
