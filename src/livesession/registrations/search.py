"""Searching registrants whose names and addresses are sealed (issue 3 point 11).

SQL cannot read a sealed column, so each registration keeps a few keyed hashes of its
words in ``SearchToken``: the normalized address, its local part, each word of the first
and last names, and each prefix of three letters or more of those words. Normalized means
lower case without accents ("Élodie" and "elodie" are one word). A search hashes the words
typed and matches them exactly, every word of the query on the same registration.

The tokens are kept by ``index_registration``, run by a ``post_save`` receiver on
``Registration`` (``connect``, called from ``registrations/personal_data.py``, which every
process imports at start-up): every service that saves a registration (register,
update_answers, approve…) keeps its tokens current without calling us. Writes with
``QuerySet.update`` do not fire it; they only change statuses and dates, never a name.

The hashed text starts with the client's id: the same name in two clients gives unrelated
tokens, so a copy of the database does not link people across clients.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.signals import post_save

from livesession.protection import keystore
from livesession.protection.crypto import blind_index, normalize_email
from livesession.registrations.models import Registration, SearchToken

MIN_PREFIX = 3
MAX_WORD = 40  # longer words are cut: nobody types more to find a person
PAGE_SIZE = 50
MAX_PIECES = 6  # words of a query looked for; more only cost queries
_WORD = re.compile(r"\w+")
_INDEXED = {"email_enc", "first_name_enc", "last_name_enc"}
# Letters NFKD does not take apart.
_FOLD = str.maketrans({"œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "ħ": "h",
                       "ı": "i", "þ": "th", "ð": "d"})


def normalize(text: str) -> str:
    """Lower case, no accents: what a person types and what is stored compare equal."""
    folded = unicodedata.normalize("NFKD", text.casefold().translate(_FOLD))
    return "".join(c for c in folded if not unicodedata.combining(c)).strip()


def words(text: str) -> list[str]:
    return [w[:MAX_WORD] for w in _WORD.findall(normalize(text))]


def _hash(client_id: int, text: str) -> str:
    return blind_index(f"{client_id}:{text}", "search")


def tokens_for(client_id: int, email: str, first_name: str, last_name: str) -> set[str]:
    plain: set[str] = set()
    address = normalize_email(email)
    if address:
        plain.add(address)
        plain.add(address.split("@", 1)[0])
    for word in words(f"{first_name} {last_name}"):
        plain.add(word)
        plain.update(word[:n] for n in range(MIN_PREFIX, len(word)))
    return {_hash(client_id, text) for text in plain if text}


def index_registration(registration: Registration, *, fresh: bool = False) -> None:
    """Replace the registration's search tokens with those of its current values
    (``fresh``: the row was just inserted, it has none to delete)."""
    with keystore.unit_of_work():
        keystore.preload([registration.subject_id])
        tokens = tokens_for(registration.client_id, registration.email,
                            registration.first_name, registration.last_name)
    if not fresh:
        SearchToken.objects.filter(registration_id=registration.pk).delete()
    SearchToken.objects.bulk_create([
        SearchToken(registration_id=registration.pk, client_id=registration.client_id,
                    event_id=registration.event_id, token=token)
        for token in sorted(tokens)
    ])


def _on_save(sender: type, instance: Registration, created: bool,
             update_fields: frozenset[str] | None = None, raw: bool = False,
             **kwargs: Any) -> None:
    if raw:
        return  # loading fixtures: values are not decryptable here
    if update_fields is not None and not (set(update_fields) & _INDEXED):
        return  # a status or a date changed: the words are the same
    index_registration(instance, fresh=created)


def connect() -> None:
    post_save.connect(_on_save, sender=Registration, dispatch_uid="registrations.search")


def reindex(registrations: Iterable[Registration]) -> int:
    """Rebuild the tokens of existing rows (after a migration, or for rows written in bulk)."""
    done = 0
    for registration in registrations:
        index_registration(registration)
        done += 1
    return done


# --- Reading ---------------------------------------------------------------------------

def _matching(client_id: int, event_id: Any, text: str) -> Q:
    ids = SearchToken.objects.filter(client_id=client_id, event_id=event_id,
                                     token=_hash(client_id, text)).values("registration_id")
    return Q(id__in=ids)


def query_filter(client_id: int, event_id: Any, query: str) -> Q | None:
    """Each piece of the query (split on spaces) must match: an address exactly, or a
    word or the start of a word of the names. "Jean-Pierre" is both words, or an address
    local part such as "jean.pierre". None when the query has nothing to look for."""
    condition: Q | None = None
    for piece in query.split()[:MAX_PIECES]:
        if "@" in piece:
            part = _matching(client_id, event_id, normalize_email(piece))
        else:
            text = normalize(piece)
            pieces = [w[:MAX_WORD] for w in _WORD.findall(text)]
            if not pieces:
                continue
            part = _matching(client_id, event_id, text[:254])
            if len(pieces) > 1:
                every = Q()
                for word in pieces:
                    every &= _matching(client_id, event_id, word)
                part |= every
            elif pieces[0] != text:
                part |= _matching(client_id, event_id, pieces[0])
        condition = part if condition is None else condition & part
    return condition


def status_counts(client_id: int, event_id: Any) -> dict[str, int]:
    """Registrations per status: COUNT(*) is answered from the (client, event, status,
    created_at) index alone, without reading a row."""
    rows = (Registration.objects.filter(client_id=client_id, event_id=event_id)
            .values("status").annotate(n=Count("*")).order_by())
    return {row["status"]: row["n"] for row in rows}


def search_counts(client_id: int, event_id: Any, query: str) -> dict[str, int] | None:
    """Registrations per status among those the search matches (what each status link,
    which keeps the search, will list); None when the query has nothing to look for."""
    condition = query_filter(client_id, event_id, query) if query.strip() else None
    if condition is None:
        return None
    rows = (Registration.objects.filter(condition, client_id=client_id, event_id=event_id)
            .values("status").annotate(n=Count("*")).order_by())
    return {row["status"]: row["n"] for row in rows}


@dataclass(frozen=True)
class Page:
    rows: list[Registration]
    next_cursor: str
    previous_cursor: str
    matching: int


def encode_cursor(row: Registration) -> str:
    return f"{row.created_at.isoformat()}_{row.pk}"


def decode_cursor(cursor: str) -> tuple[dt.datetime, uuid.UUID] | None:
    try:
        stamp, ident = cursor.rsplit("_", 1)
        at = dt.datetime.fromisoformat(stamp)
        return (at if at.tzinfo else at.replace(tzinfo=dt.UTC)), uuid.UUID(ident)
    except ValueError:
        return None


def listing(client_id: int, event_id: Any, *, query: str = "", status: str = "",
            after: str = "", before: str = "", counts: dict[str, int] | None = None,
            size: int = PAGE_SIZE) -> Page:
    """One page of an event's registrants in order of registration, with the number that
    match. Every query costs the size of a page, not of the event:

    - a search starts from the tokens (index client, event, token), so only the matching
      registrations are read and sorted;
    - a plain list walks the (client, event, status, created_at) index of each status
      present, a page at most from each, merged here: no sort of the whole event.

    Keyset pagination on (created_at, id): the two-hundredth page costs as much as the
    first, and a registration arriving meanwhile does not shift the pages."""
    condition = query_filter(client_id, event_id, query) if query.strip() else None
    if condition is not None:
        # The tokens are scoped to the client and event: filtering the registrations on
        # them too would lead SQLite to scan the event instead of the few matches.
        found = Registration.objects.filter(condition)
        if status:
            found = found.filter(status=status)
        result = _page([found], after, before, size)
        # Checked again on the rows shown: a token never opens another client's row.
        rows = [r for r in result.rows if r.client_id == client_id and r.event_id == event_id]
        return Page(rows, result.next_cursor, result.previous_cursor, found.count())
    counts = status_counts(client_id, event_id) if counts is None else counts
    statuses = [status] if status else sorted(s for s, n in counts.items() if n)
    sources = [Registration.objects.filter(client_id=client_id, event_id=event_id, status=s)
               for s in statuses]
    result = _page(sources, after, before, size)
    matching = counts.get(status, 0) if status else sum(counts.values())
    return Page(result.rows, result.next_cursor, result.previous_cursor, matching)


def _page(sources: list[QuerySet[Registration]], after: str, before: str,
          size: int) -> Page:
    """Keys first ((created_at, id) of at most a page per source), merged here; then the
    page's rows only, in one query."""
    after_key, before_key = decode_cursor(after), decode_cursor(before)
    backwards = before_key is not None
    keys: list[tuple[dt.datetime, uuid.UUID]] = []
    for rows in sources:
        if before_key is not None:
            at, ident = before_key
            rows = rows.filter(Q(created_at__lt=at) | Q(created_at=at, id__lt=ident))
        elif after_key is not None:
            at, ident = after_key
            rows = rows.filter(Q(created_at__gt=at) | Q(created_at=at, id__gt=ident))
        order = ("-created_at", "-id") if backwards else ("created_at", "id")
        keys += list(rows.order_by(*order).values_list("created_at", "id")[: size + 1])
    keys.sort(reverse=backwards)
    more = len(keys) > size
    keys = keys[:size]
    if backwards:
        keys.reverse()
    found = sorted(Registration.objects.filter(pk__in=[ident for _at, ident in keys]),
                   key=lambda r: (r.created_at, r.pk))
    first = encode_cursor(found[0]) if found else ""
    last = encode_cursor(found[-1]) if found else ""
    if backwards:
        return Page(found, last, first if more else "", 0)
    return Page(found, last if more else "", first if after_key is not None else "", 0)
