"""Concurrent writers make one chain, not a fork (P6.6): each entry's hash covers the one
before it, so two writers that read the same last entry would both point at it."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections, transaction

from livesession.audit.models import AuditEntry
from livesession.audit.services import check, record

THREADS = 6
EACH = 15


def _writer(number: int, errors: list[BaseException], start: threading.Barrier) -> None:
    try:
        start.wait()
        for i in range(EACH):
            if i % 3 == 0:
                # Outside any transaction: record opens its own.
                record(f"account:{number}", "test.concurrent", details={"i": i})
                continue
            with transaction.atomic():
                record(f"account:{number}", "test.concurrent", details={"i": i})
                # Hold the transaction open a moment: without the chain lock, another
                # writer would read the same last entry now and fork the chain.
                time.sleep(0.002)
    except BaseException as exc:  # reported by the test below
        errors.append(exc)
    finally:
        connections.close_all()


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="SQLite admits one writer at a time (BEGIN IMMEDIATE)")
@pytest.mark.django_db(transaction=True, databases="__all__")
def test_p6_6_concurrent_writers_on_postgresql_make_one_chain() -> None:
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)
    threads = [threading.Thread(target=_writer, args=(n, errors, start))
               for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    entries = list(AuditEntry.objects.filter(action="test.concurrent").order_by("id"))
    assert len(entries) == THREADS * EACH
    prevs = list(AuditEntry.objects.values_list("prev_hash", flat=True))
    assert len(prevs) == len(set(prevs)), "two entries point at the same previous entry"
    status = check()
    assert status.intact, status
    assert status.entries == AuditEntry.objects.count()
