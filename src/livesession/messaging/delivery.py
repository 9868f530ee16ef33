"""Delivery: the worker's side of the outbox (claim a row, hand it to SMTP, record the
outcome). Composing and queueing messages is in services.py.

Failures are sorted (issue 4 §8):

- transient (the server refused the connection, timed out, answered 4xx, the database was
  busy): the row is DEFERRED and tried again with a growing backoff, until
  ``OUTBOX_RETRY_HOURS`` (at least 24) have passed since it was queued;
- permanent (the server answered 5xx: unknown mailbox, message refused; or the mail library
  cannot build the message, which no retry changes): the row FAILS at once, with the cause
  the organizer sees in the Manager.

``OUTBOX_MAX_ATTEMPTS`` remains an absolute ceiling on claims, above what the retry window
needs, so a message whose every claim kills its worker cannot loop forever.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import DatabaseError, transaction
from django.db.models import F, Q

from livesession.core.clock import now
from livesession.messaging import pace
from livesession.messaging.models import OutboxMessage, OutboxStatus
from livesession.protection.crypto import KeyDestroyed

log = logging.getLogger(__name__)

WAITING = (OutboxStatus.QUEUED, OutboxStatus.DEFERRED)


def _claim(message_id: int) -> bool:
    """Take the row for this worker with one conditional UPDATE: two workers ringing for the
    same row never both send it."""
    moment = now()
    with transaction.atomic():
        claimed = OutboxMessage.objects.filter(
            pk=message_id, status__in=WAITING, next_attempt_at__lte=moment
        ).update(status=OutboxStatus.SENDING, claimed_at=moment, attempts=F("attempts") + 1)
    return bool(claimed)


def _file_copy(message: OutboxMessage) -> None:
    folder = Path(settings.EMAIL_FILE_PATH)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{message.pk:08d}-{message.kind}.eml"
    path.write_bytes(_build(message).message().as_bytes())


def delete_file_copies(message_ids: Iterable[int]) -> int:
    """Remove the clear-text copies ``_file_copy`` wrote for these messages (erasure,
    retention purge, contract end). Returns how many files went."""
    folder = Path(settings.EMAIL_FILE_PATH)
    if not folder.is_dir():
        return 0
    removed = 0
    for pk in message_ids:
        for path in folder.glob(f"{pk:08d}-*.eml"):
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def _build(message: OutboxMessage) -> EmailMessage:
    headers = {"Message-ID": message.message_id}
    unsubscribe = message.unsubscribe_url
    if unsubscribe:
        # RFC 2369 and RFC 8058: mail clients offer a button that POSTs to this URL, with no
        # sign-in and no form; the signed token in the URL is the authorisation.
        headers["List-Unsubscribe"] = f"<{unsubscribe}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email = EmailMessage(
        subject=message.subject_line, body=message.body, from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to], headers=headers,
    )
    if message.attachment_name:
        email.attach(message.attachment_name, message.attachment,
                     message.attachment_type or "application/octet-stream")
    return email


def _backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def classify(exc: BaseException) -> tuple[bool, str]:
    """(permanent, cause) for a delivery failure. The cause names the error class and SMTP
    code only: server replies can echo the address."""
    code = getattr(exc, "smtp_code", None)
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [c for c, _msg in exc.recipients.values()]
        code = min(codes) if codes else None
    cause = f"{type(exc).__name__} {code or ''}".strip()[:200]
    if isinstance(code, int):
        return code >= 500, cause
    if isinstance(exc, OSError | smtplib.SMTPException | DatabaseError):
        # No code: refused or dropped connection, timeout, TLS trouble, a busy database.
        return False, cause
    # Anything else (the mail library refusing to build the message) fails the same way
    # each time: retrying would only delay the organizer learning about it.
    return True, cause


def _give_up_at(message: OutboxMessage) -> dt.datetime:
    return message.created_at + dt.timedelta(hours=max(settings.OUTBOX_RETRY_HOURS, 24))


def deliver_now(message_id: int) -> str | None:
    """Deliver one queued message; returns its new status, or None if it was not ours."""
    if not _claim(message_id):
        return None
    message = OutboxMessage.objects.get(pk=message_id)
    try:
        if not message.to:
            raise KeyDestroyed(str(message.subject_id))
        if settings.EMAIL_HOST:
            # The relay's quota (OUTBOX_SEND_RATE): wait for this message's slot.
            pace.wait_turn()
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
        # Every error, not only SMTP's: the row must never stay SENDING, re-claimed at each
        # lease without end.
        return _failed(message, exc)
    OutboxMessage.objects.filter(pk=message_id).update(
        status=status, sent_at=now(), claimed_at=None, last_error=""
    )
    return status


def _failed(message: OutboxMessage, exc: BaseException) -> str:
    permanent, cause = classify(exc)
    retry_at = now() + _backoff(message.attempts)
    if permanent:
        status, error = OutboxStatus.FAILED, f"permanent: {cause}"
    elif retry_at > _give_up_at(message):
        hours = max(settings.OUTBOX_RETRY_HOURS, 24)
        status, error = OutboxStatus.FAILED, f"gave up after {hours} h: {cause}"
    elif message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        status, error = OutboxStatus.FAILED, f"gave up after {message.attempts} attempts: {cause}"
    else:
        status, error = OutboxStatus.DEFERRED, cause
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=status, next_attempt_at=retry_at, last_error=error[:200], claimed_at=None)
    log.warning("outbox message %s: %s (attempt %s)", message.pk, error, message.attempts)
    return status


def due_messages(limit: int = 500) -> list[int]:
    """Rows the queue should hold: waiting and due, or claimed by a worker that died."""
    moment = now()
    lease = moment - dt.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    with transaction.atomic():
        stale = OutboxMessage.objects.filter(status=OutboxStatus.SENDING, claimed_at__lt=lease)
        # A message whose every claim ends in a dead worker must not loop forever: each
        # claim counted an attempt, so the same ceiling applies.
        stale.filter(attempts__gte=settings.OUTBOX_MAX_ATTEMPTS).update(
            status=OutboxStatus.FAILED, claimed_at=None, last_error="worker died while sending")
        stale.update(status=OutboxStatus.DEFERRED, claimed_at=None)
    return list(
        OutboxMessage.objects.filter(
            Q(status__in=WAITING) & Q(next_attempt_at__lte=moment)
        ).order_by("id").values_list("pk", flat=True)[:limit]
    )
