"""Run the background worker: huey's consumer with our tasks and periodic jobs."""

from __future__ import annotations

import logging
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import autodiscover_modules

from livesession.core import runlock, tasks


class Command(BaseCommand):
    help = "Run the background worker (outbox delivery, sweepers, periodic jobs)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--workers", type=int, default=2)

    def handle(self, *args: Any, **options: Any) -> None:
        logging.basicConfig(level=logging.INFO)
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
