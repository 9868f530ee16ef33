"""Personal access links: issue, resolve, record the join (P0.1)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from livesession.access.models import AccessLink, Attendance
from livesession.core.clock import now
from livesession.protection.crypto import token_digest
from livesession.registrations.models import Registration


def new_token() -> str:
    # 32 bytes = 256 bits of randomness, URL-safe (issue 4 asks for at least 128).
    return secrets.token_urlsafe(32)


def issue_link(registration: Registration) -> str:
    """Create the link row and return the raw token (stored only sealed and hashed)."""
    token = new_token()
    link = AccessLink(registration=registration, client_id=registration.client_id,
                      subject_id=registration.subject_id, token_digest=token_digest(token))
    link.token = token
    link.save()
    return token


def current_token(registration: Registration) -> str | None:
    link = (AccessLink.objects.filter(registration=registration, revoked_at__isnull=True)
            .order_by("-created_at").first())
    return link.token if link is not None else None


def link_url(token: str) -> str:
    return settings.SITE_URL + reverse("portal:join", kwargs={"token": token})


def resolve(token: str) -> Registration | None:
    """The registration behind a live token, or None (unknown or revoked). The caller
    decides by status: only a confirmed registration opens the room."""
    if not token or len(token) > 128:
        return None
    link = (
        AccessLink.objects.select_related("registration__event")
        .filter(token_digest=token_digest(token), revoked_at__isnull=True)
        .first()
    )
    if link is None:
        return None
    return link.registration


@transaction.atomic
def record_join(registration: Registration, session_id: int | None = None) -> Attendance:
    return Attendance.objects.create(registration=registration, client_id=registration.client_id,
                                     event_id=registration.event_id, session_id=session_id,
                                     joined_at=now())


@transaction.atomic
def revoke(registration: Registration) -> None:
    AccessLink.objects.filter(registration=registration, revoked_at__isnull=True).update(
        revoked_at=now()
    )
