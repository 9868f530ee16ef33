"""``livesession run``: what ``make run`` does, in one process. Migrates both databases
(nothing but the post-migrate receivers when they are up to date), loads or refreshes the
demo, starts the web server and the worker as children, prints the demo's credentials once
the server answers, and stops everything on one Ctrl-C (``core.supervisor``)."""

from __future__ import annotations

import os
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connections

from livesession.core import schema, supervisor
from livesession.core.management.commands.demo import credentials_block

READY_TIMEOUT = 120


class Command(BaseCommand):
    help = "Migrate, load the demo, then serve with a worker until Ctrl-C."
    # The checks import every URL and view (seconds at each start); the server's workers
    # import them anyway, and ``livesession check`` runs the checks on demand.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--verbose", action="store_true",
                            help="the worker's every job and the server's start lines")
        parser.add_argument("--no-demo", action="store_true", help="do not load the demo")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            self._prepare(options)
        except KeyboardInterrupt:  # Ctrl-C before anything serves: a line, no traceback
            self.stderr.write("livesession: interrupted before starting.")
            raise SystemExit(130) from None
        self._serve(options)

    def _prepare(self, options: dict[str, Any]) -> None:
        applied = schema.migrate_all(verbosity=0)
        if applied:
            self.stdout.write(f"databases updated ({applied} migrations)")
        if not options["no_demo"]:
            call_command("demo", quiet=True, stdout=self.stdout)

    def _serve(self, options: dict[str, Any]) -> None:
        command = [sys.executable, "-m", "livesession.cli"]
        verbose = ["--verbose"] if options["verbose"] else []
        env = dict(os.environ)
        if not options["verbose"]:
            env.setdefault("GRANIAN_LOG_LEVEL", "warning")  # its start lines bury ours
        sup = supervisor.Supervisor()
        sup.handle_signals()
        sup.start("worker", [*command, "worker", *verbose], env)
        sup.start("web server", [*command, "serve", "--host", options["host"],
                                 "--port", str(options["port"])], env)
        base = f"http://{options['host']}:{options['port']}"
        if sup.wait_until(supervisor.answers(f"{base}/healthz"), READY_TIMEOUT):
            if not options["no_demo"]:
                self.stdout.write(credentials_block())
            self.stdout.write(f"livesession is ready on {base}/  (Ctrl-C stops the server "
                              "and the worker)")
            self.stdout.flush()
        code = sup.wait()
        if sup.stops:
            self.stdout.write("livesession stopped.")
        self.stdout.flush()
        sys.stderr.flush()
        connections.close_all()
        # The children are gone and the databases closed: nothing is left to tear down, and
        # the interpreter's own teardown of a few thousand modules takes a second of the
        # few a person waits after Ctrl-C.
        os._exit(code)
