"""Fixed-window rate limits that hold across processes (issue 3 §8).

The web server runs several worker processes, so a count kept in one process's memory
would let each of them allow the whole limit. Counts live in Redis when ``REDIS_URL`` is
set (INCR and EXPIRE in one MULTI/EXEC), else in the main database: one
``core.RateCounter`` row per key, bumped by a single ``INSERT … ON CONFLICT DO UPDATE …
RETURNING`` statement (atomic on SQLite and PostgreSQL). The same store remembers the
used proof-of-work challenges (``first_use``).

Keys hold a keyed hash of the address (``crypto.blind_index``), never the address (P6.5).
An IPv6 address counts as its /64 network: one subscriber usually holds a whole /64.
The address is ``REMOTE_ADDR`` unless ``REST_FRAMEWORK["NUM_PROXIES"]`` declares proxies in
front: only then is ``X-Forwarded-For`` read, at the position the last proxy wrote.

A store that does not answer raises: the request fails (500), it is never let through
unlimited (fail closed).
"""

from __future__ import annotations

import ipaddress
import logging
import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import connections, router, transaction
from django.http import HttpRequest

from livesession.core import clock

log = logging.getLogger(__name__)

REDIS_PREFIX = "livesession:rl:"


@dataclass(frozen=True)
class Verdict:
    """The answer to one counted attempt. Truthy when the caller is over the limit."""

    limited: bool
    bucket: str = ""
    retry_after: int = 0  # seconds until the window ends, when limited

    def __bool__(self) -> bool:
        return self.limited


ALLOWED = Verdict(False)


# --- Who is asking ----------------------------------------------------------------------

def _num_proxies() -> int:
    return int(getattr(settings, "REST_FRAMEWORK", {}).get("NUM_PROXIES") or 0)


def client_ip(request: Any) -> str:
    """The client's address: ``REMOTE_ADDR``, or with N declared proxies the N-th address
    from the right of ``X-Forwarded-For`` (what the first of our proxies saw). A client
    can write anything at the left of that header, so nothing else is trusted."""
    meta = request.META
    remote = str(meta.get("REMOTE_ADDR", "")).strip()
    proxies = _num_proxies()
    forwarded = str(meta.get("HTTP_X_FORWARDED_FOR", ""))
    if proxies > 0 and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-min(proxies, len(hops))]
    return remote


def _network(address: str) -> str:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def address_key(request: Any) -> str:
    """A keyed hash of the client's address (or IPv6 /64), for counting."""
    from livesession.protection.crypto import blind_index

    return blind_index(_network(client_ip(request)), "ip")[:40]


# --- The stores -------------------------------------------------------------------------

@lru_cache(maxsize=4)
def _redis_client(url: str) -> Any:
    import redis

    return redis.Redis.from_url(url, socket_timeout=3, socket_connect_timeout=3)


def _redis_incr(key: str, window_start: int, ttl: int) -> int:
    pipe = _redis_client(settings.REDIS_URL).pipeline(transaction=True)
    name = f"{REDIS_PREFIX}{key}:{window_start}"
    pipe.incr(name)
    pipe.expire(name, max(1, ttl))
    count, _ = pipe.execute()
    return int(count)


def _db_incr(key: str, window_start: int, expires_at: int) -> int:
    from livesession.core.models import RateCounter

    connection = connections[router.db_for_write(RateCounter)]
    q = connection.ops.quote_name
    table = q(RateCounter._meta.db_table)
    newer = f"excluded.{q('window_start')} > {table}.{q('window_start')}"
    # One statement: a new key starts at 1, a key of the same window adds 1, a key whose
    # window is over starts again at 1. Every SET reads the row as it was before. Only
    # quoted column names are formatted in; the values are parameters.
    sql = (
        f"INSERT INTO {table} ({q('bucket_key')}, {q('window_start')}, {q('expires_at')}, "  # noqa: S608
        f"{q('count')}) VALUES (%s, %s, %s, 1) "
        f"ON CONFLICT ({q('bucket_key')}) DO UPDATE SET "
        f"{q('count')} = CASE WHEN {newer} THEN 1 ELSE {table}.{q('count')} + 1 END, "
        f"{q('expires_at')} = CASE WHEN {newer} THEN excluded.{q('expires_at')} "
        f"ELSE {table}.{q('expires_at')} END, "
        f"{q('window_start')} = CASE WHEN {newer} THEN excluded.{q('window_start')} "
        f"ELSE {table}.{q('window_start')} END "
        f"RETURNING {q('count')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [key, window_start, expires_at])
        row = cursor.fetchone()
    return int(row[0])


def _incr(key: str, window_start: int, expires_at: int, now: float) -> int:
    """Add one to ``key`` for the window that started at ``window_start``; the new count."""
    if settings.REDIS_URL:
        return _redis_incr(key, window_start, math.ceil(expires_at - now))
    return _db_incr(key, window_start, expires_at)


def first_use(key: str, issued_at: int, expires_at: int) -> bool:
    """True the first time ``key`` is seen before ``expires_at`` (Unix seconds); False on
    every later call. Used to refuse a proof-of-work challenge sent twice."""
    return _incr(key, issued_at, expires_at, clock.now().timestamp()) == 1


def prune(now: float | None = None) -> int:
    """Delete the database counters whose window is over; the number deleted. Redis keys
    expire on their own."""
    from livesession.core.models import RateCounter

    moment = int(clock.now().timestamp() if now is None else now)
    deleted, _ = RateCounter.objects.filter(expires_at__lt=moment).delete()
    return deleted


# --- Counting ---------------------------------------------------------------------------

def attempt(bucket: str, identity: str) -> Verdict:
    """Count one attempt of ``identity`` in ``bucket`` (limits: ``settings.RATE_LIMITS``)."""
    limit, window = settings.RATE_LIMITS[bucket]
    now = clock.now().timestamp()
    window_start = int(now // window * window)
    expires_at = window_start + window
    count = _incr(f"{bucket}:{identity}", window_start, expires_at, now)
    if count <= limit:
        return ALLOWED
    retry = max(1, math.ceil(expires_at - now))
    if count == limit + 1:  # once per window and key: no log flood from one robot
        log.warning("rate limit reached: bucket=%s key=%s…", bucket, identity[:12])
    return Verdict(True, bucket, retry)


def check(bucket: str, request: HttpRequest | Any, *, scope: str = "") -> Verdict:
    """Count one attempt from the request's address (within ``scope``, if given)."""
    identity = address_key(request)
    return attempt(bucket, f"{identity}:{scope}" if scope else identity)


def hit(bucket: str, request: HttpRequest | Any, *, scope: str = "") -> bool:
    """Count one hit; True when the caller is over the limit."""
    return check(bucket, request, scope=scope).limited


def registration(request: HttpRequest | Any, event_id: object) -> Verdict:
    """One registration attempt: per address ("register"), then per event
    ("register_event", all addresses together). An address over its own limit is not
    counted against the event, so one address cannot use up an event's allowance.

    In the database, both counts are one transaction (issue 9): one commit (one fdatasync
    on PostgreSQL) per registration attempt instead of two. The second depends on the
    first's answer, so they cannot be one statement."""
    if settings.REDIS_URL:
        return _registration(request, event_id)
    from livesession.core.models import RateCounter

    with transaction.atomic(using=router.db_for_write(RateCounter), savepoint=False):
        return _registration(request, event_id)


def _registration(request: HttpRequest | Any, event_id: object) -> Verdict:
    verdict = check("register", request)
    if verdict:
        return verdict
    return attempt("register_event", str(event_id))
