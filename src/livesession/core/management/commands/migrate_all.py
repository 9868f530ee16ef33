"""Migrate the main database and the keystore database."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from livesession.core import schema


class Command(BaseCommand):
    help = "Create or update both databases (main and keystore)."
    # The checks import every URL and view (seconds); ``migrate`` runs them itself when
    # there is something to apply, and ``livesession check`` runs them on demand.
    requires_system_checks: list[str] = []

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = options.get("verbosity", 1)
        if schema.migrate_all(verbosity) == 0 and verbosity:
            self.stdout.write("Both databases are up to date.")
