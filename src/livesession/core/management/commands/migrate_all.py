"""Migrate the main database and the keystore database."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create or update both databases (main and keystore)."

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = options.get("verbosity", 1)
        for alias in ("default", "keystore"):
            call_command("migrate", database=alias, interactive=False, verbosity=verbosity)
