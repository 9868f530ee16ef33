"""The pages a mailed account link leads to: confirm the address, choose a new password.

The link's token is a one-time secret (a reset token takes over the account). Like Django's
own ``PasswordResetConfirmView``, the link's GET checks the token, keeps it in the session
and redirects at once to an address without it: the token then stays in neither the address
bar, the history, a bookmark nor a Referer, and the form is posted from a page whose address
holds nothing. The page behind the redirect reads the token back from the session, and a
button still does the change (a mail scanner that only fetches the link changes nothing).
docs/architecture.md, "Secrets in addresses".
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from livesession.accounts import services, tokens
from livesession.accounts.forms import NewPasswordForm
from livesession.core.referrer import keep_on_site

VERIFY_KEY = "accounts_verify_token"
RESET_KEY = "accounts_reset_token"


def _invalid(request: HttpRequest) -> HttpResponse:
    return keep_on_site(render(request, "accounts/link_invalid.html"))


def _stash(request: HttpRequest, key: str, token: str, to: str) -> HttpResponse:
    request.session[key] = token
    return keep_on_site(redirect(to))


@never_cache
@require_GET
def verify_link(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the verification email: keep the token, leave its address."""
    if tokens.read(tokens.VERIFY, token) is None:
        return _invalid(request)
    return _stash(request, VERIFY_KEY, token, "accounts:verify-address")


@never_cache
@require_http_methods(["GET", "POST"])
def verify_address(request: HttpRequest) -> HttpResponse:
    """A button confirms the address of the link this browser opened."""
    token = request.session.get(VERIFY_KEY, "")
    if request.method == "GET":
        if tokens.read(tokens.VERIFY, token) is None:
            return _invalid(request)
        return render(request, "accounts/verify.html")
    try:
        services.verify_email(token)
    except services.InvalidToken:
        return _invalid(request)
    request.session.pop(VERIFY_KEY, None)
    return render(request, "accounts/verified.html")


@never_cache
@require_GET
def reset_link(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the reset email: keep the token, leave its address."""
    if services.account_for_reset(token) is None:
        return _invalid(request)
    return _stash(request, RESET_KEY, token, "accounts:password-new")


@never_cache
@require_http_methods(["GET", "POST"])
def new_password(request: HttpRequest) -> HttpResponse:
    """Choose the new password. Every session of the account ends; nobody is signed in
    automatically (reference AUTH-6)."""
    token = request.session.get(RESET_KEY, "")
    if services.account_for_reset(token) is None:
        return _invalid(request)
    form = NewPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reset_password(token, form.cleaned_data["password"])
        except services.InvalidToken:
            return _invalid(request)
        except ValidationError as exc:
            form.add_error("password", exc.messages)
        else:
            # This browser's own session may have been one of those that just ended; the
            # token leaves with it.
            logout(request)
            messages.success(request, _("Your password is changed. Sign in with it now."))
            return redirect("accounts:login")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/password_reset_confirm.html", {"form": form},
                  status=status)
