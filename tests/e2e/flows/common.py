"""What several flows share: the events they register to (made once for the session
through the product's own services), new people, and registering like a person."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from playwright.sync_api import expect

from tests.e2e.flows.harness import Person

# The waiting page's sentence (either apostrophe).
WAITING = re.compile(r"La salle n.est pas encore ouverte")

# Events of the demo client: one with a question of each kind (one per viewport, since the
# room test opens it), one with the double opt-in, and a plain one; each printed as NAME=id.
EVENTS = """
import datetime as dt
from django.db.models import F
from livesession.core.clock import now
from livesession.core.models import Client
from livesession.events.models import Event, RoomKind
from livesession.events.services import create_event, publish_event
from livesession.registrations.fields_services import add_custom_field

client = Client.objects.get(slug="demo")
QUESTIONS = [
    {"key": "niveau", "kind": "single_choice", "label_fr": "Votre niveau",
     "label_en": "Your level", "required": True, "purpose": "Adapter le contenu",
     "options": [{"value": "debutant", "label_fr": "Débutant", "label_en": "Beginner"},
                 {"value": "confirme", "label_fr": "Confirmé", "label_en": "Experienced"},
                 {"value": "expert", "label_fr": "Expert", "label_en": "Expert"}]},
    {"key": "sujets", "kind": "multiple_choice", "label_fr": "Sujets qui vous intéressent",
     "label_en": "Topics you care about", "purpose": "Préparer les questions",
     "options": [{"value": "api", "label_fr": "API", "label_en": "API"},
                 {"value": "securite", "label_fr": "Sécurité", "label_en": "Security"},
                 {"value": "export", "label_fr": "Exports", "label_en": "Exports"}]},
    {"key": "session", "kind": "single_choice", "label_fr": "Créneau préféré",
     "label_en": "Preferred slot", "purpose": "Planifier les créneaux",
     "options": [{"value": f"c{i}", "label_fr": f"Créneau {i}", "label_en": f"Slot {i}"}
                 for i in range(1, 7)]},
    {"key": "pays", "kind": "country", "label_fr": "Pays", "label_en": "Country",
     "purpose": "Statistiques par pays"},
    {"key": "arrivee", "kind": "date", "label_fr": "Date d'arrivée",
     "label_en": "Arrival date", "purpose": "Organiser l'accueil"},
    {"key": "telephone", "kind": "phone", "label_fr": "Téléphone", "label_en": "Phone",
     "purpose": "Vous joindre en cas d'imprévu"},
    {"key": "reglement", "kind": "checkbox", "label_fr": "J'ai lu le programme",
     "label_en": "I have read the programme", "required": True,
     "purpose": "Vérifier la lecture du programme"},
]


def make(name, title, days, **flags):
    starts = (now() + dt.timedelta(days=days)).replace(second=0, microsecond=0)
    event = create_event(client, actor="e2e", title=title, description="Atelier de test.",
                         starts_at=starts, ends_at=starts + dt.timedelta(hours=1),
                         time_zone="Europe/Paris", room_url="https://example.org/unused")
    # Our own player page, as the demo event uses it, so the room stays on this machine.
    Event.objects.filter(pk=event.pk).update(room_kind=RoomKind.EMBED,
                                             room_url="/static/livesession/demo-player.html",
                                             **flags)
    event = Event.objects.get(pk=event.pk)
    publish_event(event, actor="e2e")
    print(f"{name}={event.pk}")
    return event


for viewport in ("DESKTOP", "PHONE"):
    event = make("QUESTIONS_" + viewport, "Atelier questions " + viewport.lower(), 3)
    for position, question in enumerate(QUESTIONS):
        add_custom_field(event, {**question, "position": position}, actor="e2e")
make("OPTIN", "Atelier double confirmation", 5, double_opt_in=True)
make("PLAIN", "Atelier simple", 7)
"""

OPEN_NOW = """
import datetime as dt
from livesession.core.clock import now
from livesession.events.models import Event
starts = now() - dt.timedelta(minutes=1)
Event.objects.filter(pk="{pk}").update(starts_at=starts, ends_at=starts + dt.timedelta(hours=1))
print("OPEN=1")
"""


@dataclass
class Events:
    base: str
    ids: dict[str, str]

    def url(self, name: str) -> str:
        return f"{self.base}/e/{self.ids[name]}/"


def someone(tag: str) -> dict[str, str]:
    """A new person: an address and names no other test uses (so that the logs can be
    searched for them)."""
    mark = uuid.uuid4().hex[:8]
    return {"email": f"{tag}.{mark}@example.org", "first_name": f"Léa{mark[:4]}",
            "last_name": f"Martin-{mark[4:]}", "phone": "+33 6 12 34 56 78"}


def fill_identity(person: Person, who: dict[str, str]) -> None:
    person.type("#id_email", who["email"])
    person.type("#id_first_name", who["first_name"])
    person.type("#id_last_name", who["last_name"])


def register(person: Person, url: str, who: dict[str, str]) -> None:
    """The event page's form with the three standard fields, sent like a person."""
    person.open(url)
    fill_identity(person, who)
    person.wait_min_fill()
    person.submit("#registration-form button[type=submit]")
    expect(person.page.locator("h1")).to_have_text("Consultez votre messagerie")


def personal_link(person: Person, who: dict[str, str], containing: str = "/j/") -> str:
    mail = person.mail(who["email"], containing)
    return mail.link(r"/j/[^/]+/")
