"""Sessions and "this was not me" in the personal space (issue 5 §7, P1.5).

The list shows each signed-in session coarsely (browser family and system, the /24 or /48
network, sign-in time and last use; no geolocation service is ever asked), marks this
device, and lets the person end one session, every other one (password asked), or report
unauthorized use in one step: every session ends, this one too, the password is retired,
a link to choose a new one goes to the account's address, and an incident is opened for
the operator. The account comes from the session only; a session of another account is a
404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import authenticate, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from livesession.accounts import services
from livesession.accounts.forms import PasswordCheckForm
from livesession.accounts.models import User, UserSession


def _me(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):  # login_required ran; User is the only user model
        raise PermissionDenied
    return user


def _rows(request: HttpRequest, user: User) -> list[dict[str, Any]]:
    current = request.session.session_key
    rows = [{"session": s, "current": s.session_key == current}
            for s in services.active_sessions(user)]
    # This device first, then the most recently used.
    return sorted(rows, key=lambda r: not r["current"])


def _security_page(request: HttpRequest, user: User, form: PasswordCheckForm,
                   status: int = 200) -> HttpResponse:
    rows = _rows(request, user)
    return render(request, "accounts/security.html",
                  {"account": user, "rows": rows, "form": form,
                   "others": sum(1 for r in rows if not r["current"])},
                  status=status)


@never_cache
@login_required
def security(request: HttpRequest) -> HttpResponse:
    """The account's signed-in sessions (P1.5)."""
    return _security_page(request, _me(request), PasswordCheckForm())


@never_cache
@login_required
@require_POST
def session_sign_out(request: HttpRequest, session_id: str) -> HttpResponse:
    """End one session of the account. Another account's session, or one already ended,
    is a 404. Ending this very session signs this browser out."""
    user = _me(request)
    try:
        key = services.sign_out_session(user, session_id)
    except UserSession.DoesNotExist:
        raise Http404 from None
    if key == request.session.session_key:
        logout(request)
        messages.success(request, _("This session has ended. Sign in again to continue."))
        return redirect("accounts:login")
    messages.success(request, _("That session has ended: the device it was on is signed out."))
    return redirect("accounts:security")


@never_cache
@login_required
@require_POST
def sign_out_everywhere(request: HttpRequest) -> HttpResponse:
    """End every other session; the password is asked again (reference SES-6). A wrong
    password counts towards the lock, as on the sign-in page."""
    user = _me(request)
    form = PasswordCheckForm(request.POST)
    if form.is_valid():
        checked = authenticate(request, email=user.email,
                               password=form.cleaned_data["password"])
        if checked is not None and checked.pk == user.pk:
            ended = services.revoke_sessions(user, keep_session_key=request.session.session_key)
            messages.success(request, ngettext(
                "Signed out everywhere else (%(count)d session).",
                "Signed out everywhere else (%(count)d sessions).", ended) % {"count": ended})
            return redirect("accounts:security")
        form.add_error("password", _("This is not your password. Type the password you sign "
                                     "in with, or use “This was not me” below if you "
                                     "think someone else knows it."))
    return _security_page(request, user, form, status=400)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def not_me(request: HttpRequest) -> HttpResponse:
    """"This was not me" (P1.5): every session ends, this one too, the password stops
    working, a link to choose a new one goes to the account's address, and the operator
    gets an incident. GET explains; the POST (also from the security page's button) acts."""
    user = _me(request)
    if request.method == "GET":
        return render(request, "accounts/not_me.html", {"account": user})
    services.report_not_me(user)
    logout(request)  # this session is gone already: start a clean anonymous one
    messages.success(request, _(
        "Every session of your account has ended and your old password no longer works. "
        "To sign in again, choose a new password with the link we just sent to your email "
        "address. No email? Use “Forgot your password?” below to get a new link."))
    return redirect("accounts:login")
