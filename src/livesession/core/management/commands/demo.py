"""Load the demo data once: a client, its owner, an operator, a published event that opens
soon, whose session plays in the embedded player (issue 4: a local page of ours, so it
works with no network). Each run moves an event that is over to 20 minutes from now, so
`make run` always has a room to join. Credentials are random, kept in
var/demo-credentials.txt (0600) and printed each run."""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.templatetags.static import static
from django.urls import reverse

from livesession.accounts.services import create_account
from livesession.core.clock import now
from livesession.core.models import Client
from livesession.core.services import create_client
from livesession.events.models import Event, RoomKind, Session
from livesession.events.services import create_event, publish_event, update_event
from livesession.registrations.sessions import add_session, update_session

DEMO_SLUG = "demo"
OWNER = "owner@demo.livesession.test"
OPERATOR = "operator@demo.livesession.test"
# Served by the app itself (WhiteNoise), same origin as the room page: a relative address
# works whatever host name the demo is opened with, over plain HTTP too.
PLAYER = static("livesession/demo-player.html")
SESSION_TITLE = "Session en direct (lecteur intégré)"


class Command(BaseCommand):
    help = "Load the demo data once and print how to sign in."
    # The checks import every URL and view: a second of CPU at each start for nothing the
    # demo needs (``livesession check`` runs them).
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--quiet", action="store_true",
                            help="load or refresh the demo, print nothing (livesession run "
                                 "prints the credentials once the server answers)")

    def handle(self, *args: Any, **options: Any) -> None:
        path = credentials_path()
        if not Client.objects.filter(slug=DEMO_SLUG).exists():
            credentials = self._load()
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as handle:
                json.dump(credentials, handle)
        else:
            self._keep_fresh()
        if not options["quiet"]:
            self.stdout.write(credentials_block())

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
        session = add_session(event, actor="demo", title=SESSION_TITLE, starts_at=starts,
                              ends_at=starts + dt.timedelta(hours=1), capacity=None,
                              room_url="")
        self._embed(session)
        return {"owner_email": OWNER, "owner_password": owner_password,
                "operator_email": OPERATOR, "operator_password": operator_password,
                "event_url": settings.SITE_URL + reverse("portal:event",
                                                         kwargs={"event_id": event.pk})}

    @staticmethod
    def _embed(session: Session) -> None:
        # The Manager and the API accept only https players (browsers block http content
        # inside an https page); this one is our own page, same origin, so the demo sets
        # it directly rather than through access.rooms.set_session_room.
        Session.objects.filter(pk=session.pk).update(room_kind=RoomKind.EMBED,
                                                     room_url=PLAYER)

    @transaction.atomic
    def _keep_fresh(self) -> None:
        """An event that is over (or about to be) starts again 20 minutes from now."""
        event = Event.objects.filter(client__slug=DEMO_SLUG).order_by("created_at").first()
        if event is None or event.ends_at > now() + dt.timedelta(minutes=10):
            return
        starts = (now() + dt.timedelta(minutes=20)).replace(second=0, microsecond=0)
        update_event(event, actor="demo", starts_at=starts,
                     ends_at=starts + dt.timedelta(hours=1))
        for session in Session.objects.filter(event=event):
            session.event = event
            update_session(session, actor="demo", starts_at=starts,
                           ends_at=starts + dt.timedelta(hours=1))
            self._embed(session)
        self.stdout.write("demo event moved to start in 20 minutes")


def credentials_path() -> Path:
    return Path(settings.VAR_DIR) / "demo-credentials.txt"


def credentials_block() -> str:
    """What a newcomer needs to start: where to register, where to sign in, where the
    mails are. The outbox in the console shows each mail's status but never its content
    (sealed with the recipient's key), so the readable copies in var/mail/ are named."""
    path = credentials_path()
    if not path.exists():
        return f"demo data present, but its credentials file is missing ({path}).\n"
    c = json.loads(path.read_text())
    site = settings.SITE_URL
    return (
        "\n=== livesession demo ===\n"
        f"  Demo event (register here):  {c['event_url']}\n"
        f"  Manager (client owner):      {site}/accounts/login/\n"
        f"      email {c['owner_email']}  password {c['owner_password']}\n"
        f"  Operator console:            {site}/console/\n"
        f"      email {c['operator_email']}  password {c['operator_password']}\n"
        "      first sign-in: scan the QR code with an authenticator app (second factor)\n"
        f"  Mails (readable copies):     {Path(settings.EMAIL_FILE_PATH)}/\n"
        f"  These credentials are kept in {path}\n"
    )
