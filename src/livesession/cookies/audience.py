"""First-party audience measurement (issue 7 §6; P1.6, P7.2; C-09, C-10).

A page view is recorded only when the visitor allowed "audience" (or, with the operator's
``AUDIENCE_EXEMPT_MODE``, when the visitor did not object: see docs/cookies.md), and only for
a page (GET, 200, HTML) outside the static files, the API, /healthz and /bench/. What is
stored: the route's name (``portal:join``, never the address, which holds personal link and
reset tokens), the page's area, the SHA-256 of a random visitor cookie, a sequence number
for the navigation path, the browser family and major version, the network address cut to
/16 (IPv4) or /48 (IPv6) before it is stored, the referring site's host (other sites only)
and the time. One INSERT per page view; nothing is sent to anyone.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from urllib.parse import urlsplit

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse

from livesession.accounts.sessions import network_of
from livesession.cookies import consent, inventory
from livesession.cookies.models import PageView
from livesession.core.clock import now
from livesession.core.ratelimit import client_ip

log = logging.getLogger(__name__)

SKIPPED_PREFIXES = ("/static/", "/api/", "/healthz", "/bench/", "/favicon.ico")
_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")
# Order matters: Edge and Opera also say "Chrome", Chrome also says "Safari".
_BROWSERS = (
    ("Edge", re.compile(r"\bEdg(?:e|A|iOS)?/(\d+)")),
    ("Opera", re.compile(r"\bOPR/(\d+)")),
    ("Samsung Internet", re.compile(r"\bSamsungBrowser/(\d+)")),
    ("Firefox", re.compile(r"\b(?:Firefox|FxiOS)/(\d+)")),
    ("Chrome", re.compile(r"\b(?:HeadlessChrome|Chrome|CriOS|Chromium)/(\d+)")),
    ("Safari", re.compile(r"\bVersion/(\d+)[.\d]* (?:Mobile/\S+ )?Safari/")),
)


def exempt_mode() -> bool:
    return bool(getattr(settings, "AUDIENCE_EXEMPT_MODE", False))


def truncate_ip(address: str) -> str:
    """The network of an address, before anything is stored (C-10): IPv4 to /16 (two bytes
    zeroed, the CNIL's exemption condition), IPv6 to /48. An IPv4-mapped IPv6 address is
    treated as IPv4. Anything unreadable gives an empty string."""
    return network_of(address, ipv4_prefix=16)


def browser_of(user_agent: str) -> tuple[str, int | None]:
    """The browser family and major version named by a User-Agent, nothing else of it."""
    for family, pattern in _BROWSERS:
        found = pattern.search(user_agent or "")
        if found:
            return family, min(int(found.group(1)), 32767)
    return "other", None


def referrer_host(request: HttpRequest) -> str:
    """The referring site's host when it is another site (our own pages: empty)."""
    referrer = request.META.get("HTTP_REFERER", "")
    try:
        host = (urlsplit(referrer).hostname or "").lower()
    except ValueError:
        return ""
    if not host or host == request.get_host().split(":")[0].lower():
        return ""
    return host[:255]


def visitor_hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def allowed(request: HttpRequest) -> bool:
    """Measurement may happen for this request: consent given, or the exempt mode and no
    objection (a choice that refuses audience is an objection)."""
    choice = consent.current(request)
    if exempt_mode():
        return choice is None or choice.allows(inventory.AUDIENCE)
    return choice is not None and choice.allows(inventory.AUDIENCE)


def forget(request: HttpRequest, response: HttpResponse) -> int:
    """Withdrawal or objection (P7.5): delete the visitor cookie (max-age 0) and the
    visitor's raw rows. Returns the rows deleted."""
    value = request.COOKIES.get(inventory.AUDIENCE_COOKIE)
    if value is None:
        return 0
    response.delete_cookie(inventory.AUDIENCE_COOKIE, path="/", samesite="Lax")
    if not _SHAPE.fullmatch(value):
        return 0
    deleted, _rows = PageView.objects.filter(visitor=visitor_hash(value)).delete()
    return deleted


def _recordable(request: HttpRequest, response: HttpResponse) -> bool:
    return (request.method == "GET" and response.status_code == 200
            and not response.streaming
            and response.get("Content-Type", "").startswith("text/html")
            and getattr(request, "resolver_match", None) is not None)


_INSERT = (
    "INSERT INTO cookies_pageview (at, visitor, seq, route, area, browser, browser_version,"
    " ip_prefix, referrer_host, exempt)"
    " SELECT %s, %s, COALESCE(MAX(seq), 0) + 1, %s, %s, %s, %s, %s, %s, %s"
    " FROM cookies_pageview WHERE visitor = %s"
)


def record(request: HttpRequest, visitor: str, *, exempt: bool) -> None:
    """One INSERT: the sequence number is the visitor's last plus one, in the statement."""
    match = request.resolver_match
    assert match is not None  # noqa: S101 - _recordable checked it
    route = (match.view_name or match.route or "?")[:120]
    area = (match.namespaces[0] if match.namespaces else "site")[:40]
    family, version = browser_of(request.META.get("HTTP_USER_AGENT", ""))
    with connection.cursor() as cursor:
        cursor.execute(_INSERT, [now(), visitor, route, area, family, version,
                                 truncate_ip(client_ip(request)), referrer_host(request),
                                 exempt, visitor])


def after_response(request: HttpRequest, response: HttpResponse) -> None:
    """Called by the middleware for every answer outside the skipped prefixes."""
    value = request.COOKIES.get(inventory.AUDIENCE_COOKIE)
    if inventory.AUDIENCE_COOKIE in response.cookies:
        return  # this answer already set or deleted it (the consent view)
    if not allowed(request):
        if value is not None:
            # No (more) consent: a stale or withdrawn choice leaves no visitor cookie.
            response.delete_cookie(inventory.AUDIENCE_COOKIE, path="/", samesite="Lax")
        return
    if not _recordable(request, response):
        return
    if value is None or not _SHAPE.fullmatch(value):
        value = secrets.token_urlsafe(32)
        # Set once, with its 13-month expiry; later visits never re-set (extend) it.
        response.set_cookie(inventory.AUDIENCE_COOKIE, value, max_age=inventory.MAX_LIFETIME,
                            path="/", httponly=True,
                            secure=request.is_secure() or settings.SECURE_COOKIES,
                            samesite="Lax")
    choice = consent.current(request)
    consented = choice is not None and choice.allows(inventory.AUDIENCE)
    try:
        record(request, visitor_hash(value), exempt=not consented)
    except DatabaseError:
        # Measurement never breaks a page; the log names no visitor and no address.
        log.warning("audience: page view not recorded", exc_info=True)
