"""Participant pages: event page and registration, personal link, privacy notice."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from livesession.access import services as access
from livesession.core.ratelimit import hit
from livesession.events.models import Event, EventStatus
from livesession.portal.forms import RegistrationForm
from livesession.protection.registry import register_of_processing
from livesession.registrations import services as registrations


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html")


class NotPublished(Exception):
    pass


def _public_event(event_id: str) -> Event:
    event = Event.objects.select_related("client").filter(pk=event_id).first()
    if event is None or not event.client.is_active:
        raise Http404
    if event.status == EventStatus.DRAFT:
        raise NotPublished
    return event


@require_http_methods(["GET", "POST"])
def event_page(request: HttpRequest, event_id: str) -> HttpResponse:
    try:
        event = _public_event(event_id)
    except NotPublished:
        # Says so, with nothing of the draft (title, client) and a 404 status.
        return render(request, "portal/unpublished.html", status=404)
    form = RegistrationForm(request.POST or None)
    if request.method == "GET":
        return render(request, "portal/event.html", {"event": event, "form": form})
    status = _submit(request, event, form)
    if status == 200:
        return redirect("portal:registered", event_id=event.pk)
    return render(request, "portal/event.html", {"event": event, "form": form}, status=status)


def _submit(request: HttpRequest, event: Event, form: RegistrationForm) -> int:
    """Register from the form; the HTTP status of the answer (200: done)."""
    if hit("register", request):
        form.add_error(None, _("Too many attempts from your connection. Wait a minute, "
                               "then send the form again."))
        return 429
    if not event.accepts_registrations:
        return 409
    if not form.is_valid():
        return 400
    data = form.cleaned_data
    try:
        registrations.register(
            event, email=data["email"], first_name=data["first_name"],
            last_name=data["last_name"], language=translation.get_language() or "fr",
        )
    except registrations.AlreadyRegistered as exc:
        # Same page as a new registration: nobody learns who is registered.
        registrations.send_link_again(exc.registration)
    except registrations.RegistrationClosed:
        return 409
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return 400
    return 200


def registered(request: HttpRequest, event_id: str) -> HttpResponse:
    try:
        event = _public_event(event_id)
    except NotPublished as exc:
        raise Http404 from exc
    return render(request, "portal/registered.html", {"event": event})


@never_cache
def join(request: HttpRequest, token: str) -> HttpResponse:
    """The personal link: waiting page, then the room, then the end page."""
    registration = access.resolve(token)
    if registration is None:
        raise Http404
    event = registration.event
    state = event.access_state()
    if state == "open":
        access.record_join(registration)
        return HttpResponseRedirect(event.room_url)
    response = render(request, "portal/join.html", {"event": event, "state": state})
    # The token is in the URL: never leak it to another site in a Referer header.
    response["Referrer-Policy"] = "no-referrer"
    return response


def privacy(request: HttpRequest) -> HttpResponse:
    """The privacy notice, generated from the personal-data registry (P0.3, P3.2, P4.5)."""
    return render(request, "portal/privacy.html", {"rows": register_of_processing(),
                                                    "site": settings.SITE_URL})
