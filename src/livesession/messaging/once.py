"""Queue a message at most once per registration and key (issue 4 §7: exactly once).

The ``MessageOnce`` row and the outbox row are written in one transaction, and the unique
constraint (registration, key) refuses a second ``MessageOnce``: a job that runs twice, two
workers at once, or a worker killed after any commit can never queue the same reminder,
follow-up or segment message twice; a worker killed before the commit left nothing, and the
next run sends it. The outbox then delivers each row (at least once per row, with a stable
Message-ID, see messaging/delivery.py).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from livesession.access import services as access
from livesession.events.models import Session
from livesession.messaging import compose, unsubscribe
from livesession.messaging.models import MessageOnce
from livesession.registrations.models import Registration

SENT = "sent"
SKIPPED = "skipped"
ALREADY = "already"


def send_once(registration: Registration, key: str, kind: str, *, outbox_kind: str,
              session: Session | None = None,
              wording: tuple[str, str] | None = None) -> str:
    """SENT (queued now), SKIPPED (recorded as considered, nothing sent: unsubscribed from
    a non-transactional kind, no readable address, no live link) or ALREADY (done before)."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                once = MessageOnce.objects.create(client_id=registration.client_id,
                                                  registration=registration, key=key)
        except IntegrityError:
            return ALREADY
        if kind in compose.NON_TRANSACTIONAL and unsubscribe.is_unsubscribed(
                registration.client_id, registration.subject_id):
            return SKIPPED
        token = access.current_token(registration) or ""
        if not registration.email or not token:
            # A shredded person, or a link the organizer revoked: nothing to send.
            return SKIPPED
        composed = compose.compose(registration, kind, token=token, session=session,
                                   wording=wording)
        message = compose.queue(registration, composed, outbox_kind=outbox_kind)
        once.outbox = message
        once.save(update_fields=["outbox"])
    return SENT
