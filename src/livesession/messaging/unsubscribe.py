"""Unsubscribe links that work without signing in (issue 4 §7, RFC 8058).

The link carries a token signed with the site's secret (``django.core.signing``) naming the
client and the person (their subject id, a random UUID that says nothing by itself). The
signature is the authorisation: whoever holds the link received the message. It does not
expire: an unsubscribe link in an old message must still work.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse

from livesession.audit.services import record
from livesession.messaging.models import Unsubscribe

SALT = "livesession.messaging.unsubscribe"


def make_token(client_id: int, subject_id: uuid.UUID) -> str:
    return signing.dumps({"c": client_id, "s": str(subject_id)}, salt=SALT, compress=True)


def read_token(token: str) -> tuple[int, uuid.UUID] | None:
    """(client id, subject id) of a genuine token, None for anything else."""
    if not token or len(token) > 300:
        return None
    try:
        data = signing.loads(token, salt=SALT)
        return int(data["c"]), uuid.UUID(str(data["s"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def url_for(client_id: int, subject_id: uuid.UUID) -> str:
    return settings.SITE_URL + reverse("messaging:unsubscribe",
                                       kwargs={"token": make_token(client_id, subject_id)})


def is_unsubscribed(client_id: int, subject_id: uuid.UUID) -> bool:
    return Unsubscribe.objects.filter(client_id=client_id, subject_id=subject_id).exists()


def unsubscribe(client_id: int, subject_id: uuid.UUID, *, channel: str) -> bool:
    """Record the wish; True when it is new. Idempotent (a second click changes nothing)."""
    from livesession.protection.models import Subject

    if not Subject.objects.filter(pk=subject_id).exists():
        return False
    try:
        with transaction.atomic():
            Unsubscribe.objects.create(client_id=client_id, subject_id=subject_id)
            record("participant", "messaging.unsubscribed", target=f"subject:{subject_id}",
                   client_id=client_id, details={"channel": channel})
    except IntegrityError:
        return False
    return True
