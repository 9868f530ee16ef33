""""My data" in the personal space: see and download everything held about oneself (issue 5
§1, P4.1, GDPR art. 15 and 20).

The page and the archive come from ``protection.access_export``, itself generated from the
personal-data registry. The download link is signed (``TimestampSigner``) with the account
and a nonce kept in the session that asked for it: it expires after
``ACCESS_EXPORT_LINK_SECONDS`` and works only in that session, for that account. Like every
page of the space, the account comes from the session only.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from livesession.accounts.space_views import _context, _me
from livesession.core.clock import now
from livesession.core.referrer import keep_on_site
from livesession.protection import access_export

_SALT = "livesession.access-export"
_NONCE = "access_export_nonce"
_LINK = "access_export_link"


class _ClockSigner(signing.TimestampSigner):
    """Stamps links with the project clock (``core.clock``), so tests can age a link."""

    def timestamp(self) -> str:
        return signing.b62_encode(int(now().timestamp()))


def _signer() -> signing.TimestampSigner:
    return _ClockSigner(salt=_SALT)


def _max_age() -> int:
    return int(settings.ACCESS_EXPORT_LINK_SECONDS)


def _current_link(request: HttpRequest, user_pk: int) -> str:
    """The session's download link while it still works, else ''."""
    token = request.session.get(_LINK, "")
    if token and _check(request, token, user_pk) == "ok":
        return reverse("accounts:data-download", kwargs={"token": token})
    return ""


def _check(request: HttpRequest, token: str, user_pk: int) -> str:
    """'ok', 'expired', or 'invalid' (forged, another account's, or another session's)."""
    try:
        value = _signer().unsign(token, max_age=_max_age())
    except signing.SignatureExpired:
        return "expired"
    except signing.BadSignature:
        return "invalid"
    account, _sep, nonce = value.partition(":")
    expected = request.session.get(_NONCE, "")
    if account != str(user_pk) or not expected or not secrets.compare_digest(nonce, expected):
        return "invalid"
    return "ok"


@never_cache
@login_required
@require_GET
def data(request: HttpRequest) -> HttpResponse:
    """Everything held about the person, by controller, with purpose, basis, retention."""
    user = _me(request)
    document = access_export.collect(user)
    context: dict[str, Any] = _context(
        user, document=document, notice=document["notice"],
        groups=access_export.with_tables(document),
        link=_current_link(request, user.pk), minutes=max(1, _max_age() // 60))
    return keep_on_site(render(request, "accounts/data.html", context))


@never_cache
@login_required
@require_POST
def data_link(request: HttpRequest) -> HttpResponse:
    """Prepare a download link for this session (CSRF-protected form on "My data")."""
    user = _me(request)
    nonce = request.session.get(_NONCE) or secrets.token_urlsafe(16)
    request.session[_NONCE] = nonce
    request.session[_LINK] = _signer().sign(f"{user.pk}:{nonce}")
    return redirect(reverse("accounts:data") + "#download")


@never_cache
@login_required
@require_GET
def data_download(request: HttpRequest, token: str) -> HttpResponse:
    """The ZIP archive, built in memory; an expired or foreign link gets a clear page."""
    user = _me(request)
    outcome = _check(request, token, user.pk)
    if outcome != "ok":
        status = 410 if outcome == "expired" else 404
        return keep_on_site(render(request, "accounts/data_expired.html",
                                   _context(user, outcome=outcome), status=status))
    document, archive = access_export.export_account(user, actor=f"account:{user.pk}",
                                                     via="space")
    response = HttpResponse(archive, content_type="application/zip")
    stamp = document["generated_at"][:10]
    response["Content-Disposition"] = f'attachment; filename="my-data-{stamp}.zip"'
    response["Cache-Control"] = "no-store"
    return keep_on_site(response)
