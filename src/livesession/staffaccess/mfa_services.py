"""Second factors (S-02): enrolment, codes, recovery codes, a client's requirement.

Operator staff must have one, verified in the current session, before any console page
(``console.views.operator_only``); client members may add one, and a client may require it
of its members (``middleware.ClientMfaMiddleware``). Code attempts count per account in
``core.ratelimit`` (bucket ``mfa_code``): over the limit, even a right code is refused until
the window ends, so guessing 10^6 codes is not practical.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from livesession.accounts import mfa
from livesession.accounts.models import User
from livesession.audit.services import record
from livesession.core import clock, ratelimit
from livesession.core.models import Client
from livesession.staffaccess.models import ClientMfaPolicy, MfaDevice, RecoveryCode

RECOVERY_CODES = 10


class TooManyAttempts(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


def _user_id(user: Any) -> int:
    return int(getattr(user, "pk", None) or 0)  # an anonymous user has none: matches no row


def device_of(user: Any) -> MfaDevice | None:
    return MfaDevice.objects.filter(user_id=_user_id(user)).first()


def has_mfa(user: Any) -> bool:
    return MfaDevice.objects.filter(user_id=_user_id(user), confirmed_at__isnull=False).exists()


def is_satisfied(request: Any) -> bool:
    """The signed-in account has a confirmed second factor and proved it in this session."""
    return mfa.session_verified(request) and has_mfa(request.user)


def _digest(code: str) -> str:
    return hashlib.sha256("".join(code.split()).lower().encode()).hexdigest()


def _new_recovery_codes(device: MfaDevice) -> list[str]:
    device.recovery_codes.all().delete()
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODES)]
    RecoveryCode.objects.bulk_create(RecoveryCode(device=device, code_digest=_digest(c))
                                     for c in codes)
    return codes


@transaction.atomic
def start_enrollment(user: User) -> MfaDevice:
    """A new, unconfirmed secret (replacing an unconfirmed one). A confirmed second factor
    is never replaced here: it must be turned off first."""
    device = device_of(user)
    if device is not None and device.confirmed_at is not None:
        raise ValidationError(_("A second factor is already set up for this account."))
    if device is None:
        device = MfaDevice(user=user, subject_id=user.subject_id, created_at=clock.now())
    device.secret = mfa.new_secret()
    device.created_at = clock.now()
    device.last_step = None
    device.save()
    return device


def otpauth_uri(device: MfaDevice) -> str:
    return mfa.otpauth_uri(device.secret, f"account-{device.user_id}", settings.MFA_ISSUER)


def _count_attempt(user: Any) -> None:
    verdict = ratelimit.attempt("mfa_code", f"account:{user.pk}")
    if verdict:
        raise TooManyAttempts(verdict.retry_after)


def confirm_enrollment(user: User, code: str) -> list[str]:
    """Turn the pending secret on with a first valid code; returns the recovery codes,
    shown once. Raises ValidationError for a wrong code, TooManyAttempts over the limit.
    The attempt is counted outside the transaction: a refused code still counts."""
    _count_attempt(user)
    return _confirm(user, code)


@transaction.atomic
def _confirm(user: User, code: str) -> list[str]:
    device = MfaDevice.objects.select_for_update().filter(user=user).first()
    if device is None or device.confirmed_at is not None:
        raise ValidationError(_("Start the set-up again: no second factor is waiting."))
    step = mfa.match(device.secret, code, clock.now().timestamp(), device.last_step)
    if step is None:
        raise ValidationError(_("This code is not right. Type the 6 digits your app shows "
                                "now; check that your phone's clock is set automatically."))
    device.confirmed_at = clock.now()
    device.last_step = step
    device.save(update_fields=["confirmed_at", "last_step"])
    codes = _new_recovery_codes(device)
    record(f"account:{user.pk}", "mfa.enabled", target=f"account:{user.pk}")
    return codes


def check_code(user: User, code: str) -> bool:
    """A sign-in code: a TOTP code of a step not used before, or an unused recovery code
    (then spent). Raises TooManyAttempts over the limit (counted before, outside the
    transaction)."""
    _count_attempt(user)
    return _check(user, code)


@transaction.atomic
def _check(user: User, code: str) -> bool:
    device = (MfaDevice.objects.select_for_update()
              .filter(user=user, confirmed_at__isnull=False).first())
    if device is None:
        return False
    # One conditional UPDATE: two requests with the same code cannot both win, also on
    # SQLite where select_for_update does nothing.
    step = mfa.match(device.secret, code, clock.now().timestamp(), device.last_step)
    if step is not None:
        won = (MfaDevice.objects.filter(pk=device.pk)
               .filter(Q(last_step__isnull=True) | Q(last_step__lt=step))
               .update(last_step=step))
        if won:
            record(f"account:{user.pk}", "mfa.code_accepted", target=f"account:{user.pk}")
        return bool(won)
    spent = RecoveryCode.objects.filter(device=device, code_digest=_digest(code),
                                        used_at__isnull=True).update(used_at=clock.now())
    if spent:
        left = device.recovery_codes.filter(used_at__isnull=True).count()
        record(f"account:{user.pk}", "mfa.recovery_code_used", target=f"account:{user.pk}",
               details={"left": left})
        return True
    record(f"account:{user.pk}", "mfa.code_refused", target=f"account:{user.pk}")
    return False


@transaction.atomic
def new_recovery_codes(user: User) -> list[str]:
    device = device_of(user)
    if device is None or device.confirmed_at is None:
        raise ValidationError(_("Set up a second factor first."))
    codes = _new_recovery_codes(device)
    record(f"account:{user.pk}", "mfa.recovery_codes_renewed", target=f"account:{user.pk}")
    return codes


def recovery_codes_left(user: Any) -> int:
    return RecoveryCode.objects.filter(device__user_id=user.pk, used_at__isnull=True).count()


@transaction.atomic
def disable(user: User) -> None:
    """Turn the second factor off. Refused for operator staff (mandatory, S-02) and for a
    member of a client that requires it."""
    if user.is_operator:
        raise ValidationError(_("Operator staff must keep a second factor."))
    requiring = clients_requiring(user)
    if requiring:
        raise ValidationError(_("%(clients)s requires a second factor of its members: you "
                                "cannot turn it off.") % {
            "clients": ", ".join(c.name for c in requiring)})
    MfaDevice.objects.filter(user=user).delete()
    record(f"account:{user.pk}", "mfa.disabled", target=f"account:{user.pk}")


# --- A client's requirement -----------------------------------------------------------------

def client_requires(client: Client | int) -> bool:
    client_id = client if isinstance(client, int) else client.pk
    return ClientMfaPolicy.objects.filter(client_id=client_id, required=True).exists()


def clients_requiring(user: Any) -> list[Client]:
    return list(Client.objects.filter(memberships__user_id=user.pk, mfa_policy__required=True))


@transaction.atomic
def set_client_requirement(client: Client, required: bool, *, actor: str) -> ClientMfaPolicy:
    """The client's owners decide whether every member needs a second factor (S-02)."""
    policy, _created = ClientMfaPolicy.objects.get_or_create(
        client=client, defaults={"required": required, "changed_at": clock.now()})
    if policy.required != required or _created:
        policy.required = required
        policy.changed_at = clock.now()
        policy.save(update_fields=["required", "changed_at"])
        record(actor, "client.mfa_requirement_changed", target=f"client:{client.pk}",
               client_id=client.pk, details={"required": required})
    return policy
