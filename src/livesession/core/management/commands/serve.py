"""Serve the WSGI application with granian (never Django's development server)."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from livesession.core import runlock, serve_logging


class Command(BaseCommand):
    help = "Serve livesession with granian (WSGI)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "2")))
        # Requests each worker runs at once, each thread with its own database connections;
        # the others wait in line. granian's default for WSGI (256 threads per worker) opens
        # more connections than PostgreSQL allows (100 by default) under a rush: 500s.
        parser.add_argument("--threads", type=int,
                            default=int(os.environ.get("WEB_THREADS", "4")))
        # A granian worker blocked in its wait can miss the stop signal (delivered to one of
        # its Rust threads): without a limit the master waits for it forever and the server
        # keeps answering after Ctrl-C. Past this many seconds the master kills it.
        parser.add_argument("--stop-timeout", type=int,
                            default=int(os.environ.get("WEB_STOP_TIMEOUT", "3")))

    def handle(self, *args: Any, **options: Any) -> None:
        granian = shutil.which("granian", path=os.path.dirname(sys.executable)) or shutil.which(
            "granian")
        if granian is None:
            raise CommandError("granian is not installed: run 'make install' first.")
        argv = [granian, "--interface", "wsgi", "--host", options["host"],
                "--port", str(options["port"]), "--workers", str(options["workers"]),
                "--blocking-threads", str(options["threads"]),
                # granian's own lines (its access log included) through the redaction filter.
                "--log-config", str(serve_logging.write(Path(settings.VAR_DIR))),
                "--workers-kill-timeout", str(max(options["stop_timeout"], 1)),
                "--no-ws", "livesession.config.wsgi:application"]
        try:  # held by granian and its workers after exec: a restore waits for them to stop
            runlock.hold_shared(across_exec=True)
        except runlock.Busy as exc:
            raise CommandError("a restore is running on this instance; start again after "
                               "it.") from exc
        self.stdout.write(f"livesession on http://{options['host']}:{options['port']}")
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "livesession.config.settings")
        os.execv(granian, argv)  # noqa: S606  (replaces this process with the server)
