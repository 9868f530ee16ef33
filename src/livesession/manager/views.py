"""The Manager: the client's back office. Every view takes the client from the URL through
``membership_or_404``: another client's objects answer 404 (P6.1)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from livesession.api import services as api_tokens
from livesession.api.models import ApiToken
from livesession.core.models import Membership
from livesession.core.tenancy import membership_or_404, owned_or_404, require
from livesession.events import services as events
from livesession.events.models import Event
from livesession.manager.forms import EventForm, TokenForm
from livesession.protection import keystore
from livesession.registrations.models import Registration


def _actor(request: HttpRequest) -> str:
    return f"account:{request.user.pk}"


def _event(membership: Membership, event_id: str) -> Event:
    return owned_or_404(Event, membership.client, pk=event_id)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    if getattr(request.user, "is_operator", False):
        return redirect("console:home")
    memberships = list(Membership.objects.select_related("client")
                       .filter(user_id=int(request.user.pk or 0), client__is_active=True))
    if len(memberships) == 1:
        return redirect("manager:events", client_slug=memberships[0].client.slug)
    return render(request, "manager/home.html", {"memberships": memberships})


@login_required
def event_list(request: HttpRequest, client_slug: str) -> HttpResponse:
    membership = membership_or_404(request.user, client_slug)
    rows = Event.objects.filter(client=membership.client).order_by("-starts_at")
    return render(request, "manager/events.html", {"m": membership, "events": rows})


@login_required
@require_http_methods(["GET", "POST"])
def event_create(request: HttpRequest, client_slug: str) -> HttpResponse:
    membership = membership_or_404(request.user, client_slug)
    require(membership, "manage_events")
    form = EventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            event = events.create_event(membership.client, actor=_actor(request),
                                        created_by_id=request.user.pk, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Event created. Publish it to open registrations."))
            return redirect("manager:event", client_slug=client_slug, event_id=event.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "manager/event_form.html", {"m": membership, "form": form},
                  status=status)


@login_required
@require_http_methods(["GET", "POST"])
def event_edit(request: HttpRequest, client_slug: str, event_id: str) -> HttpResponse:
    membership = membership_or_404(request.user, client_slug)
    event = _event(membership, event_id)
    require(membership, "manage_events")
    form = EventForm(request.POST) if request.method == "POST" else EventForm.for_event(event)
    if request.method == "POST" and form.is_valid():
        try:
            events.update_event(event, actor=_actor(request), **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("manager:event", client_slug=client_slug, event_id=event.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "manager/event_form.html",
                  {"m": membership, "form": form, "event": event}, status=status)


@login_required
def event_detail(request: HttpRequest, client_slug: str, event_id: str) -> HttpResponse:
    membership = membership_or_404(request.user, client_slug)
    event = _event(membership, event_id)
    # The latest few; the registrants pages search, filter and page through all of them.
    rows = list(Registration.objects.filter(client=membership.client, event=event)
                .order_by("-created_at")[:10])
    with keystore.unit_of_work():
        keystore.preload(r.subject_id for r in rows)
        people = [{"email": r.email, "first_name": r.first_name, "last_name": r.last_name,
                   "created_at": r.created_at, "status": r.get_status_display()} for r in rows]
    total = Registration.objects.filter(client=membership.client, event=event).count()
    return render(request, "manager/event.html", {
        "m": membership, "event": event, "people": people, "total": total,
        "can_edit": membership.can("manage_events"),
    })


@login_required
@require_POST
def event_publish(request: HttpRequest, client_slug: str, event_id: str) -> HttpResponse:
    membership = membership_or_404(request.user, client_slug)
    event = _event(membership, event_id)
    require(membership, "manage_events")
    events.publish_event(event, actor=_actor(request))
    messages.success(request, _("Event published: its page accepts registrations."))
    return redirect("manager:event", client_slug=client_slug, event_id=event.pk)


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest, client_slug: str) -> HttpResponse:
    membership = membership_or_404(request.user, client_slug)
    require(membership, "manage_tokens")
    form = TokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        secret = api_tokens.create_token(membership.client, form.cleaned_data["name"],
                                         actor=_actor(request),
                                         created_by_id=request.user.pk).secret
        form = TokenForm()
    rows = ApiToken.objects.filter(client=membership.client)
    return render(request, "manager/tokens.html",
                  {"m": membership, "form": form, "tokens": rows, "secret": secret})


@login_required
@require_POST
def token_revoke(request: HttpRequest, client_slug: str, token_id: int) -> HttpResponse:
    membership = membership_or_404(request.user, client_slug)
    # The object first: another client's token is a 404 for every role, never a 403 (P6.1).
    token = ApiToken.objects.filter(client=membership.client, pk=token_id).first()
    if token is None:
        raise Http404
    require(membership, "manage_tokens")
    api_tokens.revoke_token(token, actor=_actor(request))
    messages.success(request, _("Token revoked: it no longer opens the API."))
    return redirect("manager:tokens", client_slug=client_slug)
