"""Erasure's VACUUM is a background job (issue 5 follow-up; P4.3, P6.8): the erasure rings
``protection.jobs.vacuum_tables`` once its transaction has committed, with table names only,
and every VACUUM statement runs inside that job, never in the erasure itself (so never in
the person's web request). On PostgreSQL the job vacuums the touched tables of both
databases; on SQLite it has nothing to do (``secure_delete`` overwrites freed pages).
Tasks run in-process in tests (huey immediate mode): the queue's own signals tell when the
job runs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import pytest
from django.db import connections, transaction
from huey.signals import SIGNAL_COMPLETE, SIGNAL_ERROR, SIGNAL_EXECUTING

from livesession.core import tasks
from livesession.events.models import Event
from livesession.protection import erasure
from livesession.protection.jobs import vacuum, vacuum_tables
from livesession.registrations.models import Registration
from livesession.registrations.services import register

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")

EMAIL = "nadia.vacuum@example.org"


class Watch:
    def __init__(self) -> None:
        self.runs: list[tuple[Any, ...]] = []
        self.in_job = False
        self.vacuums: list[tuple[str, str, bool]] = []  # (alias, sql, inside the job)


@contextmanager
def watching() -> Iterator[Watch]:
    watch = Watch()
    huey = tasks.queue()

    def started(signal: str, task: Any, *args: Any) -> None:
        if isinstance(task, vacuum_tables.task_class):
            watch.in_job = True
            watch.runs.append(tuple(task.args))

    def ended(signal: str, task: Any, *args: Any) -> None:
        if isinstance(task, vacuum_tables.task_class):
            watch.in_job = False

    def recorder(alias: str) -> Callable[..., Any]:
        def record(execute: Callable[..., Any], sql: str, params: Any, many: bool,
                   context: Any) -> Any:
            if sql.lstrip().upper().startswith("VACUUM"):
                watch.vacuums.append((alias, sql, watch.in_job))
            return execute(sql, params, many, context)

        return record

    huey.signal(SIGNAL_EXECUTING)(started)
    huey.signal(SIGNAL_COMPLETE, SIGNAL_ERROR)(ended)
    try:
        with ExitStack() as stack:
            for alias in ("default", "keystore"):
                stack.enter_context(connections[alias].execute_wrapper(recorder(alias)))
            yield watch
    finally:
        huey.disconnect_signal(started, SIGNAL_EXECUTING)
        huey.disconnect_signal(ended, SIGNAL_COMPLETE, SIGNAL_ERROR)


def _person(event: Event, email: str = EMAIL) -> Registration:
    return register(event, email=email, first_name="Nadia", last_name="Vacuum").registration


def test_p6_8_erasure_rings_the_vacuum_job_with_table_names_only(event_a: Event) -> None:
    registration = _person(event_a)
    with watching() as watch:
        receipt = erasure.erase_person(registration.subject, actor="test")
    assert receipt.counts["registrations.Registration"] == 1
    [(tables,)] = watch.runs  # rung once
    assert Registration._meta.db_table in tables and "protection_subject" in tables
    payload = repr(tables)
    assert EMAIL not in payload and "Nadia" not in payload
    assert str(registration.subject_id) not in payload and str(registration.pk) not in payload
    # Every VACUUM ran inside the job; on PostgreSQL the touched tables were vacuumed.
    assert all(inside for _alias, _sql, inside in watch.vacuums), watch.vacuums
    if connections["default"].vendor == "postgresql":
        vacuumed = " ".join(sql for _alias, sql, _inside in watch.vacuums)
        assert Registration._meta.db_table in vacuumed
    else:
        assert watch.vacuums == []


def test_p6_8_inside_a_transaction_the_job_waits_for_the_commit(event_a: Event) -> None:
    """Called within a larger transaction, the erasure does not vacuum (it could not) and
    the job runs once the whole transaction has committed, or never if it rolls back."""
    registration = _person(event_a)
    with watching() as watch:
        with transaction.atomic():
            erasure.erase_person(registration.subject, actor="test")
            assert watch.runs == [] and watch.vacuums == []
        assert len(watch.runs) == 1
    other = _person(event_a, "rolled.back@example.org")
    with watching() as watch:
        try:
            with transaction.atomic():
                erasure.erase_person(other.subject, actor="test")
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
        assert watch.runs == [] and watch.vacuums == []
    assert Registration.objects.filter(pk=other.pk).exists()


def test_the_job_vacuums_existing_tables_on_postgresql_only() -> None:
    done = vacuum(["protection_subject", "no_such_table"])
    if connections["default"].vendor == "postgresql":
        assert done["default"] == ["protection_subject"]
    else:
        assert done == {}
