"""Create an operator staff account."""

from __future__ import annotations

import getpass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from livesession.accounts.services import AccountExists, create_account


class Command(BaseCommand):
    help = "Create an operator staff account (separate from client members)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("email")
        parser.add_argument("--password", help="read from the terminal when absent")

    def handle(self, *args: Any, **options: Any) -> None:
        password = options["password"] or getpass.getpass("Password: ")
        try:
            user = create_account(options["email"], password, is_operator=True, actor="cli")
        except AccountExists as exc:
            raise CommandError("An account with this email exists already.") from exc
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(f"operator account {user.pk} created")
