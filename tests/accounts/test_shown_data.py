""""My data" as a person reads it, and its archive (GDPR art. 15 and 20, P4.1).

Rosa signs up (a mail to confirm her address), registers to an event (a confirmation mail
with her personal link and a calendar file), asks for a new password (a reset mail), then
confirms her address. The live keys of those mails must appear nowhere in the page nor
in any file of the archive, the JSON included; dates read as words in the reader's
language; no internal id ("account:3", "accounts.User") and no code
("registration.confirmation") is shown; the archive's files are named in words.
"""

from __future__ import annotations

import html
import io
import json
import re
import zipfile
from urllib.parse import urlsplit

import jsonschema
import pytest
from django.test import Client as Browser
from django.urls import reverse
from django.utils import translation

from livesession.accounts import services
from livesession.accounts.models import User
from livesession.core.labels import message_kind_label
from livesession.core.models import Client
from livesession.events.models import Event
from livesession.messaging.models import OutboxMessage
from livesession.protection import access_export, keystore
from livesession.registrations.services import register
from tests.accounts.conftest import PASSWORD

ROSA = "rosa@example.org"
ISO_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
MICROSECONDS = re.compile(r"\d{2}:\d{2}:\d{2}\.\d{6}")
INTERNAL_ID = re.compile(r"\b(?:account|subject|registration|client):[0-9a-f]")
MODEL_LABEL = re.compile(r"\b[a-z]+\.[A-Z][a-z]+[A-Z]?[a-z]*\b")
CODES = ("registration.confirmation", "account.verify", "account.reset",
         "account.created", "account.signed_up", "registration.created")
FRENCH_DATE = re.compile(r"\b\d{1,2} (?:janvier|février|mars|avril|mai|juin|juillet|août|"
                         r"septembre|octobre|novembre|décembre) \d{4} à \d{1,2}:\d{2}\b")


def _keys_in(text: str) -> set[str]:
    """The path segments of the site links of a mail that are keys (long random text)."""
    found = set()
    for url in re.findall(r"https?://\S+", text):
        for segment in urlsplit(url).path.split("/"):
            if len(segment) >= 20:
                found.add(segment)
    return found


@pytest.fixture
def rosa(event_a: Event, client_a: Client) -> tuple[User, set[str]]:
    """Rosa's account and the live keys of every mail she was sent."""
    services.sign_up(ROSA, PASSWORD, "Rosa", "Luxembourg", language="fr")
    user = services.account_for_email(ROSA)
    assert user is not None
    register(event_a, email=ROSA, first_name="Rosa", last_name="Luxembourg")
    services.request_password_reset(ROSA)
    keys: set[str] = set()
    with keystore.unit_of_work():
        for message in OutboxMessage.objects.filter(subject__in=[
                user.subject_id, *OutboxMessage.objects.filter(
                    kind__startswith="registration.").values_list("subject_id", flat=True)]):
            keys |= _keys_in(message.body) | _keys_in(
                re.sub(r"\r?\n[ \t]", "", message.attachment or ""))
    verify = [k for k in keys if services.tokens.read(services.tokens.VERIFY, k) is not None]
    assert verify, "the verification key was not found in the mail"
    services.verify_email(verify[0])
    user.refresh_from_db()
    assert user.is_verified
    return user, keys


def _signed_in(language: str) -> Browser:
    browser = Browser(HTTP_ACCEPT_LANGUAGE=language)
    response = browser.post("/accounts/login/", {"email": ROSA, "password": PASSWORD})
    assert response.status_code == 302
    return browser


def _zip(browser: Browser) -> zipfile.ZipFile:
    assert browser.post(reverse("accounts:data-link")).status_code == 302
    page = browser.get(reverse("accounts:data")).content.decode()
    link = re.search(r'href="(/me/data/download/[^"]+/)"', page)
    assert link
    response = browser.get(link.group(1))
    assert response.status_code == 200
    return zipfile.ZipFile(io.BytesIO(response.content))


def _visible(page: str) -> str:
    """The text a person reads: no tags, no attributes, no script."""
    body = page.split("<main", 1)[-1] if "<main" in page else page
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def test_p4_1_no_live_key_in_the_page_nor_in_any_file_of_the_archive(
        rosa: tuple[User, set[str]]) -> None:
    _user, keys = rosa
    # a verification key, a reset key and the personal link (body and calendar file)
    assert len(keys) >= 3
    browser = _signed_in("fr")
    page = browser.get(reverse("accounts:data")).content.decode()
    archive = _zip(browser)
    files = {name: archive.read(name).decode() for name in archive.namelist()}
    for key in keys:
        assert key not in page
        for name, text in files.items():
            assert key not in text, f"a live key in {name}"
    assert any(name.endswith("messages.csv") for name in files)
    # the emails are still there, said in words
    with translation.override("fr"):
        assert message_kind_label("account.verify") in files["data.json"]


def test_p4_1_my_data_page_reads_in_words_in_french(rosa: tuple[User, set[str]]) -> None:
    page = _signed_in("fr").get(reverse("accounts:data")).content.decode()
    text = _visible(page)
    assert not ISO_INSTANT.search(text), ISO_INSTANT.search(text)
    assert not MICROSECONDS.search(page)
    assert not INTERNAL_ID.search(text), INTERNAL_ID.search(text)
    assert not MODEL_LABEL.search(text), MODEL_LABEL.search(text)
    for code in CODES:
        assert code not in text
    assert FRENCH_DATE.search(text), "no date in French words"
    # plain French names of the kinds of record, of what happened and of who did it
    for words in ("Votre compte", "Courriels qui vous ont été envoyés",
                  "Actions enregistrées à votre sujet", "Création de compte", "votre compte",
                  "votre inscription à"):
        assert words in text, words
    assert "readertime.js" in page


def test_p4_1_archive_files_are_named_in_words_and_match_the_json(
        rosa: tuple[User, set[str]], client_a: Client) -> None:
    archive = _zip(_signed_in("fr"))
    names = set(archive.namelist())
    assert {"csv/platform/account.csv", "csv/platform/activity-log.csv",
            f"csv/organizer-{client_a.slug}/registrations.csv",
            f"csv/organizer-{client_a.slug}/messages.csv"} <= names
    assert not [n for n in names if re.search(r"[A-Z]|client-\d", n)], names
    document = json.loads(archive.read("data.json"))
    jsonschema.validate(document, json.loads(archive.read("access-export-v1.schema.json")))
    listed = {c["file"] for g in document["controllers"] for c in g["categories"]}
    assert listed == {n for n in names if n.startswith("csv/")}
    index = archive.read("index.html").decode()
    text = _visible(index)
    assert not ISO_INSTANT.search(text) and not MICROSECONDS.search(index)
    assert not INTERNAL_ID.search(text) and not MODEL_LABEL.search(text)
    assert FRENCH_DATE.search(text)
    for name in listed:
        assert name in index


def test_p4_1_the_account_messages_are_summarised_others_keep_their_text(
        rosa: tuple[User, set[str]], client_a: Client) -> None:
    user, _keys = rosa
    document = access_export.collect(user)
    messages = [r for g in document["controllers"] for c in g["categories"]
                if c["model"] == "messaging.OutboxMessage" for r in c["records"]]
    bodies = {r["kind"]: r["body"] for r in messages}
    assert len(bodies) >= 3
    confirmation = [b for k, b in bodies.items() if "Rosa" in b]
    assert confirmation, bodies  # the registration mail keeps its text...
    assert all("http" not in b for b in bodies.values())  # ...without any link
    assert all(isinstance(r["sent_at"], str | type(None)) for r in messages)


def test_export_names_cover_every_exported_model_and_the_docs() -> None:
    from pathlib import Path

    from livesession.protection import export_names, subject_rows

    labels = [m._meta.label for m in subject_rows.models_with_exportable_data()]
    missing = [label for label in labels if label not in export_names.KINDS]
    assert not missing
    stems = [stem for stem, _title in export_names.KINDS.values()]
    assert len(stems) == len(set(stems))
    assert all(re.fullmatch(r"[a-z0-9-]+", stem) for stem in stems)
    docs = (Path(__file__).resolve().parents[2] / "docs" / "access-export.md").read_text()
    for label, (stem, _title) in export_names.KINDS.items():
        assert f"| `{stem}.csv` | `{label}` |" in docs, label


def test_export_names_folder_is_words() -> None:
    from livesession.protection.export_names import folder

    assert folder("operator") == "platform"
    assert folder("client:7", "Alpha_Events") == "organizer-alpha_events"


@pytest.mark.parametrize("kind", ["account.verify", "account.reset", "desk.code"])
def test_key_carrying_mails_are_summarised(kind: str) -> None:
    from livesession.protection import redaction

    text = redaction.message_text(kind, "Open https://x.test/a/SECRETSECRETSECRETSECRET/ now")
    assert "SECRET" not in text and "http" not in text


def test_links_are_removed_even_when_a_calendar_line_folds_them() -> None:
    from livesession.protection import redaction

    folded = "URL:https://x.test/j/abcdefghijklmnopqrstuvwxyz0123\r\n 456789ABCDEFG/\r\n"
    cleaned = redaction.message_text("registration.confirmation", folded)
    assert "456789ABCDEFG" not in cleaned and "abcdefghij" not in cleaned
