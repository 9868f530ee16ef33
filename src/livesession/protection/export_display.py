"""The copy of one's data as a person reads it ("My data" and the archive's ``index.html``).

``data.json`` holds the values as stored (ISO instants, pseudonymous ids such as
``account:12``); this module turns each record into label/value pairs in words: dates in
the reader's language, the audit trail's ids as "you", "your registration to <event>",
a registration's channel as where the data came from. Each email and each audit entry
gets a one-line title ("Email to confirm an address, sent on 7 December 2026 at 14:03").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _

from livesession.core import readable
from livesession.protection import export_names


@dataclass(frozen=True)
class Record:
    title: str
    items: list[tuple[str, SafeString]]


def _datetime_fields(model_label: str) -> dict[str, bool]:
    """Field name -> True for an instant, False for a day, of the model's date columns."""
    try:
        model = apps.get_model(model_label)
    except LookupError:
        return {}
    found: dict[str, bool] = {}
    for f in model._meta.concrete_fields:
        if isinstance(f, models.DateTimeField):
            found[f.name] = True
        elif isinstance(f, models.DateField):
            found[f.name] = False
    return found


class Words:
    """Says in words who an audit id is, seen from the person the copy is about."""

    def __init__(self, document: dict[str, Any]) -> None:
        from livesession.protection import subject_rows

        who = document.get("person", {})
        person: subject_rows.Person | None = None
        if "account" in who:
            from livesession.accounts.models import User

            user = User.objects.filter(pk=int(who["account"].split(":")[1])).first()
            person = subject_rows.person_of(user) if user is not None else None
        elif "subject" in who:
            from livesession.protection.models import Subject

            subject = Subject.objects.filter(pk=who["subject"].split(":", 1)[1]).first()
            person = subject_rows.person_at_client(subject) if subject is not None else None
        self.own = person.pseudonyms if person is not None else frozenset()
        self._events: dict[str, str] = {}
        if person is not None and person.registration_ids:
            from livesession.protection.access_export import event_words
            from livesession.registrations.models import Registration

            for registration in (Registration.objects.filter(pk__in=person.registration_ids)
                                 .select_related("event")):
                self._events[f"registration:{registration.pk}"] = event_words(
                    registration.event)
        self._staff: dict[str, bool] = {}

    def _is_staff(self, pseudonym: str) -> bool | None:
        from livesession.accounts.models import User

        if pseudonym not in self._staff:
            try:
                pk = int(pseudonym.split(":", 1)[1])
            except ValueError:
                return None
            flag = User.objects.filter(pk=pk).values_list("is_operator", flat=True).first()
            if flag is None:
                return None
            self._staff[pseudonym] = bool(flag)
        return self._staff[pseudonym]

    def who(self, pseudonym: str, *, acting: bool) -> str:
        if not pseudonym:
            return ""
        kind, _sep, _rest = pseudonym.partition(":")
        if pseudonym in self.own:
            if kind == "registration":
                return _("your registration to %(event)s") % {
                    "event": self._events.get(pseudonym, _("an event"))}
            if kind == "account":
                return _("you") if acting else _("your account")
            return _("you") if acting else _("your data")
        if kind == "account":
            staff = self._is_staff(pseudonym)
            if staff is None:
                return _("an account that no longer exists")
            return _("a member of the platform's staff") if staff else _(
                "a member of an organizer's team")
        if kind in ("registration", "subject"):
            return _("another person")
        if kind == "public" or kind == "participant" or pseudonym == "api:public":
            return _("someone on the public pages")
        if kind in ("client", "api_token", "api"):
            return _("an organizer")
        return _("the platform itself")


def _language_name(code: str) -> str:
    try:
        return str(get_language_info(code)["name_translated"])
    except KeyError:
        return code


def _answers(value: dict[str, Any] | list[Any]) -> str:
    if isinstance(value, dict):
        return "; ".join(f"{key}: {_plain(v)}" for key, v in sorted(value.items()))
    return ", ".join(_plain(v) for v in value)


def _plain(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, dict | list):
        return _answers(value) if value else "—"
    return str(value)


def _cell(model_label: str, name: str, value: Any, dates: dict[str, bool],
          words: Words) -> SafeString:
    from livesession.protection.access_export import _source_label

    if name in dates and value:
        return readable.moment_html(readable.parse(value))
    if isinstance(value, str) and value.startswith("account:") and model_label != (
            "audit.AuditEntry"):
        return format_html("{}", words.who(value, acting=True))
    if model_label == "audit.AuditEntry" and name in ("actor", "target"):
        return format_html("{}", words.who(value or "", acting=name == "actor") or "—")
    if name == "channel" and model_label == "registrations.Registration":
        return format_html("{}", _source_label(value or "web"))
    if name == "language" and value:
        return format_html("{}", _language_name(str(value)))
    if name == "notice_version" and value:
        # A fingerprint of the notice's text: its first characters name it well enough.
        return format_html("{}", _("version %(short)s") % {"short": str(value)[:8]})
    return format_html("{}", _plain(value))


def _title(model_label: str, record: dict[str, Any]) -> str:
    if model_label == "messaging.OutboxMessage":
        sent = readable.parse(record.get("sent_at"))
        written = readable.parse(record.get("created_at"))
        if sent is not None:
            return _("%(kind)s, sent on %(when)s") % {
                "kind": record.get("kind", ""), "when": readable.moment_text(sent)}
        if written is not None:
            return _("%(kind)s, written on %(when)s (not sent yet)") % {
                "kind": record.get("kind", ""), "when": readable.moment_text(written)}
    if model_label == "audit.AuditEntry":
        at = readable.parse(record.get("at"))
        if at is not None:
            return _("%(when)s: %(action)s") % {"when": readable.moment_text(at),
                                                "action": record.get("action", "")}
    return ""


# Columns a record's title already says ("<date>: <what happened>").
_IN_TITLE = {"messaging.OutboxMessage": {"kind"}, "audit.AuditEntry": {"at", "action"}}
_ORDER = {label: position for position, label in enumerate(export_names.KINDS)}


def _record(model_label: str, fields: list[dict[str, Any]], record: dict[str, Any],
            dates: dict[str, bool], words: Words) -> Record:
    title = _title(model_label, record)
    skip = _IN_TITLE.get(model_label, set()) if title else set()
    items = []
    for f in fields:
        if f["field"] in skip:
            continue
        value = record.get(f["field"])
        if (model_label == "messaging.OutboxMessage" and f["field"] == "attachment"
                and isinstance(value, str) and value.startswith("BEGIN:VCALENDAR")):
            cell = format_html("{}", _("a calendar invitation (its text is in data.json)"))
        else:
            cell = _cell(model_label, f["field"], value, dates, words)
        items.append((f["label"][:1].upper() + f["label"][1:], cell))
    return Record(title=title, items=items)


def readable_groups(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The controllers with, per category, each record as a title and label/value pairs;
    the kinds of record in a stable order, the account first."""
    words = Words(document)
    groups = []
    for group in document["controllers"]:
        categories = []
        for category in sorted(group["categories"],
                               key=lambda c: (_ORDER.get(c["model"], len(_ORDER)), c["model"])):
            model_label = category["model"]
            dates = _datetime_fields(model_label)
            records = [_record(model_label, category["fields"], record, dates, words)
                       for record in category["records"]]
            categories.append({**category, "readable": records})
        groups.append({**group, "categories": categories})
    return groups
