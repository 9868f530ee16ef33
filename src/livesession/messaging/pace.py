"""A configured send rate for the outbox (issue 9, S8: "configured send rate respected").

SMTP relays cap how fast a sender may go (a provider's quota, a shared relay, a reputation
to keep): ``OUTBOX_SEND_RATE`` messages per second, 0 for no limit (the default). Each
send first reserves a slot: one locked row holds the earliest moment the next message may
start, and each reservation moves it ``1 / rate`` seconds on. Slots are therefore spaced
exactly, whichever worker, thread or process takes them; the worker then waits for its
slot. An idle pace does not bank unused slots (no burst after a quiet hour): a slot is
never earlier than now.

A slot reserved by a message that then fails is simply not used; the next one is not
brought forward. With W workers at most W slots are reserved ahead, so a wait is at most
W / rate seconds, far below the claim's lease (``OUTBOX_LEASE_SECONDS``).
"""

from __future__ import annotations

import datetime as dt
import time

from django.conf import settings
from django.db import IntegrityError, transaction

from livesession.core.clock import now
from livesession.messaging.models import SendPace

SMTP = "smtp"


def rate() -> float:
    """Messages per second; 0 or less means no limit."""
    return float(settings.OUTBOX_SEND_RATE or 0)


def reserve(per_second: float, key: str = SMTP) -> dt.datetime:
    """The moment this send may start, taken for it: every call gets its own slot, each
    ``1 / per_second`` after the previous one, none before now."""
    interval = dt.timedelta(seconds=1 / per_second)
    for _attempt in range(2):
        try:
            with transaction.atomic():
                moment = now()
                row = SendPace.objects.select_for_update().filter(key=key).first()
                if row is None:
                    # The first send ever: two workers may race to create the row; the
                    # loser's IntegrityError sends it round once more, to lock the row.
                    SendPace.objects.create(key=key, next_at=moment + interval)
                    return moment
                slot = max(row.next_at, moment)
                SendPace.objects.filter(pk=row.pk).update(next_at=slot + interval)
                return slot
        except IntegrityError:
            continue
    raise RuntimeError("send pace row could not be created nor locked")


def wait_turn(key: str = SMTP) -> float:
    """Reserve a slot at the configured rate and sleep until it; returns the seconds
    waited (0 without a rate)."""
    per_second = rate()
    if per_second <= 0:
        return 0.0
    delay = (reserve(per_second, key) - now()).total_seconds()
    if delay > 0:
        time.sleep(delay)
        return delay
    return 0.0
