"""The keystore: create, fetch and destroy per-subject data keys (P6.8 crypto-shredding)."""

from __future__ import annotations

import contextvars
import uuid
from collections import ChainMap
from collections.abc import Iterable, Iterator, MutableMapping
from contextlib import contextmanager

from django.db import IntegrityError, transaction
from django.utils import timezone

from livesession.protection import crypto
from livesession.protection.models import DataKey

# A unit-of-work cache (one request, one task): list pages preload keys in one query and
# a destroyed key is never served from a cache that outlives the work.
_Cache = MutableMapping[uuid.UUID, bytes | None]
_cache: contextvars.ContextVar[_Cache | None] = contextvars.ContextVar(
    "keystore_cache", default=None
)


@contextmanager
def unit_of_work() -> Iterator[None]:
    """Keys read once per unit. A unit opened inside another (a registration's mail
    composed within the registration) finds the keys the outer units read, without reading
    them again, and keeps what it reads itself to itself: an export's chunk inside a long
    unit still drops its keys when the chunk ends, so memory stays flat."""
    outer = _cache.get()
    cache: _Cache
    if outer is None:
        cache = {}
    elif isinstance(outer, ChainMap):
        cache = outer.new_child()
    else:
        cache = ChainMap({}, outer)
    token = _cache.set(cache)
    try:
        yield
    finally:
        _cache.reset(token)


def ensure_key(subject_id: uuid.UUID, controller: str, *, new_subject: bool = False) -> None:
    """A data key for the subject, made if it has none (``new_subject``: the subject row
    was just created, so there is none to look for)."""
    if not new_subject and DataKey.objects.filter(subject_id=subject_id).exists():
        return
    key = crypto.new_data_key()
    try:
        with transaction.atomic(using="keystore"):
            DataKey.objects.create(
                subject_id=subject_id,
                controller=controller,
                wrapped=crypto.wrap_key(key, str(subject_id)),
            )
    except IntegrityError:
        return  # created concurrently: the first writer's key stands


def get_key(subject_id: uuid.UUID) -> bytes:
    cache = _cache.get()
    if cache is not None and subject_id in cache:
        key = cache[subject_id]
    else:
        row = DataKey.objects.filter(subject_id=subject_id).values_list("wrapped", flat=True)
        wrapped = next(iter(row), None)
        key = crypto.unwrap_key(bytes(wrapped), str(subject_id)) if wrapped is not None else None
        if cache is not None:
            cache[subject_id] = key
    if key is None:
        raise crypto.KeyDestroyed(str(subject_id))
    return key


def preload(subject_ids: Iterable[uuid.UUID]) -> None:
    cache = _cache.get()
    if cache is None:
        return
    wanted = [sid for sid in set(subject_ids) if sid not in cache]
    for sid in wanted:
        cache[sid] = None
    rows = DataKey.objects.filter(subject_id__in=wanted, wrapped__isnull=False)
    for subject_id, wrapped in rows.values_list("subject_id", "wrapped"):
        if wrapped is not None:
            cache[subject_id] = crypto.unwrap_key(bytes(wrapped), str(subject_id))


def destroy_key(subject_id: uuid.UUID) -> bool:
    """Shred: the wrapped key is overwritten with NULL and the row kept as evidence."""
    with transaction.atomic(using="keystore"):
        changed = DataKey.objects.filter(subject_id=subject_id, wrapped__isnull=False).update(
            wrapped=None, destroyed_at=timezone.now()
        )
    _forget([subject_id])
    return bool(changed)


def destroy_keys(subject_ids: Iterable[uuid.UUID]) -> int:
    """Shred several keys in one statement and one keystore transaction (erasure of a
    person's subjects, a whole client's end of contract). Returns how many were live."""
    ids = list(dict.fromkeys(subject_ids))
    if not ids:
        return 0
    with transaction.atomic(using="keystore"):
        changed = DataKey.objects.filter(subject_id__in=ids, wrapped__isnull=False).update(
            wrapped=None, destroyed_at=timezone.now()
        )
    _forget(ids)
    return int(changed)


def _forget(subject_ids: list[uuid.UUID]) -> None:
    """Destroyed keys are marked destroyed in this unit and in every unit around it, so
    no outer unit serves them once the inner one ends."""
    cache = _cache.get()
    if cache is None:
        return
    maps = cache.maps if isinstance(cache, ChainMap) else [cache]
    for layer in maps:
        for sid in subject_ids:
            layer[sid] = None


def is_reachable() -> bool:
    DataKey.objects.exists()
    return True
