"""Fixed-window rate limits in the cache (local memory, or Redis when REDIS_URL is set)."""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


def hit(bucket: str, request: HttpRequest) -> bool:
    """Count one hit; True when the caller is over the limit. The key holds a hash of the
    address, never the address itself (P6.5)."""
    limit, window = settings.RATE_LIMITS[bucket]
    who = hashlib.sha256(client_ip(request).encode()).hexdigest()[:24]
    key = f"rl:{bucket}:{who}:{int(time.time() // window)}"
    if cache.add(key, 1, timeout=window):
        return False
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=window)
        return False
    return count > limit
