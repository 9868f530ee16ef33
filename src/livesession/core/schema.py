"""Bring both databases (main and keystore) up to date, quickly when they already are.

Django's ``migrate`` command runs the system checks (which import every URL and view) and
opens the migration executor even when nothing is pending: seconds spent at every start.
Here the executor's plan is read first; when it is empty for both databases only the
``post_migrate`` signal is sent, because its receivers keep data in step with the code and
the settings (retention rules, the sub-processor register), which may have changed without
a migration.
"""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.sql import emit_post_migrate_signal
from django.db import connections
from django.db.migrations.executor import MigrationExecutor

ALIASES = ("default", "keystore")


def pending(alias: str) -> int:
    """How many migrations are not applied yet on this database."""
    executor = MigrationExecutor(connections[alias])
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def migrate_all(verbosity: int = 1) -> int:
    """Migrate both databases; returns how many migrations were applied (0: only the
    ``post_migrate`` receivers ran)."""
    todo = {alias: pending(alias) for alias in ALIASES}
    if not any(todo.values()):
        for alias in ALIASES:
            emit_post_migrate_signal(verbosity=0, interactive=False, db=alias)
        return 0
    for alias in ALIASES:
        call_command("migrate", database=alias, interactive=False, verbosity=verbosity)
    return sum(todo.values())
