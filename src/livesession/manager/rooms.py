"""Manager pages for rooms (issue 4 §3): the client's provider accounts (BigBlueButton
server, Jitsi domain and application), an event's room, a session's own room.

Secrets are write-only: the page says whether one is set, an empty field keeps it. Every
write goes through ``access.rooms`` (validation, audit); its field errors show next to the
fields they are about.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from livesession.access import providers, rooms
from livesession.core.models import Membership
from livesession.core.referrer import keep_on_site
from livesession.core.tenancy import membership_or_404, owned_or_404, require
from livesession.events.models import Event, RoomKind, Session

SECRET_WIDGET = forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"})


class RoomSettingsForm(forms.Form):
    bbb_url = forms.CharField(
        label=gettext_lazy("BigBlueButton server"), max_length=300, required=False,
        help_text=gettext_lazy("The address printed by bbb-conf --secret on the server, such "
                               "as https://bbb.example.org/bigbluebutton/."))
    bbb_secret = forms.CharField(
        label=gettext_lazy("BigBlueButton shared secret"), max_length=200, required=False,
        widget=SECRET_WIDGET, strip=True)
    jitsi_domain = forms.CharField(
        label=gettext_lazy("Jitsi server"), max_length=200, required=False,
        help_text=gettext_lazy("A domain name, such as meet.jit.si (the default)."))
    jitsi_app_id = forms.CharField(
        label=gettext_lazy("Jitsi JWT application id"), max_length=200, required=False,
        help_text=gettext_lazy("Only for a Jitsi server with token authentication; leave "
                               "empty otherwise."))
    jitsi_secret = forms.CharField(
        label=gettext_lazy("Jitsi JWT application secret"), max_length=200, required=False,
        widget=SECRET_WIDGET, strip=True)

    def __init__(self, *args: Any, has_bbb_secret: bool = False,
                 has_jitsi_secret: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, has in (("bbb_secret", has_bbb_secret), ("jitsi_secret", has_jitsi_secret)):
            self.fields[name].help_text = _status(has)


def _status(has: bool) -> str:
    if has:
        return _("Set. Leave empty to keep it; type a new one to replace it.")
    return _("Not set.")


class RoomForm(forms.Form):
    """An event's room, or a session's (with the extra choice "the event's room")."""

    room_kind = forms.ChoiceField(label=gettext_lazy("Provider"), widget=forms.RadioSelect)
    room_url = forms.CharField(
        label=gettext_lazy("Room or player address"), max_length=500, required=False,
        help_text=gettext_lazy("External link: the Zoom, Teams or other meeting address. "
                               "Embedded player: the https address of the stream or iframe."))
    jitsi_room = forms.CharField(
        label=gettext_lazy("Jitsi room name"), max_length=80, required=False,
        help_text=gettext_lazy("Letters, digits, hyphens, underscores. Empty: a random name "
                               "nobody can guess."))
    bbb_api_url = forms.CharField(
        label=gettext_lazy("Own BigBlueButton server (optional)"), max_length=300,
        required=False,
        help_text=gettext_lazy("Empty: the server of the client's room settings."))
    room_secret = forms.CharField(
        label=gettext_lazy("Shared secret of that server"), max_length=200, required=False,
        widget=SECRET_WIDGET, strip=True)

    def __init__(self, *args: Any, session: bool = False, has_secret: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[str, Any]] = list(RoomKind.choices)
        kind = cast(forms.ChoiceField, self.fields["room_kind"])
        if session:
            choices = [("", _("The event's room")), *choices]
            kind.required = False
        kind.choices = choices
        self.fields["room_secret"].help_text = _status(has_secret)

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        kind = data.get("room_kind") or ""
        config: dict[str, Any] = {}
        if kind == RoomKind.JITSI and data.get("jitsi_room"):
            config["room"] = data["jitsi_room"]
        if kind == RoomKind.BBB and data.get("bbb_api_url"):
            config["api_url"] = data["bbb_api_url"]
        return {"kind": kind, "url": data.get("room_url", ""), "config": config,
                "secret": data.get("room_secret") or None}

    def apply_errors(self, exc: ValidationError) -> None:
        kind = self.cleaned_data.get("room_kind")
        config_field = "jitsi_room" if kind == RoomKind.JITSI else "bbb_api_url"
        for field, errors in exc.message_dict.items():
            name = {"room_config": config_field}.get(field, field)
            self.add_error(name if name in self.fields else None, errors)


def _initial(obj: Event | Session) -> dict[str, Any]:
    config = obj.room_config or {}
    return {"room_kind": obj.room_kind, "room_url": obj.room_url,
            "jitsi_room": config.get("room", ""), "bbb_api_url": config.get("api_url", "")}


def _actor(request: HttpRequest) -> str:
    return f"account:{request.user.pk}"


def _editor(request: HttpRequest, client_slug: str) -> Membership:
    membership = membership_or_404(request.user, client_slug)
    require(membership, "manage_events")
    return membership


@login_required
@require_http_methods(["GET", "POST"])
def room_settings(request: HttpRequest, client_slug: str) -> HttpResponse:
    membership = _editor(request, client_slug)
    current = rooms.room_settings_of(membership.client)
    form = RoomSettingsForm(
        request.POST or None,
        initial={"bbb_url": current.bbb_url, "jitsi_domain": current.jitsi_domain,
                 "jitsi_app_id": current.jitsi_app_id},
        has_bbb_secret=bool(current.bbb_secret_enc),
        has_jitsi_secret=bool(current.jitsi_secret_enc))
    if request.method == "POST" and "check_bbb" in request.POST:
        problem = rooms.check_bbb_settings(membership.client)
        if problem:
            messages.error(request, _("The BigBlueButton server did not accept the test: "
                                      "%(cause)s") % {"cause": problem})
        else:
            messages.success(request, _("The BigBlueButton server answered: the address and "
                                        "the shared secret work."))
        return redirect("manager:room-settings", client_slug=client_slug)
    if request.method == "POST" and form.is_valid():
        try:
            rooms.save_room_settings(membership.client, actor=_actor(request),
                                     **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Room settings saved."))
            return redirect("manager:room-settings", client_slug=client_slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "manager/rooms/settings.html", {
        "m": membership, "form": form,
        "can_check_bbb": bool(current.bbb_url and current.bbb_secret_enc)}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def event_room(request: HttpRequest, client_slug: str, event_id: str) -> HttpResponse:
    membership = membership_or_404(request.user, client_slug)
    event = owned_or_404(Event, membership.client, pk=event_id)  # 404 before any 403
    require(membership, "manage_events")
    form = RoomForm(request.POST or None, initial=_initial(event),
                    has_secret=bool(event.room_secret_enc))
    if request.method == "POST" and form.is_valid():
        try:
            rooms.set_event_room(event, actor=_actor(request), **form.service_arguments())
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, _("Room saved."))
            return redirect("manager:event-room", client_slug=client_slug, event_id=event.pk)
    sessions = [{"session": s, "kind": s.get_room_kind_display() if s.room_kind else "",
                 "problem": rooms.room_problem(s) if s.room_kind else ""}
                for s in Session.objects.filter(event=event).order_by("starts_at", "id")]
    status = 400 if request.method == "POST" else 200
    return render(request, "manager/rooms/room.html", {
        "m": membership, "event": event, "form": form, "sessions": sessions,
        "problem": rooms.room_problem(event), "failure": providers.last_failure(event),
        "is_bbb": event.room_kind == RoomKind.BBB,
        "kind_label": event.get_room_kind_display()}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def session_room(request: HttpRequest, client_slug: str, event_id: str,
                 session_id: int) -> HttpResponse:
    membership = membership_or_404(request.user, client_slug)
    event = owned_or_404(Event, membership.client, pk=event_id)  # 404 before any 403
    session = owned_or_404(Session, membership.client, event=event, pk=session_id)
    require(membership, "manage_events")
    form = RoomForm(request.POST or None, initial=_initial(session), session=True,
                    has_secret=bool(session.room_secret_enc))
    if request.method == "POST" and form.is_valid():
        try:
            rooms.set_session_room(session, actor=_actor(request), **form.service_arguments())
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, _("Room saved."))
            return redirect("manager:event-room", client_slug=client_slug, event_id=event.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "manager/rooms/room.html", {
        "m": membership, "event": event, "session": session, "form": form,
        "problem": rooms.room_problem(session),
        "failure": providers.last_failure(providers.room_source(session)),
        "is_bbb": providers.room_kind(session) == RoomKind.BBB,
        "kind_label": providers.room_source(session).get_room_kind_display()},
        status=status)


@login_required
@require_POST
def room_moderate(request: HttpRequest, client_slug: str, event_id: str) -> HttpResponse:
    """Enter the BigBlueButton meeting as moderator ("session" in the form: that session's
    room). A redirect to the server; on failure, back to the room page with the cause."""
    membership = membership_or_404(request.user, client_slug)
    event = owned_or_404(Event, membership.client, pk=event_id)
    target: Event | Session = event
    session_id = request.POST.get("session", "")
    if session_id:
        found = Session.objects.filter(event=event, client=membership.client,
                                       pk=session_id if session_id.isdigit() else 0).first()
        if found is None:
            raise Http404
        target = found
    require(membership, "manage_events")
    try:
        url = rooms.moderator_url(target, actor=_actor(request), person=request.user)  # type: ignore[arg-type]
    except providers.RoomUnavailable as exc:
        messages.error(request, _("The room cannot open: %(cause)s") % {"cause": exc})
        if isinstance(target, Session):
            return redirect("manager:session-room", client_slug=client_slug,
                            event_id=event.pk, session_id=target.pk)
        return redirect("manager:event-room", client_slug=client_slug, event_id=event.pk)
    response = redirect(url)
    return keep_on_site(response)
