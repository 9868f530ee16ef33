"""What a terminated client may still do (issue 6 §2; P6.9, P6.10).

Once its contract is terminated a client's space is read-only: every Manager write is
refused at the tenancy lookup (``core.tenancy`` calls ``refuse_manager_write`` once the
membership is found, so a non-member still gets the 404 first), API writes with its token
and public registrations and joins are refused by ``contracts.middleware``, and no message
is queued for it any more (``may_message``). Reads and the return package stay available
until the data is destroyed. Twelve months after the end of services nothing at all is
processed for it (``ensure_may_process``), even if a legal hold kept its data.
"""

from __future__ import annotations

import contextvars
import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from livesession.contracts.models import Contract, State
from livesession.core.clock import now

ENDED = (State.TERMINATED, State.DESTROYED)
SERVICES_BOUND = dt.timedelta(days=365)  # P6.10: nothing processed 12 months after the end

# Manager URLs a terminated client may still post to: asking for its return package.
WRITABLE_WHEN_TERMINATED = frozenset({"manager:contract-package"})

# Messages that still go to a terminated client's owners and administrators.
CONTRACT_KINDS = frozenset({"contract_terminated", "contract_package_ready"})

# (method, "namespace:url_name") of the request being served; set by the middleware.
current_request: contextvars.ContextVar[tuple[str, str] | None] = contextvars.ContextVar(
    "contracts_current_request", default=None)


class ClientReadOnly(PermissionDenied):
    """A write refused because the client's contract has ended."""

    def __init__(self, contract: Contract, *, services_ended: bool = False) -> None:
        super().__init__("read-only client")
        self.contract = contract
        self.services_ended = services_ended


class ServicesEnded(Exception):
    """Processing refused: the end of services was more than 12 months ago (P6.10)."""


def ended_contract(client_id: int | None) -> Contract | None:
    if client_id is None:
        return None
    return Contract.objects.filter(client_id=client_id, state__in=ENDED).first()


def is_read_only(client_id: int | None) -> bool:
    return ended_contract(client_id) is not None


def services_ended_long_ago(contract: Contract | None, moment: dt.datetime | None = None) -> bool:
    if contract is None or contract.terminated_at is None:
        return False
    return (moment or now()) >= contract.terminated_at + SERVICES_BOUND


def ensure_may_process(client_id: int | None) -> None:
    """Jobs, sends and exports for a client call this first (P6.10)."""
    contract = ended_contract(client_id)
    if contract is not None and (contract.state == State.DESTROYED
                                 or services_ended_long_ago(contract)):
        raise ServicesEnded(_("The services of this client ended more than 12 months ago, "
                              "or its data was destroyed: nothing is processed for it any "
                              "more."))


def may_message(client_id: int | None, kind: str) -> bool:
    """Whether a message of ``kind`` may still be queued for ``client_id``: any while the
    contract is active; only the contract's own notices to the client once it ended, and
    none 12 months after the end of services."""
    contract = ended_contract(client_id)
    if contract is None:
        return True
    if kind not in CONTRACT_KINDS or contract.state == State.DESTROYED:
        return False
    return not services_ended_long_ago(contract)


def refuse_manager_write(membership: Any) -> None:
    """Registered with ``core.tenancy``: a write request of a Manager page of a terminated
    client is refused (reads go through); 12 months after the end of services, reads too,
    but the contract page (P6.10)."""
    served = current_request.get()
    if served is None:
        return
    method, name = served
    safe = method in ("GET", "HEAD", "OPTIONS")
    if name == "manager:contract":
        return
    contract = ended_contract(membership.client_id)
    if contract is None:
        return
    if services_ended_long_ago(contract):
        raise ClientReadOnly(contract, services_ended=True)
    if safe or name in WRITABLE_WHEN_TERMINATED:
        return
    raise ClientReadOnly(contract)
