"""Periodic jobs of the core: the worker's heartbeat, pruning of rate-limit counters."""

from livesession.core import ratelimit, tasks


@tasks.periodic(minutes="*")
def worker_heartbeat() -> None:
    tasks.heartbeat()


@tasks.periodic(minutes="*/15")
def prune_rate_counters() -> None:
    """Rate-limit rows (and used proof-of-work challenges) whose window is over."""
    ratelimit.prune()
