"""Reads take the tenant explicitly (DESIGN rule 2).

``membership_or_404`` is the only way a Manager view gets a client: a person who is not a
member of that client gets a 404, as if it did not exist, never a 403 that would confirm it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.http import Http404

from livesession.core.models import Client, Membership

_M = TypeVar("_M")

# Checks run on every Manager lookup once the membership is found (so a non-member still
# gets the 404 first). The contracts app registers one: a terminated client's space is
# read-only (issue 6 §2, P6.9). A guard raises to refuse the request.
_write_guards: list[Callable[[Membership], None]] = []


def register_write_guard(guard: Callable[[Membership], None]) -> None:
    if guard not in _write_guards:
        _write_guards.append(guard)


def membership_or_404(user: object, client_slug: str) -> Membership:
    if not getattr(user, "is_authenticated", False) or getattr(user, "is_operator", False):
        raise Http404
    user_id = getattr(user, "pk", None)
    if user_id is None:
        raise Http404
    membership = (
        Membership.objects.select_related("client")
        .filter(client__slug=client_slug, client__is_active=True,
                user_id=user_id)
        .first()
    )
    if membership is None:
        raise Http404
    for guard in _write_guards:
        guard(membership)
    return membership


def require(membership: Membership, capability: str) -> None:
    """Inside their own client a member may learn that an action exists: 403."""
    if not membership.can(capability):
        raise PermissionDenied


def client_of(slug: str) -> Client:
    client = Client.objects.filter(slug=slug, is_active=True).first()
    if client is None:
        raise Http404
    return client


def owned_or_404(model: type[_M], client: Client, **lookup: Any) -> _M:
    """One object of ``client`` matching ``lookup``, or a 404: another client's object does
    not exist for this client (P6.1). Every client-owned model has a ``client`` column."""
    found = model._default_manager.filter(client=client, **lookup).first()  # type: ignore[attr-defined]
    if found is None:
        raise Http404
    return found
