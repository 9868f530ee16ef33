"""``livesession check``: configuration, databases, keystore and worker, in one report."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.db.migrations.executor import MigrationExecutor

from livesession.core.views import worker_state
from livesession.protection import keystore


class Command(BaseCommand):
    help = "Check configuration, databases (and pending migrations), keystore and worker."

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("check")
        failures = []
        for alias in ("default", "keystore"):
            try:
                connection = connections[alias]
                connection.ensure_connection()
                plan = MigrationExecutor(connection).migration_plan(
                    MigrationExecutor(connection).loader.graph.leaf_nodes())
                state = "ok" if not plan else f"migrations pending: {len(plan)}; run migrate"
            except Exception as exc:
                state = f"unreachable ({type(exc).__name__})"
            if state != "ok":
                failures.append(alias)
            self.stdout.write(f"database {alias}: {state}")
        try:
            keystore.is_reachable()
            self.stdout.write("keystore: ok")
        except Exception as exc:
            failures.append("keystore")
            self.stdout.write(f"keystore: unreachable ({type(exc).__name__})")
        worker, beat = worker_state()
        self.stdout.write(f"worker: {worker}" + (f" (last heartbeat {beat})" if beat else ""))
        if failures:
            raise CommandError("not ready: " + ", ".join(failures))
