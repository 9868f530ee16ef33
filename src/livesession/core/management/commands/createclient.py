"""Create a client (tenant) with its first owner."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from livesession.core.services import create_client


class Command(BaseCommand):
    help = "Create a client with its first owner; prints the owner's first password."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("name")
        parser.add_argument("owner_email")
        parser.add_argument("--slug", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            made = create_client(options["name"], options["owner_email"], slug=options["slug"],
                                 actor="cli")
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(f"client '{made.client.slug}' created")
        if made.owner_password:
            self.stdout.write(f"owner's first password: {made.owner_password}")
