"""Participant pages: event page and registration, personal link, privacy notice."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from livesession.access import services as access
from livesession.accounts.services import link_registration, profile_for_prefill
from livesession.analytics import sources as analytics_sources
from livesession.core import pow as proof_of_work
from livesession.core import ratelimit
from livesession.core.referrer import keep_on_site
from livesession.events.models import Event, EventStatus, Session
from livesession.portal import bots, privacy_views
from livesession.portal.forms import (
    HONEYPOT,
    POW_CHALLENGE,
    POW_SOLUTION,
    STAMP,
    RegistrationForm,
)
from livesession.privacy import services as consents
from livesession.registrations import services as registrations
from livesession.registrations import sessions
from livesession.registrations.formspec import fields_for
from livesession.registrations.models import Registration
from livesession.registrations.models import RegistrationStatus as S


@require_GET
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
    purposes = consents.purposes_for(event.client)
    form = RegistrationForm(event, purposes, request.POST or None,
                            initial=_prefill(request, event))
    status = 200
    if request.method == "POST":
        status = _submit(request, event, form)
        if status == 200:
            return redirect("portal:registered", event_id=event.pk)
    # The form stamp counts from the first showing of the page; the challenge is new.
    stamp = form.guard(STAMP)
    if not bots.valid_stamp(stamp, event.pk):
        stamp = bots.issue_stamp(event.pk)
    challenge = proof_of_work.issue() if proof_of_work.enabled() else None
    form.set_guard(stamp=stamp, challenge=challenge.value if challenge else "")
    response = render(request, "portal/event.html", {
        "event": event, "form": form, "notice": consents.current_notice(),
        "full": event.capacity is not None and event.seats_left == 0, "pow": challenge,
    }, status=status)
    if status == 429:
        response["Retry-After"] = str(getattr(form, "retry_after", 60))
    return response


def _submit(request: HttpRequest, event: Event, form: RegistrationForm) -> int:
    """Register from the form; the HTTP status of the answer (200: done)."""
    limited = ratelimit.registration(request, event.pk)
    if limited:
        form.retry_after = limited.retry_after  # type: ignore[attr-defined]
        if limited.bucket == "register_event":
            form.add_error(None, _("Many people are registering to this event right now. "
                                   "Wait a minute, then send the form again."))
        else:
            form.add_error(None, _("Too many attempts from your connection. Wait a minute, "
                                   "then send the form again."))
        return 429
    if not event.accepts_registrations:
        return 409
    if bots.honeypot_filled(form.guard(HONEYPOT)):
        return 200  # answered like a registration; nothing is stored (issue 3 §8)
    problem = bots.stamp_problem(form.guard(STAMP), event.pk)
    message = bots.MESSAGES[problem] if problem else None
    if message is None and proof_of_work.enabled():
        refused = proof_of_work.verify(form.guard(POW_CHALLENGE), form.guard(POW_SOLUTION))
        message = proof_of_work.MESSAGES[refused] if refused else None
    if message is not None:
        # Refused by a bot check: say what is wrong with the answers first, if anything.
        try:
            registrations.clean_registration(event, form.submission())
        except ValidationError as exc:
            form.add_service_errors(exc.message_dict)
            return 400
        form.add_error(None, message)
        return 400
    try:
        made = registrations.register(event, form.submission(),
                                      language=translation.get_language() or "fr")
    except registrations.AlreadyRegistered as exc:
        # Same page as a new registration: nobody learns who is registered; the address
        # receives its current state and link instead (issue 3 §6).
        registrations.send_link_again(exc.registration)
    except registrations.RegistrationClosed:
        return 409
    except registrations.EventFull:
        form.add_error(None, _("The event is full and has no waiting list. Your answers "
                               "were not stored."))
        return 409
    except ValidationError as exc:
        form.add_service_errors(exc.message_dict)
        return 400
    else:
        # Where the registration came from (issue 7 §7): the form's hidden source fields.
        analytics_sources.capture(made.registration, request.POST)
        user = request.user
        if user.is_authenticated and not getattr(user, "is_operator", False):
            # A verified account holding this address gets the registration in its
            # personal space (P0.2, issue 3 §9); others claim it once verified.
            link_registration(user, made.registration)
    return 200


def _prefill(request: HttpRequest, event: Event) -> dict[str, str]:
    """A signed-in participant's profile fills the fields this form collects and that
    the participant shares with this organizer (issue 3 §9)."""
    user = request.user
    if not user.is_authenticated or getattr(user, "is_operator", False):
        return {}
    enabled = [spec.key for spec in fields_for(event) if not spec.custom]
    return profile_for_prefill(user, event.client, enabled)


@require_GET
def registered(request: HttpRequest, event_id: str) -> HttpResponse:
    try:
        event = _public_event(event_id)
    except NotPublished as exc:
        raise Http404 from exc
    return render(request, "portal/registered.html", {"event": event})


def _registration_or_404(token: str) -> Registration:
    registration = access.resolve(token)
    if registration is None:
        raise Http404
    return registration


def status_page(request: HttpRequest, registration: Registration, session: Session | None,
                state: str, token: str) -> HttpResponse:
    """The personal link's page when it does not open the room (portal/room.py decides):
    the registration's state, the waiting page with its countdown, or the end page with
    the replays (issue 4 §2, §6)."""
    event = registration.event
    target: Event | Session = session or event
    return keep_on_site(render(request, "portal/join.html", {
        "event": event, "state": state, "r": registration, "token": token,
        "target": target, "seats": sessions.seats_by_session(registration),
        "given": [p for p in consents.purposes_for(event.client)
                  if consents.current_consents(registration.client_id,
                                               registration.subject_id).get(p.key)],
        "position": registrations.waitlist_position(registration),
        "can_cancel": registration.status in {S.CONFIRMED, S.WAITLISTED, S.PENDING_APPROVAL,
                                              S.PENDING_CONFIRMATION} and state != "ended",
        "replays": access.replays_for(registration),
    }))


@never_cache
@require_POST
def withdraw(request: HttpRequest, token: str) -> HttpResponse:
    """Withdraw a consent from the personal link; it takes effect at once (P1.3, P7.5)."""
    registration = _registration_or_404(token)
    consents.withdraw(client_id=registration.client_id, subject=registration.subject,
                      purpose_key=request.POST.get("purpose", ""),
                      language=translation.get_language() or "fr", channel="web",
                      actor="participant")
    return redirect("portal:join", token=token)


@never_cache
@require_POST
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """Double opt-in: the person proves the address by opening the link and confirming."""
    registration = _registration_or_404(token)
    registrations.confirm_email(registration)
    return redirect("portal:join", token=token)


@never_cache
@require_http_methods(["GET", "POST"])
def cancel(request: HttpRequest, token: str) -> HttpResponse:
    registration = _registration_or_404(token)
    if request.method == "POST":
        registrations.cancel(registration, actor="participant", by_participant=True)
        return redirect("portal:join", token=token)
    return keep_on_site(render(request, "portal/cancel.html",
                           {"r": registration, "event": registration.event, "token": token}))


def privacy(request: HttpRequest) -> HttpResponse:
    """The privacy notice in force, generated from the personal-data registry (P0.3, P3.2,
    P4.5); its versions are in ``privacy_views``."""
    return privacy_views.current(request)
