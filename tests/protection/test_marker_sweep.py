"""The marker sweep (issue 5 §5, P4.3, P6.8): one person, unique markers in every field the
platform can hold, "erase everywhere", then every table of both databases, the raw database
bytes and every file under VAR_DIR are searched for the markers and the address: zero hits.

The same scan before the erasure is the control: it must find the markers where they sit in
clear (the .eml copies written with no SMTP host), the canary planted in a table (so the
table and raw-file scans are known to read what they claim), and the sealed values must
decrypt through the models. Runs on SQLite (``make test``) and on PostgreSQL (CI's run with
``DATABASE_URL``). Typed answers (numbers, dates, choices, countries, checkbox) cannot carry
a marker; their rows are removed with the registration, checked by the row counts.
"""

from __future__ import annotations

import random
import string
import tempfile
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client as Browser

from livesession.access.attendance import record_access
from livesession.accounts import services as accounts
from livesession.accounts.models import AccountLink, User, UserSession
from livesession.audit.services import verify
from livesession.messaging import segments
from livesession.messaging.models import OutboxMessage, Unsubscribe
from livesession.messaging.unsubscribe import unsubscribe
from livesession.privacy import services as consents
from livesession.privacy.models import ConsentRecord
from livesession.protection import erasure
from livesession.registrations import fields_services as fields
from livesession.registrations import imports
from livesession.registrations.models import Import, ImportStatus, Registration

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")

PASSWORD = "a quiet lighthouse at dusk"


def _word(prefix: str) -> str:
    """A marker: letters only (names refuse digits), unique to this run."""
    return prefix + "".join(random.choices(string.ascii_uppercase, k=10))  # noqa: S311


class Person:
    def __init__(self) -> None:
        tag = "".join(random.choices(string.ascii_lowercase, k=8))  # noqa: S311
        self.email = f"Erase.Me.{tag.upper()}@Example.org"
        self.markers = {name: _word(f"Mk{name[:4].title()}") for name in (
            "account_first", "account_last", "account_city", "account_job",
            "reg_first", "reg_last", "reg_city", "reg_job", "answer_short", "answer_long",
            "import_first", "import_last")}

    @property
    def needles(self) -> list[str]:
        return [*self.markers.values(), self.email, self.email.lower()]


QUESTIONS = [
    {"key": "company", "kind": "short_text"}, {"key": "notes", "kind": "long_text"},
    {"key": "size", "kind": "number"}, {"key": "arrival", "kind": "date"},
    {"key": "level", "kind": "single_choice", "options": ["Débutant", "Expert"]},
    {"key": "topics", "kind": "multiple_choice", "options": ["api", "ux"]},
    {"key": "paper", "kind": "checkbox"}, {"key": "office_phone", "kind": "phone"},
    {"key": "office_postcode", "kind": "postal_code_fr"}, {"key": "country", "kind": "country"},
]


def _seed(person: Person, event_a: Any, event_b: Any) -> User:
    m = person.markers
    user = accounts.create_account(person.email, PASSWORD, first_name=m["account_first"],
                                   last_name=m["account_last"], verified=True, language="en",
                                   actor="test")
    accounts.update_profile(user, first_name=m["account_first"], last_name=m["account_last"],
                            city=m["account_city"], job_function=m["account_job"],
                            mobile_phone="+33 6 71 93 58 24", postal_code="29100")
    accounts.set_sharing(user, event_a.client, ["first_name", "city"])
    # Organizer A: every standard field, a question of every kind, a consent.
    fields.set_client_scope(event_a.client, {
        name: {"enabled": True, "required": False, "purpose": "know the audience"}
        for name in ("mobile_phone", "city", "postal_code", "job_function")}, actor="test")
    for question in QUESTIONS:
        fields.add_custom_field(event_a, {**question, "label_fr": question["key"],
                                          "label_en": question["key"],
                                          "purpose": "adapt the session"}, actor="test")
    consents.ensure_builtin_purposes(event_a.client)
    purpose = consents.purposes_for(event_a.client)[0]
    from livesession.registrations.services import register

    made = register(event_a, {
        "email": person.email, "first_name": m["reg_first"], "last_name": m["reg_last"],
        "city": m["reg_city"], "job_function": m["reg_job"], "mobile_phone": "06 71 93 58 24",
        "postal_code": "29100", "consents": [purpose.key],
        "answers": {"company": m["answer_short"], "notes": m["answer_long"], "size": "7",
                    "arrival": "2026-12-01", "level": "Expert", "topics": ["ux"],
                    "paper": "on", "office_phone": "+33 1 23 45 67 89",
                    "office_postcode": "75011", "country": "FR"}})
    registration = made.registration
    record_access(registration, None, "device-fingerprint-of-the-person")
    unsubscribe(event_a.client_id, registration.subject_id, channel="link")
    # A message to a segment (rendered with the person's name) … the person unsubscribed
    # from non-transactional mail, so a second registration at B receives one instead.
    # Organizer B: the person arrives through an import.
    raw = (f"email;first_name;last_name\n{person.email};{m['import_first']};"
           f"{m['import_last']}\n").encode()
    imp = imports.create_import(event_b, raw, actor="test")
    imp.refresh_from_db()
    if imp.status != ImportStatus.READY:
        imports.analyse(imp.pk)
        imp.refresh_from_db()
    imports.confirm(imp, "contract", actor="test")
    imp.refresh_from_db()
    assert imp.status == ImportStatus.DONE, imp.status
    segments.create_campaign(event_b, segment="registered", actor="test", **{
        "subject_fr": "Merci {{ first_name }}", "body_fr": "Bonjour {{ first_name }} "
        "{{ last_name }}\n{{ unsubscribe_link }}", "subject_en": "Thanks {{ first_name }}",
        "body_en": "Hello {{ first_name }} {{ last_name }}\n{{ unsubscribe_link }}"})
    accounts.claim_registrations(user)
    # Two signed-in sessions.
    for _ in range(2):
        assert Browser().post("/accounts/login/", {"email": person.email,
                                                   "password": PASSWORD}).status_code == 302
    return user


# --- The scans ---------------------------------------------------------------------------

def _text(value: Any) -> str:
    if isinstance(value, memoryview):
        value = bytes(value)
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return str(value)


def _table_hits(needles: list[str]) -> set[tuple[str, str, str]]:
    """Every row of every table of both databases, all columns as text."""
    hits = set()
    lowered = [(n, n.lower()) for n in needles]
    for alias in ("default", "keystore"):
        connection = connections[alias]
        with connection.cursor() as cursor:
            for table in connection.introspection.table_names(cursor):
                quoted = connection.ops.quote_name(table)
                if connection.vendor == "postgresql":
                    cursor.execute(f"SELECT t::text FROM {quoted} AS t")  # noqa: S608
                else:
                    cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608
                for row in cursor.fetchall():
                    line = " ".join(_text(value) for value in row).lower()
                    hits |= {(alias, table, n) for n, low in lowered if low in line}
    return hits


def _raw_sqlite_bytes() -> dict[str, bytes]:
    """The database files as bytes, -wal and -shm included. A test database in memory is
    copied page for page (SQLite's backup API copies free pages too) into a file first."""
    found = {}
    for alias in ("default", "keystore"):
        connection = connections[alias]
        if connection.vendor != "sqlite":
            continue
        name = str(connection.settings_dict["NAME"])
        if connection.is_in_memory_db():
            connection.ensure_connection()
            with tempfile.TemporaryDirectory() as folder:
                import sqlite3

                target = Path(folder) / f"{alias}.sqlite3"
                copy = sqlite3.connect(target)
                connection.connection.backup(copy)
                copy.close()
                found[f"{alias}(memory)"] = target.read_bytes()
        else:
            for suffix in ("", "-wal", "-shm", "-journal"):
                path = Path(name + suffix)
                if path.exists():
                    found[path.name] = path.read_bytes()
    return found


def _raw_hits(needles: list[str]) -> set[tuple[str, str]]:
    blobs = _raw_sqlite_bytes()
    return {(name, n) for name, data in blobs.items() for n in needles
            if n.lower().encode() in data.lower()}


def _file_hits(needles: list[str]) -> set[tuple[str, str]]:
    """Every file under VAR_DIR (mail copies, journal, queue, backups, uploads…)."""
    hits = set()
    for path in Path(settings.VAR_DIR).rglob("*"):
        if not path.is_file():
            continue
        try:
            data = path.read_bytes().lower()
        except OSError:
            continue
        hits |= {(str(path.relative_to(settings.VAR_DIR)), n) for n in needles
                 if n.lower().encode() in data}
    return hits


def _plant_canary(event: Any) -> str:
    """A value that is nobody's data, in a table: the scans must find it, before and after."""
    canary = _word("Canary")
    event.description = f"About {canary}"
    event.save(update_fields=["description"])
    return canary


# --- The test ----------------------------------------------------------------------------

def test_p4_3_p6_8_marker_sweep_finds_nothing_after_erase_everywhere(
        event_a: Any, event_b: Any, settings: Any) -> None:
    settings.EMAIL_HOST = ""  # the outbox writes clear-text .eml copies: they must go too
    person = Person()
    user = _seed(person, event_a, event_b)
    canary = _plant_canary(event_a)
    needles = person.needles

    # Control: the seed reached every place, and the scans see what they should.
    registrations = list(Registration.objects.filter(subject__email_index=user.email_index))
    assert len(registrations) == 2
    by_event = {r.event_id: r for r in registrations}
    assert by_event[event_a.pk].job_function == person.markers["reg_job"]
    assert by_event[event_a.pk].answers["company"] == person.markers["answer_short"]
    assert by_event[event_b.pk].first_name == person.markers["import_first"]
    assert User.objects.get(pk=user.pk).city == person.markers["account_city"]
    assert AccountLink.objects.filter(account=user).count() == 2
    assert UserSession.objects.filter(user=user).count() == 2
    assert ConsentRecord.objects.filter(subject_id=by_event[event_a.pk].subject_id).exists()
    assert Unsubscribe.objects.filter(subject_id=by_event[event_a.pk].subject_id).exists()
    assert OutboxMessage.objects.filter(kind="segment",
                                        registration=by_event[event_b.pk]).exists()
    before_files = _file_hits([*needles, canary])
    mail_hits = {n for path, n in before_files if path.startswith("mail/")}
    assert {person.email.lower(), person.markers["import_first"],
            person.markers["reg_first"]} <= {n.lower() if "@" in n else n for n in mail_hits}
    assert any(n == canary for _a, _t, n in _table_hits([*needles, canary]))
    if connections["default"].vendor == "sqlite":
        assert any(n == canary for _f, n in _raw_hits([canary]))
    assert Import.objects.filter(event=event_b).get().content_enc == ""

    receipt = erasure.erase_everywhere(person.email, actor="test")

    counts = receipt.as_dict()
    assert counts["accounts.User"] == 1 and counts["registrations.Registration"] == 2
    assert counts["keys"] == 3 and counts["files"] >= 3
    table_hits = _table_hits([*needles, canary])
    assert {h for h in table_hits if h[2] != canary} == set(), table_hits
    assert any(h[2] == canary for h in table_hits)  # the scan still reads the tables
    if connections["default"].vendor == "sqlite":
        raw = _raw_hits([*needles, canary])
        assert {h for h in raw if h[1] != canary} == set(), raw
        assert any(h[1] == canary for h in raw)
    assert _file_hits(needles) == set()
    assert verify() is None
    # Signed out: the sessions are gone with the account.
    assert not UserSession.objects.exists()
    from django.contrib.sessions.models import Session

    assert not [s for s in Session.objects.all()
                if s.get_decoded().get("_auth_user_id") == str(user.pk)]
    # Again: nothing more, no error (issue 5, bad input).
    assert erasure.erase_everywhere(person.email, actor="test").nothing_done
