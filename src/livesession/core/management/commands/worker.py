"""Run the background worker: huey's consumer with our tasks and periodic jobs."""

from __future__ import annotations

import logging
import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import autodiscover_modules

from livesession.core import runlock, tasks


def quiet_queue_logs(verbose: bool) -> None:
    """huey logs two INFO lines per job run and a line per periodic job at start: hundreds
    of lines an hour that bury what matters (the demo's credentials, a real warning). Its
    warnings and errors still show; ``--verbose`` or an explicit LOG_LEVEL shows the rest."""
    wanted = os.environ.get("LOG_LEVEL", "").upper()
    if verbose:
        wanted = "INFO" if wanted not in {"DEBUG", "NOTSET"} else wanted
    level = logging.getLevelName(wanted) if wanted else logging.WARNING
    logging.getLogger("huey").setLevel(level if isinstance(level, int) else logging.WARNING)


class Command(BaseCommand):
    help = "Run the background worker (outbox delivery, sweepers, periodic jobs)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--verbose", action="store_true",
                            help="log every job run (huey's INFO lines); LOG_LEVEL=INFO too")

    def handle(self, *args: Any, **options: Any) -> None:
        quiet_queue_logs(options["verbose"])
        try:  # held until the process ends: a restore refuses while a worker runs
            runlock.hold_shared()
        except runlock.Busy as exc:
            raise CommandError("a restore is running on this instance; start again after "
                               "it.") from exc
        autodiscover_modules("jobs")  # registers every task and periodic job
        huey = tasks.queue()
        tasks.heartbeat()
        # A doorbell may have been lost while no worker ran: sweep once at start.
        from livesession.messaging.jobs import sweep_outbox

        sweep_outbox()
        consumer = huey.create_consumer(workers=options["workers"], worker_type="thread",
                                        periodic=True, check_worker_health=True)
        self.stdout.write("livesession worker started")
        consumer.run()
