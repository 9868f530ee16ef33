"""Just-in-time staff access to one client's participant data (P3.4, P3.5, P6.4, P6.5).

A staff member who acknowledged the confidentiality rules opens a grant for one client
with a stated reason (and a ticket reference if there is one); it lasts
``STAFF_ACCESS_HOURS`` (4 by default) unless ended sooner. Every read under it is one
``StaffAccessRead`` row and one audit entry, in the same transaction as the read's
bookkeeping, and the client sees both in its Manager. No grant, or an expired or ended one:
``NoOpenGrant`` (the console answers 403).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from livesession.accounts.models import User
from livesession.audit.services import record
from livesession.core import clock
from livesession.core.models import Client
from livesession.staffaccess.models import StaffAccessGrant, StaffAccessRead

MIN_REASON = 15


class NoOpenGrant(PermissionDenied):
    """No open grant of this staff member for this client."""


def _ref(user: Any) -> str:
    return f"account:{user.pk}"


def duration() -> dt.timedelta:
    return dt.timedelta(hours=float(settings.STAFF_ACCESS_HOURS))


@transaction.atomic
def open_grant(staff: User, client: Client, reason: str, ticket: str = "") -> StaffAccessGrant:
    """Open a grant from now for ``STAFF_ACCESS_HOURS`` (P3.4). Refused without the
    confidentiality acknowledgement (P3.5, S-07) or without a real reason (P6.4)."""
    if not staff.is_operator:
        raise PermissionDenied
    if staff.confidentiality_ack_at is None:
        raise ValidationError(_("Acknowledge the confidentiality rules before any access to "
                                "a client's data."))
    reason = " ".join(reason.split())
    errors: dict[str, list[str]] = {}
    if len(reason) < MIN_REASON:
        errors["reason"] = [ngettext(
            "State why you need this client's data, in at least %(n)d character (for "
            "example: the client's ticket asks to check a registration that fails).",
            "State why you need this client's data, in at least %(n)d characters (for "
            "example: the client's ticket asks to check a registration that fails).",
            MIN_REASON) % {"n": MIN_REASON}]
    ticket = ticket.strip()
    if len(ticket) > 100:
        errors["ticket"] = [_("Keep the ticket reference under 100 characters.")]
    if errors:
        raise ValidationError(errors)
    start = clock.now()
    grant = StaffAccessGrant.objects.create(
        staff=staff, staff_ref=_ref(staff), client=client, reason=reason, ticket=ticket,
        starts_at=start, expires_at=start + duration())
    record(_ref(staff), "staff_access.opened", target=f"staff_access:{grant.pk}",
           client_id=client.pk, details={"ticket": ticket, "hours": settings.STAFF_ACCESS_HOURS,
                                         "expires_at": grant.expires_at.isoformat()})
    return grant


@transaction.atomic
def end_grant(staff: User, grant: StaffAccessGrant) -> None:
    """End an open grant before it expires."""
    if grant.staff_id != staff.pk:
        raise PermissionDenied
    updated = StaffAccessGrant.objects.filter(pk=grant.pk, ended_at__isnull=True).update(
        ended_at=clock.now())
    if updated:
        record(_ref(staff), "staff_access.ended", target=f"staff_access:{grant.pk}",
               client_id=grant.client_id)


def open_grant_for(staff: Any, grant_id: Any) -> StaffAccessGrant:
    """The staff member's own grant ``grant_id`` if it is open now; else ``NoOpenGrant``."""
    grant = (StaffAccessGrant.objects.select_related("client")
             .filter(pk=grant_id, staff_id=getattr(staff, "pk", None)).first())
    if grant is None or not grant.is_open(clock.now()):
        raise NoOpenGrant
    return grant


@transaction.atomic
def record_read(staff: User, grant: StaffAccessGrant, what: str, *, target: str = "",
                rows: int = 0) -> StaffAccessRead:
    """Log one read of the client's data under ``grant`` (P6.5): a row the client sees and
    an audit entry. Checks again that the grant is open at this instant."""
    if grant.staff_id != staff.pk or not grant.is_open(clock.now()):
        raise NoOpenGrant
    read = StaffAccessRead.objects.create(grant=grant, client_id=grant.client_id,
                                          at=clock.now(), what=what[:200], rows=rows)
    record(_ref(staff), "staff_access.read", target=target or f"client:{grant.client_id}",
           client_id=grant.client_id,
           details={"grant": str(grant.pk), "what": what[:200], "rows": rows})
    return read
