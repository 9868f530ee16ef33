"""Periodic jobs of the core: the worker's heartbeat."""

from livesession.core import tasks


@tasks.periodic(minutes="*")
def worker_heartbeat() -> None:
    tasks.heartbeat()
