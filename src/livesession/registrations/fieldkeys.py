"""Names that people never type: the key of a custom question, made from its label, and the
order of a list changed one step at a time.

A question's key names its answers in the sealed answers of every registration, in exports,
imports, the API and the conditions of other questions. The organizer writes a question,
not an identifier: the key is made from the French label (accents dropped, lowercase words
joined by ``_``), kept unique within the event, and never changed behind anyone's back
(``fields_services`` keeps it when the label is edited).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import TypeVar

from livesession.registrations import scope

# Names a registration already uses for something else.
RESERVED = frozenset({"email", "answers", "consents", "language", *scope.BY_KEY})
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
# Room left for a ``_<n>`` suffix within the 50 characters of the column.
_BASE_LENGTH = 40
_FALLBACK = "question"
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss"})

T = TypeVar("T")


def base_key(label: str) -> str:
    """``"Niveau d'expérience ?"`` → ``"niveau_d_experience"``: the words of the label in
    ASCII, cut at a word boundary; ``"question"`` when nothing is left (a label in another
    script), prefixed ``q_`` when it would start with a digit."""
    # Ligatures have no decomposition: spelled out so that "Œuvre" keeps its letters.
    spelled = label.lower().translate(_LIGATURES)
    ascii_text = unicodedata.normalize("NFKD", spelled).encode("ascii", "ignore").decode()
    key = ""
    for word in re.findall(r"[a-z0-9]+", ascii_text.lower()):
        joined = f"{key}_{word}" if key else word
        if len(joined) > _BASE_LENGTH:
            key = key or word[:_BASE_LENGTH]
            break
        key = joined
    if not key:
        return _FALLBACK
    return key if key[0].isalpha() else f"q_{key}"[:_BASE_LENGTH]


def unique_key(label: str, taken: Iterable[str]) -> str:
    """The base key of ``label``, or the first of ``<base>_2``, ``<base>_3``… that neither
    the event's other questions nor a standard field uses."""
    used = set(taken) | RESERVED
    base = base_key(label)
    if base not in used:
        return base
    number = 2
    while f"{base}_{number}" in used:
        number += 1
    return f"{base}_{number}"


def unique_value(label: str, taken: Iterable[str]) -> str:
    """The stored value of a new option: its French label as first written (so answers read
    well in exports, and the API's rule for an option given without a value holds), made
    unique with `` (2)``… when an older option, since renamed, already holds it."""
    used = set(taken)
    value = label.strip()[:195]
    if value not in used:
        return value
    number = 2
    while f"{value} ({number})" in used:
        number += 1
    return f"{value} ({number})"


def moved(items: list[T], index: int, direction: str) -> list[T]:
    """A copy of ``items`` with the one at ``index`` one step ``"up"`` or ``"down"``;
    unchanged at either end or for an unknown direction or index."""
    step = {"up": -1, "down": 1}.get(direction)
    result = list(items)
    if step is None or not 0 <= index < len(result) or not 0 <= index + step < len(result):
        return result
    result[index], result[index + step] = result[index + step], result[index]
    return result
