"""The personal space (/me/): the participant's registrations, profile and sharing choices per
organizer (P1.5, P4.1). Sessions and "this was not me" are in ``security_views``.

Every view reads the account from the session only: there is no id in these URLs, so no
other person's data can be asked for. Anonymous visitors are sent to sign in.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from livesession.access import reports as attendance_reports
from livesession.access import services as access
from livesession.accounts import services
from livesession.accounts.forms import ProfileForm, SharingForm
from livesession.accounts.models import PROFILE_FIELDS, User
from livesession.protection import keystore


def _me(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):  # login_required ran; User is the only user model
        raise PermissionDenied
    return user


def _context(user: User, **extra: Any) -> dict[str, Any]:
    return {"account": user, **extra}


@never_cache
@login_required
def space(request: HttpRequest) -> HttpResponse:
    """The participant's registrations, each with its event, organizer and personal link."""
    user = _me(request)
    rows = []
    with keystore.unit_of_work():
        links = services.registrations_of(user)
        keystore.preload(link.registration.subject_id for link in links)
        for link in links:
            registration = link.registration
            token = access.current_token(registration)
            rows.append({"registration": registration, "event": registration.event,
                         "client": registration.client,
                         "start": registration.event.local_start(),
                         "link": access.link_url(token) if token else "",
                         # Their own attendance (issue 4 §4): sessions, first access, and
                         # minutes where the embedded room measured them.
                         "attendance": attendance_reports.of_registration(registration)})
    return render(request, "accounts/space.html", _context(user, rows=rows))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    """Rectification by the participant (P1.5, P4.1)."""
    user = _me(request)
    initial = {name: getattr(user, name) for name in PROFILE_FIELDS}
    form = ProfileForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.update_profile(user, **{name: form.cleaned_data.get(name, "")
                                                 for name in PROFILE_FIELDS})
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("Your profile is saved."))
                return redirect("accounts:profile")
    return render(request, "accounts/profile.html", _context(user, form=form), status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def sharing(request: HttpRequest) -> HttpResponse:
    """Per organizer the participant has registrations with: the profile fields that may
    prefill its forms (P0.2)."""
    user = _me(request)
    clients = services.organizers_of(user)
    initial = {f"client_{c.pk}": services.shared_fields(user, c) for c in clients}
    form = SharingForm(request.POST or None, clients=clients, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            for client, fields in form.chosen():
                services.set_sharing(user, client, fields)
            messages.success(request, _("Your sharing choices are saved."))
            return redirect("accounts:sharing")
        return render(request, "accounts/sharing.html", _context(user, form=form), status=400)
    return render(request, "accounts/sharing.html", _context(user, form=form))


@login_required
@require_POST
def resend_verification(request: HttpRequest) -> HttpResponse:
    user = _me(request)
    if services.send_verification(user):
        messages.success(request, _("We sent the link again. Check your inbox."))
    else:
        messages.info(request, _("Your address is already confirmed, or a link was sent "
                                 "several times this hour. Check your inbox."))
    return redirect("accounts:space")
