"""Sign in and out, sign up, ask for a password reset (issue 3 point 9). The pages reached
by a mailed link (confirm the address, choose a new password) are in ``link_views``.

Pages that receive an address answer the same whether or not it has an account (reference
AUTH-5).
"""

from __future__ import annotations

from django.contrib.auth import authenticate, login, logout
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from livesession.accounts import services
from livesession.accounts.forms import EmailForm, LoginForm, SignUpForm
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
