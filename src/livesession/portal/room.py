"""The personal link at work (issue 4 §1, §2, §4, §5, §6): the join path, the embedded room
and its heartbeat, replays, and "have my link resent".

The join path is lean on purpose (§5): when the room is open and the provider answers
with a redirect, the answer costs one query to resolve the link (with its registration,
event, and whether the event has sessions), one more for the session of a series, one
upsert of the attendance and one of the device; no template, no Django session read or
written (``request.user`` is never touched here), and no cookie but the device's.

A person whose processing is restricted (GDPR art. 18, R-10) gets, instead of the room or
the replay, a page that says so and how to lift it (``restricted_link``); the heartbeat
answers "closed". The subject is read with the link, so the join path costs no query more.
"""

from __future__ import annotations

import logging
from typing import Any

from django import forms
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from livesession.access import attendance, providers
from livesession.access import services as access
from livesession.core import ratelimit
from livesession.core.referrer import keep_on_site
from livesession.core.sessions import sessionless
from livesession.events.models import Event, Session
from livesession.portal import device as devices
from livesession.portal.views import status_page
from livesession.protection import restriction
from livesession.protection.crypto import blind_index, normalize_email
from livesession.registrations.models import Registration
from livesession.registrations.models import RegistrationStatus as S

log = logging.getLogger(__name__)


def unknown_link(request: HttpRequest) -> HttpResponse:
    """Malformed, unknown or revoked: one 404 page for all three, with the way to have the
    current link sent again (issue 4, Bad input)."""
    return keep_on_site(render(request, "portal/link_unknown.html", status=404))


def restricted_link(request: HttpRequest, registration: Registration) -> HttpResponse:
    """The restriction page: the registration is kept, nothing else happens through the
    link (no room, no attendance, no replay) until the person lifts the restriction."""
    event = registration.event
    return keep_on_site(render(request, "portal/link_restricted.html", {
        "event": event, "organizer": event.client.name}, status=403))


def _restricted(registration: Registration) -> bool:
    return registration.subject.restricted_at is not None


def _where(registration: Registration) -> tuple[Session | None, str]:
    """The session the link leads to (None without sessions, or once all are over) and
    the access state: "before", "open" or "ended"."""
    if getattr(registration, "event_has_sessions", True):
        session = access.join_session(registration)
        return session, session.access_state() if session else "ended"
    return None, registration.event.access_state()


@never_cache
@require_GET
def join(request: HttpRequest, token: str) -> HttpResponse:
    """The personal link: the registration's state; once confirmed, the waiting page,
    then the room, then the end page with the replay."""
    registration = access.resolve_for_join(token)
    if registration is None:
        return unknown_link(request)
    if _restricted(registration):
        return restricted_link(request, registration)
    session, state = _where(registration)
    if registration.status == S.CONFIRMED and state == "open":
        return _enter(request, registration, session, token)
    return status_page(request, registration, session, state, token)


def _enter(request: HttpRequest, registration: Registration, session: Session | None,
           token: str) -> HttpResponse:
    event = registration.event
    target: Event | Session = session or event
    try:
        entry = providers.enter(target, registration)
        if not entry.url:
            raise providers.RoomUnavailable("no room URL")
    except providers.RoomUnavailable as exc:
        # The cause is the organizer's to see (Manager); the participant gets a plain page.
        log.warning("room unavailable: event=%s session=%s cause=%s", event.pk,
                    session.pk if session else "-", exc)
        return keep_on_site(render(request, "portal/room_unavailable.html",
                              {"event": event, "target": target}, status=503))
    device, fresh = devices.identify(request)
    seen = access.record_join(registration, session.pk if session else None, device=device,
                              one_device_only=event.one_device_only)
    response: HttpResponse
    if seen.refused:
        response = render(request, "portal/other_device.html",
                          {"event": event, "token": token,
                           "minutes": attendance.ACTIVE_SECONDS // 60}, status=409)
    elif entry.kind == "redirect":
        sessionless(request)
        response = HttpResponseRedirect(entry.url)
    else:
        response = render(request, "portal/room.html", {
            "event": event, "target": target, "url": entry.url, "token": token,
            "interval": attendance.HEARTBEAT_SECONDS})
    # On the redirect to the room's provider this policy governs the next request: another
    # origin, so it carries no Referer at all.
    return keep_on_site(devices.remember(request, response, fresh))


@never_cache
@require_POST
def heartbeat(request: HttpRequest, token: str) -> HttpResponse:
    """Presence on the embedded page (POST every ``HEARTBEAT_SECONDS``, CSRF token of the
    page in the X-CSRFToken header). The answer is JSON with a status: "ok" (counted),
    "other_device" (one device only, and another device has the link: the page stops),
    "closed" (the room is not open: the page reloads to show the end), "absent" (no access
    recorded) or "no_device" (no device cookie). An unknown link answers 404."""
    registration = access.resolve_for_join(token)
    if registration is None:
        return JsonResponse({"status": "unknown"}, status=404)
    device = devices.known(request)
    if not device:
        return JsonResponse({"status": "no_device"})
    session, state = _where(registration)
    if registration.status != S.CONFIRMED or state != "open" or _restricted(registration):
        return JsonResponse({"status": "closed"})
    outcome = attendance.heartbeat(registration, session.pk if session else None, device,
                                   one_device_only=registration.event.one_device_only)
    return JsonResponse({"status": outcome})


@never_cache
@require_GET
def replay(request: HttpRequest, token: str, key: int = 0) -> HttpResponse:
    """The replay of the event (key 0) or of one session, through the same personal link
    (issue 4 §6): a redirect to it, or a page saying it has expired."""
    registration = access.resolve(token)
    if registration is None:
        return unknown_link(request)
    if restriction.is_restricted(registration.subject_id):
        return restricted_link(request, registration)
    found = access.replay_for(registration, key)
    if found is None:
        # Not (yet) published, or not one of this participant's sessions: a plain page.
        return keep_on_site(render(request, "portal/replay_missing.html",
                              {"event": registration.event, "token": token}))
    if found.expired:
        return keep_on_site(render(request, "portal/replay_expired.html",
                              {"event": registration.event, "token": token,
                               "replay": found}, status=410))
    return keep_on_site(HttpResponseRedirect(found.url))


class ResendForm(forms.Form):
    email = forms.EmailField(label=_("Email address"), max_length=254)
    event = forms.UUIDField(required=False, widget=forms.HiddenInput)


@never_cache
@require_http_methods(["GET", "POST"])
def resend(request: HttpRequest) -> HttpResponse:
    """Have the personal link sent again, to the registered address only. The answer is
    the same whether or not the address is registered (issue 4 §1)."""
    initial: dict[str, Any] = {}
    if request.method == "GET" and request.GET.get("event"):
        initial["event"] = request.GET["event"]
    form = ResendForm(request.POST or None, initial=initial)
    event = _event_named(form, initial)
    context = {"form": form, "event": event}
    if request.method == "GET":
        return render(request, "portal/resend.html", context)
    limited = ratelimit.check("link_resend", request)
    if limited:
        form.add_error(None, _("Too many requests from your connection. Wait a while, then "
                               "try again."))
        response = render(request, "portal/resend.html", context, status=429)
        response["Retry-After"] = str(limited.retry_after)
        return response
    if not form.is_valid():
        return render(request, "portal/resend.html", context, status=400)
    email = form.cleaned_data["email"]
    # Per address too: nobody fills someone's inbox from many connections. Over the
    # limit, nothing is sent, and the answer is still the same.
    if not ratelimit.attempt("link_resend_address",
                             blind_index(normalize_email(email), "resend")[:40]):
        access.resend_links(email, form.cleaned_data.get("event"))
    return render(request, "portal/resend_sent.html", context)


def _event_named(form: ResendForm, initial: dict[str, Any]) -> Event | None:
    """The published event the page was opened for, to name it (no private data)."""
    raw = form.data.get("event") if form.is_bound else initial.get("event")
    try:
        field = forms.UUIDField()
        event_id = field.clean(raw) if raw else None
    except forms.ValidationError:
        return None
    if event_id is None:
        return None
    return Event.objects.filter(pk=event_id, status="published",
                                client__is_active=True).first()
