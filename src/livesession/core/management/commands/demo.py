"""Load the demo data once: a client, its owner, an operator, a published event that opens
soon. Credentials are random, kept in var/demo-credentials.txt (0600) and printed each run."""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.urls import reverse

from livesession.accounts.services import create_account
from livesession.core.clock import now
from livesession.core.models import Client
from livesession.core.services import create_client
from livesession.events.services import create_event, publish_event

DEMO_SLUG = "demo"
OWNER = "owner@demo.livesession.test"
OPERATOR = "operator@demo.livesession.test"


class Command(BaseCommand):
    help = "Load the demo data once and print how to sign in."

    def handle(self, *args: Any, **options: Any) -> None:
        path = settings.VAR_DIR / "demo-credentials.txt"
        if not Client.objects.filter(slug=DEMO_SLUG).exists():
            credentials = self._load()
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as handle:
                json.dump(credentials, handle)
        credentials = json.loads(path.read_text()) if path.exists() else {}
        self._print(credentials)

    @transaction.atomic
    def _load(self) -> dict[str, str]:
        owner_password = secrets.token_urlsafe(9)
        operator_password = secrets.token_urlsafe(9)
        made = create_client("Démo Formation", OWNER, slug=DEMO_SLUG, actor="demo",
                             owner_password=owner_password)
        create_account(OPERATOR, operator_password, is_operator=True, actor="demo")
        starts = (now() + dt.timedelta(minutes=20)).replace(second=0, microsecond=0)
        event = create_event(
            made.client, actor="demo", title="Webinaire de démonstration",
            description="Un webinaire pour essayer livesession : inscrivez-vous, recevez "
                        "votre lien d'accès personnel, rejoignez la salle.",
            starts_at=starts, ends_at=starts + dt.timedelta(hours=1),
            time_zone="Europe/Paris", room_url="https://example.org/salle/demo",
            opens_minutes_before=15,
        )
        publish_event(event, actor="demo")
        return {"owner_email": OWNER, "owner_password": owner_password,
                "operator_email": OPERATOR, "operator_password": operator_password,
                "event_url": settings.SITE_URL + reverse("portal:event",
                                                         kwargs={"event_id": event.pk})}

    def _print(self, c: dict[str, str]) -> None:
        if not c:
            self.stdout.write("demo data present (credentials file missing)")
            return
        self.stdout.write(
            "\n=== livesession demo ===\n"
            f"  Demo event (register here):  {c['event_url']}\n"
            f"  Manager (client owner):      {settings.SITE_URL}/accounts/login/\n"
            f"      email {c['owner_email']}  password {c['owner_password']}\n"
            f"  Operator console:            {settings.SITE_URL}/console/\n"
            f"      email {c['operator_email']}  password {c['operator_password']}\n"
            "  Emails are kept in the outbox (operator console) and copied to var/mail/.\n"
        )
