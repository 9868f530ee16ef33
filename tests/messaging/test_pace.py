"""The outbox's configured send rate (issue 9, S8: "configured send rate respected";
messaging/pace.py): every send reserves its own slot, slots are ``1 / rate`` apart whatever
worker takes them, an idle pace banks no burst, and no rate means no wait."""

from __future__ import annotations

import datetime as dt
import itertools
import threading
import time
from typing import Any

import pytest
from django.db import connection, connections

from livesession.core.clock import freeze, now
from livesession.events.models import Event
from livesession.messaging import delivery, pace, services
from livesession.messaging.models import OutboxMessage, OutboxStatus, SendPace
from livesession.registrations.services import register

T0 = dt.datetime(2031, 3, 1, 9, 0, tzinfo=dt.UTC)


def test_issue9_s8_slots_are_spaced_by_the_rate() -> None:
    with freeze(T0):
        slots = [pace.reserve(4) for _ in range(4)]
    assert slots == [T0 + dt.timedelta(milliseconds=250 * i) for i in range(4)]
    assert SendPace.objects.get(key=pace.SMTP).next_at == T0 + dt.timedelta(seconds=1)


def test_issue9_s8_an_idle_pace_banks_no_burst() -> None:
    with freeze(T0):
        pace.reserve(10)
    later = T0 + dt.timedelta(hours=1)
    with freeze(later):
        # Not T0 + 0.1 s: an hour without mail does not allow 36,000 at once now.
        assert pace.reserve(10) == later
        assert pace.reserve(10) == later + dt.timedelta(milliseconds=100)


def test_issue9_s8_no_rate_no_slot_no_wait(settings: Any) -> None:
    settings.OUTBOX_SEND_RATE = 0
    assert pace.wait_turn() == 0.0
    assert not SendPace.objects.exists()


def test_issue9_s8_each_delivery_takes_a_slot(event_a: Event, smtp_server: Any,
                                              settings: Any,
                                              django_capture_on_commit_callbacks: Any) -> None:
    """Five messages at 50 per second through a real SMTP server: each reserved a slot
    (the pace moved five intervals on) and the worker waited for it (four intervals at
    least between the first and the last; sleeping never ends early, so a slow machine
    cannot make this fail)."""
    settings.OUTBOX_SEND_RATE = 50
    registration = register(event_a, email="pace@example.org", first_name="P",
                            last_name="Ace", language="en").registration
    OutboxMessage.objects.all().delete()
    smtp_server.messages.clear()
    with django_capture_on_commit_callbacks(execute=False):
        rows = [services.queue_email(subject=registration.subject, to="pace@example.org",
                                     subject_line=f"Message {i}", body="Bonjour",
                                     kind="test.pace", client_id=event_a.client_id)
                for i in range(5)]
    before, began = now(), time.monotonic()
    statuses = [delivery.deliver_now(row.pk) for row in rows]
    elapsed = time.monotonic() - began
    assert statuses == [OutboxStatus.SENT] * 5
    assert len(smtp_server.messages) == 5
    assert SendPace.objects.get(key=pace.SMTP).next_at >= before + dt.timedelta(seconds=0.1)
    assert elapsed >= 4 / 50


# Not marked slow (120 reservations, well under a second): the slow suite runs on SQLite
# only, and this test needs PostgreSQL's concurrent writers.
@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="SQLite admits one writer at a time (BEGIN IMMEDIATE)")
@pytest.mark.django_db(transaction=True, databases="__all__")
def test_issue9_s8_concurrent_workers_share_one_rate() -> None:
    """Six workers reserving at once get 120 distinct slots, each at least one interval
    after the one before: the rate holds across workers, not per worker."""
    threads_n, each, per_second = 6, 20, 1000.0
    slots: list[dt.datetime] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(threads_n)

    def worker() -> None:
        try:
            start.wait()
            for _ in range(each):
                slot = pace.reserve(per_second)
                with lock:
                    slots.append(slot)
        except BaseException as exc:  # reported by the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(threads_n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(slots) == len(set(slots)) == threads_n * each
    ordered = sorted(slots)
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(ordered)]
    assert min(gaps) >= 1 / per_second - 1e-6


@pytest.mark.no_db
@pytest.mark.parametrize("raw", ["50/s", "-3", "nan", "inf"])
def test_issue9_s8_a_bad_rate_stops_the_start_with_its_name(raw: str,
                                                           monkeypatch: Any) -> None:
    """A mistyped OUTBOX_SEND_RATE names itself and says what to write."""
    from livesession.config.env import env_rate

    monkeypatch.setenv("OUTBOX_SEND_RATE", raw)
    with pytest.raises(ValueError, match="OUTBOX_SEND_RATE must be a number"):
        env_rate("OUTBOX_SEND_RATE", 0.0)
    monkeypatch.setenv("OUTBOX_SEND_RATE", " 14.5 ")
    assert env_rate("OUTBOX_SEND_RATE", 0.0) == 14.5
