"""Sign in and out. Sign-up is by invitation (console, CLI) in this version."""

from __future__ import annotations

from django import forms
from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from livesession.core.ratelimit import hit


class LoginForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Email"),
                             widget=forms.EmailInput(attrs={"autocomplete": "username"}))
    password = forms.CharField(label=gettext_lazy("Password"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete":
                                                                 "current-password"}))


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
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
                login(request, user)
                target = request.GET.get("next", "")
                if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
                    target = ""
                default = "console:home" if getattr(user, "is_operator", False) else "manager:home"
                return redirect(target or default)
            form.add_error(None, _("Email or password is wrong. Check both and try again."))
            status = 400
        else:
            status = 400
    return render(request, "accounts/login.html", {"form": form}, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("portal:home")
