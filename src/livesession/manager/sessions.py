"""Manager pages for the sessions of an event (issue 3 §10)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from livesession.audit.services import record
from livesession.core.tenancy import membership_or_404, owned_or_404, require
from livesession.events.models import Event, Session
from livesession.registrations import sessions as service
from livesession.registrations.models import SeatStatus, SessionSeat

LOCAL_INPUT = "%Y-%m-%dT%H:%M"


class SessionForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    starts_at = forms.DateTimeField(
        label=gettext_lazy("Start"), input_formats=[LOCAL_INPUT],
        help_text=gettext_lazy("Date and time in the event's time zone."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_INPUT))
    ends_at = forms.DateTimeField(
        label=gettext_lazy("End"), input_formats=[LOCAL_INPUT],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_INPUT))
    capacity = forms.IntegerField(label=gettext_lazy("Capacity"), required=False, min_value=1,
                                  help_text=gettext_lazy("Empty: no limit."))
    room_url = forms.URLField(label=gettext_lazy("Room URL"), required=False,
                              assume_scheme="https",
                              help_text=gettext_lazy("Empty: the event's room."))

    def __init__(self, event: Event, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.zone = zoneinfo.ZoneInfo(event.time_zone)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("starts_at", "ends_at"):
            value = data.get(name)
            if isinstance(value, dt.datetime):
                data[name] = value.replace(tzinfo=None).replace(tzinfo=self.zone)
        return data


def _event(request: HttpRequest, client_slug: str, event_id: str) -> tuple[Any, Event]:
    membership = membership_or_404(request.user, client_slug)
    return membership, owned_or_404(Event, membership.client, pk=event_id)


def _actor(request: HttpRequest) -> str:
    return f"account:{request.user.pk}"


def _apply_errors(form: forms.Form, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@login_required
@require_http_methods(["GET", "POST"])
def session_list(request: HttpRequest, client_slug: str, event_id: str) -> HttpResponse:
    membership, event = _event(request, client_slug, event_id)
    # An editing page, like the questions editor: viewers see sessions on the event page.
    require(membership, "manage_events")
    form = SessionForm(event, request.POST or None)
    if request.method == "POST":
        if "session_mode" in request.POST:
            mode = request.POST["session_mode"]
            if mode in {"series", "choose"}:
                event.session_mode = mode
                event.save(update_fields=["session_mode"])
                record(_actor(request), "event.session_mode_set", target=f"event:{event.pk}",
                       client_id=event.client_id, details={"mode": mode})
                messages.success(request, _("Saved."))
            return redirect("manager:sessions", client_slug=client_slug, event_id=event.pk)
        if form.is_valid():
            try:
                service.add_session(event, actor=_actor(request), **form.cleaned_data)
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("Session added."))
                return redirect("manager:sessions", client_slug=client_slug,
                                event_id=event.pk)
    rows = []
    for session in service.sessions_of(event):
        counts = {s: SessionSeat.objects.filter(session=session, status=s).count()
                  for s in (SeatStatus.CONFIRMED, SeatStatus.WAITLISTED)}
        rows.append({"session": session, "confirmed": counts[SeatStatus.CONFIRMED],
                     "waitlisted": counts[SeatStatus.WAITLISTED]})
    status = 400 if request.method == "POST" and form.errors else 200
    return render(request, "manager/sessions.html", {
        "m": membership, "event": event, "rows": rows, "form": form,
        "can_edit": membership.can("manage_events")}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def session_edit(request: HttpRequest, client_slug: str, event_id: str,
                 session_id: int) -> HttpResponse:
    membership, event = _event(request, client_slug, event_id)
    session = Session.objects.filter(event=event, pk=session_id).first()
    if session is None:
        raise Http404
    require(membership, "manage_events")
    zone = zoneinfo.ZoneInfo(event.time_zone)
    initial = {"title": session.title, "capacity": session.capacity,
               "room_url": session.room_url,
               "starts_at": session.starts_at.astimezone(zone).replace(tzinfo=None),
               "ends_at": session.ends_at.astimezone(zone).replace(tzinfo=None)}
    form = SessionForm(event, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            service.update_session(session, actor=_actor(request), **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("manager:sessions", client_slug=client_slug, event_id=event.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "manager/session_form.html",
                  {"m": membership, "event": event, "session": session, "form": form},
                  status=status)


@login_required
@require_POST
def session_remove(request: HttpRequest, client_slug: str, event_id: str,
                   session_id: int) -> HttpResponse:
    membership, event = _event(request, client_slug, event_id)
    session = Session.objects.filter(event=event, pk=session_id).first()
    if session is None:
        raise Http404
    require(membership, "manage_events")
    service.remove_session(session, actor=_actor(request))
    messages.success(request, _("Session removed."))
    return redirect("manager:sessions", client_slug=client_slug, event_id=event.pk)
