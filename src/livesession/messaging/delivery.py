"""Delivery: the worker's side of the outbox (claim a row, hand it to SMTP, record the
outcome). Composing and queueing messages is in services.py."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F, Q

from livesession.core.clock import now
from livesession.messaging.models import OutboxMessage, OutboxStatus
from livesession.protection.crypto import KeyDestroyed

log = logging.getLogger(__name__)


def _claim(message_id: int) -> bool:
    """Take the row for this worker with one conditional UPDATE: two workers ringing for the
    same row never both send it."""
    moment = now()
    with transaction.atomic():
        claimed = OutboxMessage.objects.filter(
            pk=message_id, status=OutboxStatus.QUEUED, next_attempt_at__lte=moment
        ).update(status=OutboxStatus.SENDING, claimed_at=moment, attempts=F("attempts") + 1)
    return bool(claimed)


def _file_copy(message: OutboxMessage) -> None:
    folder = Path(settings.EMAIL_FILE_PATH)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{message.pk:08d}-{message.kind}.eml"
    path.write_bytes(_build(message).message().as_bytes())


def _build(message: OutboxMessage) -> EmailMessage:
    return EmailMessage(
        subject=message.subject_line, body=message.body, from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to], headers={"Message-ID": message.message_id},
    )


def _backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def deliver_now(message_id: int) -> str | None:
    """Deliver one queued message; returns its new status, or None if it was not ours."""
    if not _claim(message_id):
        return None
    message = OutboxMessage.objects.get(pk=message_id)
    try:
        if not message.to:
            raise KeyDestroyed(str(message.subject_id))
        if settings.EMAIL_HOST:
            connection = get_connection(
                "django.core.mail.backends.smtp.EmailBackend", fail_silently=False
            )
            connection.send_messages([_build(message)])
            status = OutboxStatus.SENT
        else:
            _file_copy(message)
            status = OutboxStatus.KEPT
    except KeyDestroyed:
        # The person was erased before the message left: it must never leave.
        OutboxMessage.objects.filter(pk=message_id).update(
            status=OutboxStatus.FAILED, last_error="recipient erased", claimed_at=None
        )
        return OutboxStatus.FAILED
    except Exception as exc:
        # SMTP and network errors, but any other one too (a message Django refuses to build):
        # the row must never stay SENDING, re-queued at each lease without an attempt limit.
        code = getattr(exc, "smtp_code", "")
        error = f"{type(exc).__name__} {code}".strip()[:200]
        attempts = message.attempts
        final = attempts >= settings.OUTBOX_MAX_ATTEMPTS
        OutboxMessage.objects.filter(pk=message_id).update(
            status=OutboxStatus.FAILED if final else OutboxStatus.QUEUED,
            next_attempt_at=now() + _backoff(attempts), last_error=error, claimed_at=None,
        )
        log.warning("outbox message %s: %s (attempt %s)", message_id, error, attempts)
        return OutboxStatus.FAILED if final else OutboxStatus.QUEUED
    OutboxMessage.objects.filter(pk=message_id).update(
        status=status, sent_at=now(), claimed_at=None, last_error=""
    )
    return status


def due_messages(limit: int = 500) -> list[int]:
    """Rows the queue should hold: queued and due, or claimed by a worker that died."""
    moment = now()
    lease = moment - dt.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    with transaction.atomic():
        stale = OutboxMessage.objects.filter(status=OutboxStatus.SENDING, claimed_at__lt=lease)
        # A message whose every claim ends in a dead worker must not loop forever: each
        # claim counted an attempt, so the same ceiling as SMTP failures applies.
        stale.filter(attempts__gte=settings.OUTBOX_MAX_ATTEMPTS).update(
            status=OutboxStatus.FAILED, claimed_at=None, last_error="worker died while sending")
        stale.update(status=OutboxStatus.QUEUED, claimed_at=None)
    return list(
        OutboxMessage.objects.filter(
            Q(status=OutboxStatus.QUEUED) & Q(next_attempt_at__lte=moment)
        ).order_by("id").values_list("pk", flat=True)[:limit]
    )
