"""Sign in and out, sign up, verify the address, reset the password (issue 3 point 9).

Pages that receive an address answer the same whether or not it has an account (reference
AUTH-5); pages reached by a link carrying a token never send that token on in a Referer.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from livesession.accounts import services, tokens
from livesession.accounts.forms import EmailForm, LoginForm, NewPasswordForm, SignUpForm
from livesession.core.models import Membership
from livesession.core.ratelimit import hit
from livesession.staffaccess import mfa_views


def _landing(user: object) -> str:
    """Where a person goes after signing in: staff to the console, a client's members to
    the Manager, participants to their personal space."""
    if getattr(user, "is_operator", False):
        return "console:home"
    if Membership.objects.filter(user_id=int(getattr(user, "pk", 0) or 0)).exists():
        return "manager:home"
    return "accounts:space"


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    # The second step of an account with a second factor (S-02): staffaccess/mfa_views.py.
    second_step = mfa_views.code_step(request)
    if second_step is not None:
        return second_step
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if hit("login", request):
            form.add_error(None, _("Too many sign-in attempts. Wait a minute and try again."))
            status = 429
        elif form.is_valid():
            user = authenticate(request, email=form.cleaned_data["email"],
                                password=form.cleaned_data["password"])
            if user is not None:
                target = request.GET.get("next", "")
                if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
                    target = ""
                ask_code = mfa_views.begin_sign_in(request, user,
                                                   resolve_url(target or _landing(user)))
                if ask_code is not None:
                    return ask_code
                login(request, user)
                return redirect(target or _landing(user))
            # The same words for a wrong password, an unknown address and a locked account:
            # the owner of a locked account learns about the lock by email.
            form.add_error(None, _("Email or password is wrong. Check both and try again."))
            status = 400
        else:
            status = 400
    return render(request, "accounts/login.html", {"form": form}, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("portal:home")


def _no_referrer(response: HttpResponse) -> HttpResponse:
    response["Referrer-Policy"] = "no-referrer"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def signup_view(request: HttpRequest) -> HttpResponse:
    """Create a participant account (P0.2). The answer to a valid form is the same page
    whether the address was free or not; its owner is told by email."""
    if request.user.is_authenticated:
        return redirect("accounts:space")
    form = SignUpForm(request.POST or None)
    if request.method == "GET":
        return render(request, "accounts/signup.html", {"form": form})
    if hit("signup", request):
        form.add_error(None, _("Too many attempts from your connection. Wait a while, "
                               "then send the form again."))
        return render(request, "accounts/signup.html", {"form": form}, status=429)
    if not form.is_valid():
        return render(request, "accounts/signup.html", {"form": form}, status=400)
    data = form.cleaned_data
    try:
        services.sign_up(data["email"], data["password"], data["first_name"],
                         data["last_name"], language=translation.get_language() or "fr")
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return render(request, "accounts/signup.html", {"form": form}, status=400)
    return render(request, "accounts/signup_sent.html")


@never_cache
@require_http_methods(["GET", "POST"])
def verify_view(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the verification email: a button confirms (a mail scanner that only
    fetches the link confirms nothing)."""
    if request.method == "GET":
        user = tokens.read(tokens.VERIFY, token)
        template = "accounts/verify.html" if user is not None else "accounts/link_invalid.html"
        return _no_referrer(render(request, template))
    try:
        services.verify_email(token)
    except services.InvalidToken:
        return _no_referrer(render(request, "accounts/link_invalid.html"))
    return _no_referrer(render(request, "accounts/verified.html"))


@never_cache
@require_http_methods(["GET", "POST"])
def password_reset_view(request: HttpRequest) -> HttpResponse:
    """Ask for a reset link. The answer never says whether the address has an account."""
    form = EmailForm(request.POST or None)
    if request.method == "GET":
        return render(request, "accounts/password_reset.html", {"form": form})
    if hit("password_reset", request):
        form.add_error(None, _("Too many attempts from your connection. Wait a while, "
                               "then send the form again."))
        return render(request, "accounts/password_reset.html", {"form": form}, status=429)
    if not form.is_valid():
        return render(request, "accounts/password_reset.html", {"form": form}, status=400)
    services.request_password_reset(form.cleaned_data["email"])
    return render(request, "accounts/password_reset_sent.html")


@never_cache
@require_http_methods(["GET", "POST"])
def password_reset_confirm_view(request: HttpRequest, token: str) -> HttpResponse:
    """Choose the new password. Every session of the account ends; nobody is signed in
    automatically (reference AUTH-6)."""
    user = services.account_for_reset(token)
    if user is None:
        return _no_referrer(render(request, "accounts/link_invalid.html"))
    form = NewPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reset_password(token, form.cleaned_data["password"])
        except services.InvalidToken:
            return _no_referrer(render(request, "accounts/link_invalid.html"))
        except ValidationError as exc:
            form.add_error("password", exc.messages)
        else:
            # This browser's own session may have been one of those that just ended.
            logout(request)
            messages.success(request, _("Your password is changed. Sign in with it now."))
            return redirect("accounts:login")
    status = 400 if request.method == "POST" else 200
    return _no_referrer(render(request, "accounts/password_reset_confirm.html",
                               {"form": form}, status=status))
