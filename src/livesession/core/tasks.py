"""The one module that talks to the task queue (huey), DESIGN: jobs.

The queue is a doorbell, never the ledger: every side effect is a row in our database
(the outbox), and periodic sweepers ring again for rows the queue lost. Storage is a SQLite
file by default and Redis when ``REDIS_URL`` is set. Tasks are enqueued only after the
transaction that caused them commits.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import close_old_connections, transaction
from huey import Huey, RedisHuey, SqliteHuey, crontab

log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def queue() -> Huey:
    config = settings.TASKS
    common: dict[str, Any] = {"name": config["name"], "immediate": config["immediate"],
                              "utc": True}
    if config["redis_url"]:
        return RedisHuey(url=config["redis_url"], **common)
    return SqliteHuey(filename=config["sqlite_path"], **common)


def _with_fresh_connections(fn: Callable[..., Any]) -> Callable[..., Any]:
    def inner(*args: Any, **kwargs: Any) -> Any:
        immediate = queue().immediate
        if not immediate:
            close_old_connections()
        try:
            return fn(*args, **kwargs)
        finally:
            if not immediate:
                close_old_connections()

    inner.__name__ = fn.__name__
    inner.__qualname__ = fn.__qualname__
    inner.__module__ = fn.__module__
    return inner


def task(retries: int = 0, retry_delay: int = 0) -> Callable[[Callable[..., Any]], Any]:
    def decorator(fn: Callable[..., Any]) -> Any:
        return queue().task(retries=retries, retry_delay=retry_delay)(_with_fresh_connections(fn))

    return decorator


def periodic(minutes: str = "*", hours: str = "*") -> Callable[[Callable[..., Any]], Any]:
    def decorator(fn: Callable[..., Any]) -> Any:
        return queue().periodic_task(
            crontab(minute=minutes, hour=hours)
        )(_with_fresh_connections(fn))

    return decorator


def enqueue_on_commit(task_fn: Any, *args: Any) -> None:
    """Ring the doorbell once the change is durable; a rolled-back change rings nothing."""

    def ring() -> None:
        try:
            task_fn(*args)
        except Exception:  # the queue may be down: the sweeper will ring again
            log.exception("could not enqueue %s; the sweeper will retry", task_fn.name)

    transaction.on_commit(ring)


def heartbeat(name: str = "worker") -> None:
    from livesession.core.clock import now
    from livesession.core.models import WorkerHeartbeat

    WorkerHeartbeat.objects.update_or_create(name=name, defaults={"beat_at": now()})
