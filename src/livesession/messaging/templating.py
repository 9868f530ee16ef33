"""A safe placeholder syntax for organizer-written messages (issue 4 §7).

Organizer text never reaches the Django template engine (no tags, no filters, no attribute
lookups): the only construct is ``{{ name }}``, where ``name`` is in the whitelist of the
message's kind. Values are substituted as plain text (emails are text/plain, nothing to
escape). Validation refuses, at save time, unknown placeholders and any other ``{{`` or
``}}`` (a typo such as ``{{ first_name }`` would otherwise reach participants verbatim).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from livesession.messaging.models import MessageKind as K

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
BRACES = re.compile(r"\{\{|\}\}")
# When a placeholder is empty ("Hello {{ first_name }}," without a first name), the space
# before it goes too if punctuation follows: "Hello," not "Hello ,".
_PUNCTUATION = ",.;:!?)\n"

COMMON = ("first_name", "last_name", "event_title", "event_start", "event_end", "time_zone",
          "organizer")
# What each kind may say. A join link only where the person holds or awaits a place; an
# unsubscribe link only in non-transactional messages.
ALLOWED: dict[str, tuple[str, ...]] = {
    K.CONFIRMATION: (*COMMON, "join_link", "sessions", "google_calendar_link",
                     "outlook_calendar_link"),
    K.APPROVED: (*COMMON, "join_link", "sessions", "google_calendar_link",
                 "outlook_calendar_link"),
    K.PROMOTED: (*COMMON, "join_link", "sessions", "google_calendar_link",
                 "outlook_calendar_link"),
    K.PENDING_CONFIRMATION: (*COMMON, "join_link"),
    K.PENDING_APPROVAL: (*COMMON, "join_link"),
    K.WAITLISTED: (*COMMON, "join_link", "position"),
    K.DENIED: (*COMMON, "note"),
    K.CANCELLED: (*COMMON, "cancelled_by"),
    K.REMINDER: (*COMMON, "join_link", "session_title"),
    K.FOLLOWUP_ATTENDED: (*COMMON, "join_link", "replay_link", "unsubscribe_link"),
    K.FOLLOWUP_ABSENT: (*COMMON, "join_link", "replay_link", "unsubscribe_link"),
    K.SEGMENT: (*COMMON, "join_link", "replay_link", "unsubscribe_link"),
}


def braced(name: str) -> str:
    return "{{ " + name + " }}"


def allowed(kind: str) -> tuple[str, ...]:
    return ALLOWED[kind]


def problems(text: str, kind: str) -> list[str]:
    """Every reason ``text`` cannot be saved for ``kind``, in words for the organizer."""
    names = allowed(kind)
    found: list[str] = []
    unknown = sorted({m.group(1) for m in PLACEHOLDER.finditer(text)} - set(names))
    if unknown:
        found.append(ngettext("Unknown placeholder: %(names)s. Allowed: %(allowed)s.",
                              "Unknown placeholders: %(names)s. Allowed: %(allowed)s.",
                              len(unknown)) % {
            "names": ", ".join(braced(n) for n in unknown),
            "allowed": ", ".join(braced(n) for n in names)})
    stray = BRACES.findall(PLACEHOLDER.sub("", text))
    if stray:
        found.append(_("Unbalanced braces: %(count)s stray “{{” or “}}”. A placeholder is "
                       "written {{ name }}; allowed: %(allowed)s.") % {
            "count": len(stray), "allowed": ", ".join(braced(n) for n in names)})
    return found


def validate(kind: str, subject: str, body: str) -> None:
    """Raise ValidationError keyed by field (subject, body) naming every problem."""
    errors: dict[str, list[str]] = {}
    if kind not in ALLOWED:
        raise ValidationError({"kind": [_("Unknown kind of message.")]})
    for field, text in (("subject", subject), ("body", body)):
        found = problems(text, kind)
        if found:
            errors[field] = found
    if not subject.strip():
        errors.setdefault("subject", []).append(_("The subject cannot be empty."))
    if not body.strip():
        errors.setdefault("body", []).append(_("The message cannot be empty."))
    if errors:
        raise ValidationError(errors)


def render(text: str, values: Mapping[str, str]) -> str:
    """Substitute each placeholder by its value as plain text. Text that was validated has
    only known placeholders; one missing from ``values`` renders empty."""
    out: list[str] = []
    last = 0
    for match in PLACEHOLDER.finditer(text):
        before = text[last:match.start()]
        value = str(values.get(match.group(1), "") or "")
        following = text[match.end():match.end() + 1]
        if not value and before.endswith(" ") and (following == "" or following in
                                                   _PUNCTUATION):
            before = before[:-1]
        out.append(before)
        out.append(value)
        last = match.end()
    out.append(text[last:])
    return "".join(out)


def render_subject(text: str, values: Mapping[str, str]) -> str:
    # A header is one line, whatever the values hold.
    return " ".join(render(text, values).split())


def render_body(text: str, values: Mapping[str, str]) -> str:
    body = render(text.replace("\r\n", "\n"), values)
    # An empty optional block (no note, no sessions) leaves no hole of blank lines.
    body = re.sub(r"\n[ \t]*\n(?:[ \t]*\n)+", "\n\n", body)
    return body.strip("\n") + "\n"
