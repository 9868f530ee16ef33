"""Manager pages for messages (issue 4 §7, §9): templates with preview, an event's reminder
and follow-up settings, messages to a segment, and each recipient's message status.

Reading pages need ``view``; pages that change something need ``manage_events``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from livesession.core.tenancy import membership_or_404, owned_or_404, require
from livesession.events.models import Event
from livesession.messaging import compose, offsets, segments, templating
from livesession.messaging import services as service
from livesession.messaging.models import (
    Campaign,
    Language,
    MessageKind,
    MessageTemplate,
    OutboxMessage,
    OutboxStatus,
    Segment,
)
from livesession.protection import keystore

PAGE_SIZE = 100


# --- forms ---------------------------------------------------------------------------------

class TemplateForm(forms.Form):
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=200)
    body = forms.CharField(label=gettext_lazy("Message"), max_length=20000,
                           widget=forms.Textarea(attrs={"rows": 18}))


class SettingsForm(forms.Form):
    reminder_offsets = forms.CharField(
        label=gettext_lazy("Reminders before each start"), required=False, max_length=200,
        help_text=gettext_lazy("Separated by commas, such as «1 day, 1 hour» or «2 days, "
                               "30 min». Empty: no reminder."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}))
    followup_enabled = forms.BooleanField(
        label=gettext_lazy("Send a follow-up after the event (thanks and replay to those "
                           "present, the replay to those absent)"), required=False)

    def clean_reminder_offsets(self) -> list[int]:
        return offsets.parse(self.cleaned_data["reminder_offsets"])


class CampaignForm(forms.Form):
    segment = forms.ChoiceField(label=gettext_lazy("Recipients"), choices=Segment.choices,
                                widget=forms.RadioSelect)
    subject_fr = forms.CharField(label=gettext_lazy("Subject (French)"), max_length=200)
    body_fr = forms.CharField(label=gettext_lazy("Message (French)"), max_length=20000,
                              widget=forms.Textarea(attrs={"rows": 10}))
    subject_en = forms.CharField(label=gettext_lazy("Subject (English)"), max_length=200)
    body_en = forms.CharField(label=gettext_lazy("Message (English)"), max_length=20000,
                              widget=forms.Textarea(attrs={"rows": 10}))


# --- helpers -------------------------------------------------------------------------------

def _actor(request: HttpRequest) -> str:
    return f"account:{request.user.pk}"


def _event(request: HttpRequest, client_slug: str, event_id: str) -> tuple[Any, Event]:
    membership = membership_or_404(request.user, client_slug)
    return membership, owned_or_404(Event, membership.client, pk=event_id)


def _apply_errors(form: forms.Form, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def kind_label(outbox_kind: str) -> str:
    """The organizer's name of an outbox row's kind ("registration.denied" → "Registration
    denied"); account messages and unknown kinds show as they are."""
    name = outbox_kind.removeprefix("registration.")
    try:
        return str(MessageKind(name).label)
    except ValueError:
        return outbox_kind


def _kind_and_language(request: HttpRequest) -> tuple[str, str]:
    source = request.POST if request.method == "POST" else request.GET
    kind = source.get("kind", MessageKind.CONFIRMATION)
    language = source.get("language", Language.FR)
    if kind not in MessageKind.values or language not in Language.values:
        raise Http404
    return kind, language


# --- templates -----------------------------------------------------------------------------

@login_required
@require_GET
def template_list(request: HttpRequest, client_slug: str) -> HttpResponse:
    membership = membership_or_404(request.user, client_slug)
    require(membership, "view")
    own = {(t.kind, t.language): t for t in MessageTemplate.objects.filter(
        client=membership.client)}
    rows = []
    for kind in MessageKind:
        cells = []
        for language in Language:
            subject, _body = compose.template(membership.client.pk, kind, language)
            cells.append({"language": language, "own": (kind, language) in own,
                          "subject": subject})
        rows.append({"kind": kind, "cells": cells})
    return render(request, "manager/messages/templates.html", {
        "m": membership, "rows": rows, "can_edit": membership.can("manage_events")})


@login_required
@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, client_slug: str) -> HttpResponse:
    membership = membership_or_404(request.user, client_slug)
    require(membership, "manage_events")
    client = membership.client
    kind, language = _kind_and_language(request)
    subject, body = compose.template(client.pk, kind, language)
    own = MessageTemplate.objects.filter(client=client, kind=kind, language=language).exists()
    form = TemplateForm(request.POST or None, initial={"subject": subject, "body": body})
    action = request.POST.get("action", "preview")
    status = 200
    if request.method == "POST":
        subject, body = request.POST.get("subject", ""), request.POST.get("body", "")
        if action == "reset":
            service.reset_template(client, kind, language, actor=_actor(request))
            messages.success(request, _("Back to the built-in message."))
            return redirect(f"{request.path}?kind={kind}&language={language}")
        if form.is_valid():
            subject, body = form.cleaned_data["subject"], form.cleaned_data["body"]
            try:
                if action == "save":
                    service.save_template(client, kind, language, subject=subject, body=body,
                                          actor=_actor(request))
                    messages.success(request, _("Message saved."))
                    return redirect(f"{request.path}?kind={kind}&language={language}")
                templating.validate(kind, subject, body)
            except ValidationError as exc:
                _apply_errors(form, exc)
        if form.errors:
            status = 400
    shown_subject, shown_body = compose.preview(client.name, kind, language, subject, body)
    return render(request, "manager/messages/template_edit.html", {
        "m": membership, "form": form, "kind": kind, "kind_label": MessageKind(kind).label,
        "language": language, "languages": Language.choices, "kinds": MessageKind.choices,
        "own": own, "placeholders": [templating.braced(n) for n in templating.allowed(kind)],
        "preview_subject": shown_subject, "preview_body": shown_body,
        "transactional": kind not in compose.NON_TRANSACTIONAL}, status=status)


# --- an event's messages -------------------------------------------------------------------

@login_required
@require_GET
def event_messages(request: HttpRequest, client_slug: str, event_id: str) -> HttpResponse:
    """Each recipient's message status (issue 4 §7): kind, person, status, cause, attempts.
    Subjects only: bodies hold personal links."""
    membership, event = _event(request, client_slug, event_id)
    require(membership, "view")
    rows = (OutboxMessage.objects.filter(client=membership.client, event=event)
            .select_related("registration").order_by("-created_at", "-id"))
    kinds = sorted(set(rows.values_list("kind", flat=True)))
    kind, status = request.GET.get("kind", ""), request.GET.get("status", "")
    if kind:
        rows = rows.filter(kind=kind)
    if status:
        rows = rows.filter(status=status)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    lines = []
    with keystore.unit_of_work():
        people = [m.registration for m in page if m.registration is not None]
        keystore.preload({m.subject_id for m in page} | {p.subject_id for p in people})
        for message in page:
            person = message.registration
            lines.append({
                "kind": kind_label(message.kind), "status": message.status,
                "status_label": message.get_status_display(),
                "name": f"{person.first_name} {person.last_name}".strip() if person else "",
                "subject": message.subject_line, "error": message.last_error,
                "attempts": message.attempts, "created_at": message.created_at,
                "sent_at": message.sent_at})
    campaigns = Campaign.objects.filter(client=membership.client, event=event)
    return render(request, "manager/messages/event_messages.html", {
        "m": membership, "event": event, "lines": lines, "page": page,
        "reminders": offsets.describe_all(
            event.reminder_offsets if isinstance(event.reminder_offsets, list) else []),
        "kinds": [(k, kind_label(k)) for k in kinds], "statuses": OutboxStatus.choices,
        "kind": kind, "status": status, "campaigns": campaigns,
        "can_edit": membership.can("manage_events")})


@login_required
@require_http_methods(["GET", "POST"])
def event_message_settings(request: HttpRequest, client_slug: str,
                           event_id: str) -> HttpResponse:
    membership, event = _event(request, client_slug, event_id)
    require(membership, "manage_events")
    stored = event.reminder_offsets if isinstance(event.reminder_offsets, list) else []
    form = SettingsForm(request.POST or None, initial={
        "reminder_offsets": offsets.describe_all(stored),
        "followup_enabled": event.followup_enabled})
    if request.method == "POST" and form.is_valid():
        try:
            service.set_message_settings(event, actor=_actor(request), **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("manager:event-messages", client_slug=client_slug,
                            event_id=event.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "manager/messages/settings.html",
                  {"m": membership, "event": event, "form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def event_message_send(request: HttpRequest, client_slug: str, event_id: str) -> HttpResponse:
    membership, event = _event(request, client_slug, event_id)
    require(membership, "manage_events")
    initial: dict[str, str] = {"segment": Segment.REGISTERED}
    for language in Language.values:
        subject, body = compose.template(event.client_id, MessageKind.SEGMENT, language)
        initial[f"subject_{language}"], initial[f"body_{language}"] = subject, body
    form = CampaignForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            segments.create_campaign(event, actor=_actor(request), **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The message is being sent; progress shows below."))
            return redirect("manager:event-messages", client_slug=client_slug,
                            event_id=event.pk)
    counts = {value: segments.recipients(event, value).count() for value in Segment.values}
    status = 400 if request.method == "POST" else 200
    return render(request, "manager/messages/send.html", {
        "m": membership, "event": event, "form": form, "counts": counts,
        "segments": [(v, label, counts[v]) for v, label in Segment.choices],
        "placeholders": [templating.braced(n) for n in templating.allowed(
            MessageKind.SEGMENT)]}, status=status)
