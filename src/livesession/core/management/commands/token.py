"""``livesession token create --client SLUG --name NAME``: a per-client API token."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from livesession.api.services import create_token
from livesession.core.models import Client


class Command(BaseCommand):
    help = "Manage API tokens. 'create' prints a new token once."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["create"])
        parser.add_argument("--client", required=True, help="the client's short name (slug)")
        parser.add_argument("--name", default="cli")

    def handle(self, *args: Any, **options: Any) -> None:
        client = Client.objects.filter(slug=options["client"]).first()
        if client is None:
            raise CommandError(f"No client with the short name '{options['client']}'. "
                               "List them in the operator console.")
        made = create_token(client, options["name"], actor="cli")
        self.stdout.write(made.secret)
