"""What the copy of one's data leaves out of the emails it shows: the keys they carried.

An email sent to the person is their data, but a link in it can be a key (to confirm an
address, choose a password, enter a room, unsubscribe, download a copy) and a code can be
one too. A copy of the data is downloaded, forwarded, left in a folder: it must open
nothing. So the copy keeps what a message said, without its keys:

- an email whose whole point was a key (address confirmation, password reset, "this was
  not me", the request desk's codes and download links) is summarised, not copied;
- every other email keeps its text, each web address replaced by a note; a calendar
  attachment is unfolded first (iCalendar folds long lines, which could split an address).
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from livesession.core.labels import message_kind_label

# Kinds of email that exist to carry a key: their text is summarised, never copied.
KEY_CARRIERS = frozenset({
    "account.verify", "account.reset", "account.not_me",
    "desk.code", "desk.delivery", "desk.delivery_code",
})

_URL = re.compile(r"(?:https?|ftp)://[^\s<>\"']+|\bwww\.[^\s<>\"']+", re.IGNORECASE)
_ICS_FOLD = re.compile(r"\r?\n[ \t]")


def without_links(text: str) -> str:
    if not text:
        return text
    return _URL.sub(_("[link removed from this copy]"), _ICS_FOLD.sub("", text))


def summary(kind: str) -> str:
    return _("%(kind)s. Its text is not copied here: it held a link or a code that gave "
             "access, and a copy of your data must open nothing.") % {
        "kind": message_kind_label(kind)}


def message_text(kind: str, text: str) -> str:
    """The text of an email of ``kind`` as the copy shows it."""
    if kind in KEY_CARRIERS:
        return summary(kind) if text else text
    return without_links(text)
