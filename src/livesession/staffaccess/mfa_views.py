"""The second-factor pages: set up (a QR code of the otpauth URI, the secret written out
for manual entry, first code,
recovery codes shown once), prove it in this session, renew recovery codes, turn off; and
the sign-in code step that ``accounts.views.login_view`` hands over to (S-02)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from livesession.accounts import mfa
from livesession.accounts.models import User
from livesession.core import clock
from livesession.staffaccess import mfa_services as svc
from livesession.staffaccess import qr

PENDING_SECONDS = 300


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"), max_length=20,
        help_text=gettext_lazy("The 6 digits your authenticator app shows, or one of your "
                               "recovery codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code",
                                      "inputmode": "text", "autofocus": True}))


def _too_many(form: forms.Form, exc: svc.TooManyAttempts) -> None:
    form.add_error("code", ngettext(
        "Too many codes tried. Wait %(s)d second, then try again.",
        "Too many codes tried. Wait %(s)d seconds, then try again.", exc.retry_after)
        % {"s": exc.retry_after})


def setup_page(request: HttpRequest, *, base_template: str, done_url: str,
               extra: dict[str, Any] | None = None) -> HttpResponse:
    """The one page of an account's second factor, for the console and the Manager.
    POST ``action``: start, confirm, verify, recovery, disable."""
    user: User = request.user  # type: ignore[assignment]
    context: dict[str, Any] = {"base_template": base_template, **(extra or {})}
    device = svc.device_of(user)
    form = CodeForm(request.POST or None)
    status = 200
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if action == "start":
        try:
            device = svc.start_enrollment(user)
        except ValidationError as exc:
            context["error"] = " ".join(exc.messages)
            status = 400
        form = CodeForm()
    elif action in {"confirm", "verify"} and form.is_valid():
        code = form.cleaned_data["code"]
        try:
            if action == "confirm":
                context["recovery_codes"] = svc.confirm_enrollment(user, code)
                mfa.mark_verified(request.session, user)
                device = svc.device_of(user)
            elif svc.check_code(user, code):
                mfa.mark_verified(request.session, user)
                return redirect(done_url)
            else:
                form.add_error("code", _("This code is not right, or was already used. Type "
                                         "the code your app shows now."))
        except svc.TooManyAttempts as exc:
            _too_many(form, exc)
        except ValidationError as exc:
            form.add_error("code", exc.messages)
        if form.errors:
            status = 400
    elif action in {"confirm", "verify"}:
        status = 400
    elif action == "recovery" and svc.is_satisfied(request):
        context["recovery_codes"] = svc.new_recovery_codes(user)
    elif action == "disable" and svc.is_satisfied(request):
        try:
            svc.disable(user)
        except ValidationError as exc:
            context["error"] = " ".join(exc.messages)
            status = 400
        else:
            request.session.pop(mfa.SESSION_KEY, None)
            device = None
    elif action:
        status = 400
        context["error"] = _("Prove your second factor in this session first.")
    confirmed = device is not None and device.confirmed_at is not None
    pending = device if device is not None and not confirmed else None
    uri = svc.otpauth_uri(pending) if pending is not None else ""
    context.update({
        "form": form, "device": device, "confirmed": confirmed,
        "verified": confirmed and mfa.session_verified(request),
        "secret": pending.secret if pending is not None else "",
        "secret_groups": qr.groups(pending.secret) if pending is not None else [],
        "uri": uri,
        "qr_svg": qr.svg(uri, _("QR code to scan with your authenticator app")) if uri else "",
        "left": svc.recovery_codes_left(user) if confirmed else 0,
        "done_url": done_url,
    })
    response = render(request, "accounts/mfa.html", context, status=status)
    # The secret and the recovery codes are on this page: no copy in any cache, and the
    # back button after signing out shows nothing.
    add_never_cache_headers(response)
    return response


# --- Sign-in: the code step -------------------------------------------------------------

def begin_sign_in(request: HttpRequest, user: User, target: str) -> HttpResponse | None:
    """After a right password: None when the account has no second factor (sign in as
    before); else remember who is half signed in and ask for the code."""
    if not svc.has_mfa(user):
        return None
    request.session[mfa.PENDING_KEY] = {
        "user": user.pk, "target": target, "at": clock.now().timestamp(),
        "backend": getattr(user, "backend", "") or settings.AUTHENTICATION_BACKENDS[0]}
    return render(request, "accounts/mfa_login.html", {"form": CodeForm()})


def code_step(request: HttpRequest) -> HttpResponse | None:
    """The POST of the code form on the sign-in page, or None when it is not one."""
    if request.method != "POST" or request.POST.get("step") != "code":
        return None
    pending = request.session.get(mfa.PENDING_KEY) or {}
    form = CodeForm(request.POST)
    expired = not pending or clock.now().timestamp() - float(pending["at"]) > PENDING_SECONDS
    user = None if expired else User.objects.filter(pk=pending["user"], is_active=True).first()
    if user is None:
        request.session.pop(mfa.PENDING_KEY, None)
        return redirect("accounts:login")
    if form.is_valid():
        try:
            ok = svc.check_code(user, form.cleaned_data["code"])
        except svc.TooManyAttempts as exc:
            _too_many(form, exc)
            return render(request, "accounts/mfa_login.html", {"form": form}, status=429)
        if ok:
            request.session.pop(mfa.PENDING_KEY, None)
            login(request, user, backend=pending["backend"])
            mfa.mark_verified(request.session, user)
            return redirect(pending["target"])
        form.add_error("code", _("This code is not right, or was already used. Type the code "
                                 "your app shows now, or a recovery code."))
    return render(request, "accounts/mfa_login.html", {"form": form}, status=400)
