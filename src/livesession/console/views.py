"""The operator console. Only operator staff get in; anyone else gets a 404. Staff first
prove their second factor (S-02), then acknowledge the confidentiality rules (P3.5);
client data is shown only under a staff access grant (staffaccess, P3.4)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from livesession.accounts.models import User
from livesession.audit.services import record
from livesession.core import services as tenancy
from livesession.core.clock import now
from livesession.core.models import Client
from livesession.core.paging import page_of
from livesession.core.views import worker_state
from livesession.messaging.models import OutboxMessage, OutboxStatus
from livesession.staffaccess import mfa_services


def operator_only(view: Callable[..., HttpResponse], *, needs_ack: bool = True,
                  needs_mfa: bool = True) -> Callable[..., HttpResponse]:
    @login_required
    @wraps(view)
    def inner(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not getattr(request.user, "is_operator", False):
            raise Http404
        # A second factor, set up and proved in this session, before anything (S-02).
        if needs_mfa and not mfa_services.is_satisfied(request):
            return redirect("console:mfa")
        if needs_ack and request.user.confidentiality_ack_at is None:  # type: ignore[union-attr]
            return redirect("console:ack")
        return view(request, *args, **kwargs)

    return inner


class ClientForm(forms.Form):
    name = forms.CharField(label=_("Client name"), max_length=200)
    slug = forms.SlugField(label=_("Short name"), max_length=60, required=False,
                           help_text=_("Used in addresses; made from the name when empty."))
    owner_email = forms.EmailField(label=_("First owner's email"))


def acknowledge(request: HttpRequest) -> HttpResponse:
    if request.method == "POST" and request.POST.get("ack") == "yes":
        user = request.user
        User.objects.filter(pk=int(user.pk or 0)).update(confidentiality_ack_at=now())
        record(f"account:{user.pk}", "operator.confidentiality_acknowledged",
               target=f"account:{user.pk}")
        return redirect("console:home")
    return render(request, "console/ack.html")


acknowledge_view = operator_only(require_http_methods(["GET", "POST"])(acknowledge),
                                 needs_ack=False)


@operator_only
@require_http_methods(["GET", "POST"])
def home(request: HttpRequest) -> HttpResponse:
    form = ClientForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            created = tenancy.create_client(
                form.cleaned_data["name"], form.cleaned_data["owner_email"],
                slug=form.cleaned_data["slug"], actor=f"account:{request.user.pk}",
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form = ClientForm()
    clients = Client.objects.annotate(n_events=Count("events")).order_by("name", "pk")
    worker, last_beat = worker_state()
    return render(request, "console/home.html", {
        **page_of(request, clients),
        "form": form, "created": created, "worker": worker,
        "last_beat": last_beat,
    }, status=400 if request.method == "POST" and form.errors else 200)


@operator_only
def outbox(request: HttpRequest) -> HttpResponse:
    """Every message, newest first, 50 a page; kinds and statuses in words."""
    rows = (OutboxMessage.objects.select_related("client").order_by("-id")
            .only("kind", "status", "attempts", "created_at", "sent_at", "last_error",
                  "client__name"))
    counts = dict(OutboxMessage.objects.values_list("status").annotate(n=Count("id")))
    return render(request, "console/outbox.html", {
        **page_of(request, rows),
        "counts": [(label, counts.get(value, 0)) for value, label in OutboxStatus.choices],
    })
