"""Erasure from the personal space (issue 5 §5, P4.3): "Delete my data at this organizer"
and "Delete my account and everything".

Each asks for the password again (a wrong one counts towards the lock, as on the sign-in
page), then takes effect at once through ``protection.erasure``; deleting the account ends
every session and signs this one out. The organizer is chosen among the person's own (by
address and by linked registration): any other id answers 404. The receipt shows counts
per category, never a value.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib.auth import authenticate, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from livesession.accounts.forms import PasswordCheckForm
from livesession.accounts.models import User
from livesession.core.models import Client
from livesession.protection import erasure


def _me(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def _organizers(user: User) -> list[Client]:
    ids = {row.client_id for row in erasure.subjects_of_account(user) if row.client_id}
    return list(Client.objects.filter(pk__in=ids).order_by("name"))


def _organizer_or_404(user: User, raw: Any) -> Client:
    try:
        wanted = int(raw)
    except (TypeError, ValueError):
        raise Http404 from None
    for client in _organizers(user):
        if client.pk == wanted:
            return client
    raise Http404


def _password_ok(request: HttpRequest, user: User, form: PasswordCheckForm) -> bool:
    if not form.is_valid():
        return False
    checked = authenticate(request, email=user.email, password=form.cleaned_data["password"])
    if checked is not None and checked.pk == user.pk:
        return True
    form.add_error("password", _("This is not your password."))
    return False


def receipt_lines(receipt: erasure.Receipt) -> list[tuple[str, int]]:
    """Counts per category in words: rows per kind of record, keys, files, sessions."""
    named = {"keys": _("encryption keys destroyed"),
             "files": _("copies of emails deleted"),
             "sessions": _("signed-in sessions ended"),
             "subjects": _("identities erased")}
    lines = []
    for key, count in receipt.as_dict().items():
        if key in named:
            lines.append((str(named[key]), count))
        elif key.count(".") == 1:
            model = apps.get_model(key)
            # The kind of record, then its count ("inscription : 2"): Django's default
            # plural only appends an "s" to the whole name ("place dans une sessions").
            lines.append((str(model._meta.verbose_name), count))
        else:
            lines.append((_("values cleared"), count))
    return lines


@never_cache
@login_required
def erase(request: HttpRequest) -> HttpResponse:
    """The two choices: per organizer, or everything."""
    user = _me(request)
    return render(request, "accounts/erase.html",
                  {"account": user, "organizers": _organizers(user)})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def erase_organizer(request: HttpRequest) -> HttpResponse:
    """"Delete my data at this organizer": its registrations, answers, consents, attendance,
    links and messages go; the account and other organizers stay."""
    user = _me(request)
    chosen = request.POST.get("client") if request.method == "POST" else request.GET.get(
        "client")
    if not chosen:  # no organizer chosen: back to the list
        return redirect("accounts:erase")
    client = _organizer_or_404(user, chosen)
    form = PasswordCheckForm(request.POST or None)
    context = {"account": user, "client": client, "form": form}
    if request.method == "GET":
        return render(request, "accounts/erase_organizer.html", context)
    if not _password_ok(request, user, form):
        return render(request, "accounts/erase_organizer.html", context, status=400)
    receipt = erasure.erase_at_client(user, client.pk, actor=f"account:{user.pk}")
    return render(request, "accounts/erase_done.html",
                  {"account": user, "client": client, "lines": receipt_lines(receipt)})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def erase_everything(request: HttpRequest) -> HttpResponse:
    """"Delete my account and everything": the account, and every organizer's data about
    this address; every session ends and this one is signed out."""
    user = _me(request)
    form = PasswordCheckForm(request.POST or None)
    context = {"account": user, "form": form, "organizers": _organizers(user)}
    if request.method == "GET":
        return render(request, "accounts/erase_everything.html", context)
    if not _password_ok(request, user, form):
        return render(request, "accounts/erase_everything.html", context, status=400)
    receipt = erasure.erase_everywhere(user, actor=f"account:{user.pk}")
    logout(request)
    return render(request, "accounts/erase_done.html",
                  {"everything": True, "lines": receipt_lines(receipt)})
