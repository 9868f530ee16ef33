"""The console's notices page of an incident (issue 8 §2, §4): compute the affected people
from a scope, record a client's instruction, send the participants' three-part notice, send
the clients' notices, and the CNIL document (printable HTML and JSON). Operator staff only
(``operator_only``); every write goes through ``incidents.notices``."""

from __future__ import annotations

import json
import uuid
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from livesession.console.views import operator_only
from livesession.core.clock import now
from livesession.core.models import Client
from livesession.incidents import cnil, notices
from livesession.incidents.affected import Scope, category_label
from livesession.incidents.console_views import submit
from livesession.incidents.models import Incident
from livesession.protection.registry import all_declarations


def _lines(value: str) -> list[str]:
    return [item.strip() for item in (value or "").replace(",", "\n").splitlines()
            if item.strip()]


class ScopeForm(forms.Form):
    clients = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Clients"), queryset=Client.objects.order_by("name"),
        required=False, widget=forms.CheckboxSelectMultiple)
    events = forms.CharField(label=gettext_lazy("Event ids (one a line)"), required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))
    categories = forms.MultipleChoiceField(label=gettext_lazy("Data categories"),
                                           required=False,
                                           widget=forms.CheckboxSelectMultiple)
    since = forms.DateTimeField(label=gettext_lazy("Rows written from (UTC)"), required=False)
    until = forms.DateTimeField(label=gettext_lazy("until (UTC)"), required=False)
    audit_actions = forms.CharField(label=gettext_lazy("Audit actions (one a line)"),
                                    required=False, widget=forms.Textarea(attrs={"rows": 2}))
    audit_actors = forms.CharField(label=gettext_lazy("Audit actors, e.g. account:12 "
                                                      "(one a line)"),
                                   required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        categories = cast(forms.MultipleChoiceField, self.fields["categories"])
        categories.choices = [
            (label, label) for label, decl in sorted(all_declarations().items())
            if decl.personal]

    def clean_events(self) -> tuple[uuid.UUID, ...]:
        try:
            return tuple(uuid.UUID(item) for item in _lines(self.cleaned_data["events"]))
        except ValueError as exc:
            raise ValidationError(_("Give each event by its id (a UUID), one a line.")) from exc

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and until <= since:
            self.add_error("until", _("The end of the window must be after its start."))
        return data

    def scope(self) -> Scope:
        data = self.cleaned_data
        return Scope(clients=tuple(c.pk for c in data["clients"]), events=data["events"],
                     categories=tuple(data["categories"]), since=data["since"],
                     until=data["until"], audit_actions=tuple(_lines(data["audit_actions"])),
                     audit_actors=tuple(_lines(data["audit_actors"])))


class InstructionForm(forms.Form):
    client = forms.ModelChoiceField(label=gettext_lazy("Client"), queryset=Client.objects.none())
    by = forms.CharField(label=gettext_lazy("Given by (reference, e.g. account:12)"),
                         max_length=80)
    at = forms.DateTimeField(label=gettext_lazy("Given at (UTC)"))
    text = forms.CharField(label=gettext_lazy("The instruction, in its words"),
                           widget=forms.Textarea(attrs={"rows": 2}))
    cosign = forms.BooleanField(label=gettext_lazy("The client co-signs the notice (its "
                                                   "name in the mail)"), required=False)

    def __init__(self, *args: Any, clients: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast("forms.ModelChoiceField[Client]", self.fields["client"])
        field.queryset = clients if clients is not None else Client.objects.none()


class ParticipantNoticeForm(forms.Form):
    """The three parts of P5.1, in English and in French."""

    nature_en = forms.CharField(label=gettext_lazy("Nature of the breach (English)"),
                                widget=forms.Textarea(attrs={"rows": 3}), required=False)
    consequences_en = forms.CharField(label=gettext_lazy("Probable consequences (English)"),
                                      widget=forms.Textarea(attrs={"rows": 3}), required=False)
    measures_en = forms.CharField(
        label=gettext_lazy("Measures taken or proposed, and what the person can do (English)"),
        widget=forms.Textarea(attrs={"rows": 3}), required=False)
    nature_fr = forms.CharField(label=gettext_lazy("Nature of the breach (French)"),
                                widget=forms.Textarea(attrs={"rows": 3}), required=False)
    consequences_fr = forms.CharField(label=gettext_lazy("Probable consequences (French)"),
                                      widget=forms.Textarea(attrs={"rows": 3}), required=False)
    measures_fr = forms.CharField(
        label=gettext_lazy("Measures taken or proposed, and what the person can do (French)"),
        widget=forms.Textarea(attrs={"rows": 3}), required=False)
    delay_reason = forms.CharField(label=gettext_lazy("Reason for the delay (after the "
                                                      "deadline only)"), required=False,
                                   widget=forms.Textarea(attrs={"rows": 2}))

    def texts(self) -> dict[str, notices.NoticeText]:
        data = self.cleaned_data
        return {lang: notices.NoticeText(nature=data[f"nature_{lang}"],
                                         consequences=data[f"consequences_{lang}"],
                                         measures=data[f"measures_{lang}"])
                for lang in notices.LANGUAGES}


class ClientNoticeForm(forms.Form):
    delay_reason = forms.CharField(label=gettext_lazy("Reason for the delay (after the "
                                                      "deadline only)"), required=False,
                                   widget=forms.Textarea(attrs={"rows": 2}))


def _incident(incident_id: str) -> Incident:
    return get_object_or_404(Incident.objects.select_related("client"), pk=incident_id)


def _actor(request: HttpRequest) -> str:
    return f"account:{request.user.pk}"


def _page(request: HttpRequest, incident: Incident, *, status: int = 200,
          **forms_given: Any) -> HttpResponse:
    clients = notices._affected_clients(incident)
    stored = notices.stored_affected(incident)
    counts = [(category_label(k), v) for k, v in sorted((stored or {}).get("counts",
                                                                           {}).items())]
    instructions = {c.pk: notices.client_instruction(incident, c.pk) for c in clients}
    cnil_error = ""
    try:
        cnil.document(incident)
    except ValidationError as exc:
        cnil_error = " ".join(exc.messages)
    return render(request, "console/incidents/notices.html", {
        "incident": incident, "title": _("Notices of incident %(ref)s")
        % {"ref": incident.reference},
        "stored": stored, "counts": counts,
        "clients": [(c, instructions[c.pk]) for c in clients],
        "status": notices.participant_status(incident),
        "scope_form": forms_given.get("scope") or ScopeForm(prefix="scope"),
        "instruction_form": forms_given.get("instruction") or InstructionForm(
            prefix="instruction", clients=Client.objects.filter(
                pk__in=[c.pk for c in clients]), initial={"at": now()}),
        "participant_form": forms_given.get("participants") or ParticipantNoticeForm(
            prefix="participants"),
        "client_form": forms_given.get("clients") or ClientNoticeForm(prefix="clients"),
        "cnil_error": cnil_error,
    }, status=status)


@operator_only
@require_GET
def notices_page(request: HttpRequest, incident_id: str) -> HttpResponse:
    return _page(request, _incident(incident_id))


@operator_only
@require_POST
def notices_affected(request: HttpRequest, incident_id: str) -> HttpResponse:
    incident = _incident(incident_id)
    form = ScopeForm(request.POST, prefix="scope")
    done, found = submit(form, lambda _data: notices.store_affected(
        incident, form.scope(), actor=_actor(request)))
    if done and found is not None:
        messages.success(request, " ".join([
            ngettext("%(people)d person is affected,", "%(people)d people are affected,",
                     found.people) % {"people": found.people},
            ngettext("%(records)d record.", "%(records)d records.", found.records)
            % {"records": found.records}]))
        return redirect("console:incident-notices", incident_id=incident.pk)
    return _page(request, incident, scope=form, status=400)


@operator_only
@require_POST
def notices_instruction(request: HttpRequest, incident_id: str) -> HttpResponse:
    incident = _incident(incident_id)
    clients = Client.objects.filter(pk__in=[c.pk for c in notices._affected_clients(incident)])
    form = InstructionForm(request.POST, prefix="instruction", clients=clients)
    done, _result = submit(form, lambda data: notices.record_client_instruction(
        incident, data["client"], by=data["by"], at=data["at"], text=data["text"],
        cosign=data["cosign"]))
    if done:
        messages.success(request, _("The client's instruction is recorded."))
        return redirect("console:incident-notices", incident_id=incident.pk)
    return _page(request, incident, instruction=form, status=400)


@operator_only
@require_POST
def notices_participants(request: HttpRequest, incident_id: str) -> HttpResponse:
    incident = _incident(incident_id)
    form = ParticipantNoticeForm(request.POST, prefix="participants")
    done, sent = submit(form, lambda data: notices.send_participant_notices(
        incident, form.texts(), actor=_actor(request), delay_reason=data["delay_reason"]))
    if done and sent is not None:
        messages.success(request, ngettext("%(n)d notice is queued.", "%(n)d notices are queued.",
                                           len(sent)) % {"n": len(sent)})
        return redirect("console:incident-notices", incident_id=incident.pk)
    return _page(request, incident, participants=form, status=400)


@operator_only
@require_POST
def notices_clients(request: HttpRequest, incident_id: str) -> HttpResponse:
    incident = _incident(incident_id)
    form = ClientNoticeForm(request.POST, prefix="clients")
    done, told = submit(form, lambda data: notices.notify_clients(
        incident, actor=_actor(request), delay_reason=data["delay_reason"]))
    if done and told is not None:
        messages.success(request, ngettext("%(n)d client is told.", "%(n)d clients are told.", told)
                         % {"n": told})
        return redirect("console:incident-notices", incident_id=incident.pk)
    return _page(request, incident, clients=form, status=400)


@operator_only
@require_GET
def cnil_document(request: HttpRequest, incident_id: str, fmt: str) -> HttpResponse:
    """The CNIL notification document: printable HTML, or JSON to download."""
    incident = _incident(incident_id)
    try:
        document = cnil.document(incident)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("console:incident-notices", incident_id=incident.pk)
    if fmt == "json":
        response = HttpResponse(json.dumps(document, indent=2, ensure_ascii=False),
                                content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="cnil-notification-{incident.reference}.json"')
        return response
    return render(request, "console/incidents/notice_cnil.html",
                  {"doc": document, "incident": incident})
