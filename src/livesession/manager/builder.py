"""The Manager's form builder: which standard fields a form collects (client default and
event override), the custom questions of an event, and the client's consent purposes
(issue 3 points 2–5; P1.1, P1.2, P1.4, P2.3, P6.2).

Every view takes its client from ``membership_or_404`` and reads objects with that client
in the filter: another client's event, question or purpose is a 404, never a 403 (P6.1).
Writes go through the services (``registrations.fields_services``,
``privacy.services``), which check everything, the sensitive-data guard included; their
errors come back next to the input they are about, with what was typed kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from livesession.core.models import Membership
from livesession.core.tenancy import membership_or_404, owned_or_404, require
from livesession.events.models import Event
from livesession.manager import option_rows
from livesession.manager.builder_forms import (
    RULES_BY_KIND,
    PurposeForm,
    QuestionForm,
    ScopeForm,
)
from livesession.manager.option_rows import BaseOptionRows
from livesession.portal.forms import RegistrationForm
from livesession.privacy import services as privacy
from livesession.privacy.models import ConsentPurpose
from livesession.protection.sensitive import CODE as SENSITIVE
from livesession.protection.sensitive import check_field
from livesession.registrations import fieldkinds, scope
from livesession.registrations import fields_services as form_services
from livesession.registrations.models import CustomField

BUILTIN_PURPOSES = {ConsentPurpose.NEWS, ConsentPurpose.ATTENDEE_LIST}


def _actor(request: HttpRequest) -> str:
    return f"account:{request.user.pk}"


def _data(request: HttpRequest) -> Any:
    # ``request.POST or None`` would leave a POST with every box unticked unbound.
    return request.POST if request.method == "POST" else None


def _event(membership: Membership, event_id: Any) -> Event:
    return owned_or_404(Event, membership.client, pk=event_id)


def _question(membership: Membership, event: Event, field_id: int) -> CustomField:
    return owned_or_404(CustomField, membership.client, event=event, pk=field_id)


def _questions(membership: Membership, event: Event) -> list[CustomField]:
    return list(CustomField.objects.filter(client=membership.client, event=event)
                .order_by("position", "id"))


def _preview(event: Event) -> RegistrationForm:
    """The public form of the event as a participant sees it, for a read-only card."""
    return RegistrationForm(event, privacy.purposes_for(event.client), auto_id="preview_%s")


# --- Standard fields (P1.1) -------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def client_form(request: HttpRequest, client_slug: str) -> HttpResponse:
    """The client's default: which standard fields every event collects unless it has its
    own choice."""
    membership = membership_or_404(request.user, client_slug)
    require(membership, "manage_members")
    client = membership.client
    form = ScopeForm(_data(request), current=scope.normalize(client.form_defaults))
    if request.method == "POST" and form.is_valid():
        try:
            form_services.set_client_scope(client, form.to_raw(), actor=_actor(request))
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Default form saved. Events that follow the "
                                        "default collect these fields from now on."))
            return redirect("manager:client-form", client_slug=client.slug)
    overriding = Event.objects.filter(client=client, form_scope__isnull=False).order_by(
        "-starts_at")
    return render(request, "manager/builder/client_form.html", {
        "m": membership, "form": form, "overriding": overriding,
    }, status=400 if request.method == "POST" else 200)


@login_required
@require_http_methods(["GET", "POST"])
def event_form(request: HttpRequest, client_slug: str, event_id: Any) -> HttpResponse:
    """The event's own choice of standard fields, overriding the client default."""
    membership = membership_or_404(request.user, client_slug)
    event = _event(membership, event_id)
    require(membership, "manage_events")
    form = ScopeForm(_data(request), current=scope.effective(event))
    if request.method == "POST" and form.is_valid():
        try:
            form_services.set_event_scope(event, form.to_raw(), actor=_actor(request))
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("This event's form saved: it no longer follows "
                                        "the client default."))
            return redirect("manager:event-form", client_slug=client_slug,
                            event_id=event.pk)
    return render(request, "manager/builder/event_form.html", {
        "m": membership, "event": event, "form": form,
        "overridden": event.form_scope is not None, "preview": _preview(event),
    }, status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def event_form_reset(request: HttpRequest, client_slug: str, event_id: Any) -> HttpResponse:
    """Back to the client default ("use the client default")."""
    membership = membership_or_404(request.user, client_slug)
    event = _event(membership, event_id)
    require(membership, "manage_events")
    form_services.set_event_scope(event, None, actor=_actor(request))
    messages.success(request, _("This event's form follows the client default again."))
    return redirect("manager:event", client_slug=client_slug, event_id=event.pk)


# --- Custom questions (P1.2, P1.4, P6.2) ------------------------------------------------------


def _save_errors(form: QuestionForm, options: BaseOptionRows, exc: ValidationError) -> None:
    """The service's errors next to their inputs. The service checks the basics (key,
    labels, purpose) before the sensitive-data guard; when the basics failed, the guard is
    run here too, so that one submit shows every problem, an offending option on its row."""
    form.add_service_errors(exc)
    data = form.cleaned_data
    rows = options.rows() if options.is_bound and options.is_valid() else []
    for index, row in enumerate(rows):
        for match in check_field("", "", options=[row["label_fr"], row["label_en"]]):
            row_form = options.forms[index]
            if match.message not in row_form.errors.get("label_fr", []):
                row_form.add_error("label_fr", match.message)
    codes = {error.code for errors in getattr(exc, "error_dict", {}).values()
             for error in errors}
    if SENSITIVE in codes:
        return
    for match in check_field(str(data.get("label_fr", "")), str(data.get("label_en", "")),
                             str(data.get("help_fr", "")), str(data.get("help_en", "")),
                             [r["label_fr"] for r in rows] + [r["label_en"] for r in rows]):
        if match.source == "options":
            if match.message not in form.options_errors:
                form.options_errors.append(match.message)
        elif match.message not in form.errors.get(match.source, []):
            form.add_error(match.source, match.message)


@dataclass(frozen=True)
class KeyUse:
    """What relies on a question's key: the Manager shows it (under "Advanced") only then,
    and lets it change only while no answer can be stored under it."""

    dependents: list[CustomField]
    answered: bool

    @property
    def shown(self) -> bool:
        return bool(self.dependents) or self.answered


@dataclass(frozen=True)
class Listed:
    """A question in the page's list, its condition said with labels, not keys."""

    question: CustomField
    condition_label: str = ""
    condition_value: str = ""


def _listed(rows: list[CustomField]) -> list[Listed]:
    by_key = {row.key: row for row in rows}
    listed = []
    for row in rows:
        target = by_key.get(row.show_if_key) if row.show_if_key else None
        if target is None:
            listed.append(Listed(row, row.show_if_key, row.show_if_value))
        else:
            listed.append(Listed(row, target.label(), target.option_label(row.show_if_value)))
    return listed


def _key_use(question: CustomField | None) -> KeyUse | None:
    if question is None:
        return None
    return KeyUse(form_services.key_dependents(question),
                  form_services.answers_possible(question))


def _questions_page(request: HttpRequest, membership: Membership, event: Event,
                    form: QuestionForm, options: BaseOptionRows, *,
                    question: CustomField | None = None, status: int = 200) -> HttpResponse:
    return render(request, "manager/builder/questions.html", {
        "m": membership, "event": event, "form": form, "options": options,
        "option_action": option_rows.ACTION, "question": question,
        "key_use": _key_use(question),
        "questions": (rows := _questions(membership, event)), "listed": _listed(rows),
        "kinds": fieldkinds.KINDS,
        "rules_by_kind": {kind: list(names) for kind, names in RULES_BY_KIND.items()},
        "choice_kinds": sorted(fieldkinds.CHOICE_KINDS), "preview": _preview(event),
    }, status=status)


def _save_question(request: HttpRequest, membership: Membership, event: Event,
                   others: list[CustomField],
                   question: CustomField | None) -> HttpResponse:
    """One POST of the question form: a row button (add, remove, move an option) shows the
    page again with the rows changed and nothing saved; otherwise the question is saved
    through the service, or shown again with every error and everything typed."""
    action = request.POST.get(option_rows.ACTION, "")
    if action:
        return _questions_page(request, membership, event,
                               QuestionForm.as_typed(request.POST, others=others),
                               option_rows.after_action(request.POST, action),
                               question=question)
    form = QuestionForm(request.POST, others=others)
    choice = request.POST.get("kind") in fieldkinds.CHOICE_KINDS
    # The rows of a question that is not a choice are neither sent (the page disables them)
    # nor checked: they are shown back as they came.
    options = option_rows.bound(request.POST) if choice else option_rows.after_action(
        request.POST)
    rows_ok = options.is_valid() if choice else True
    if form.is_valid() and rows_ok:
        rows = options.rows() if choice else []
        try:
            if question is None:
                saved = form_services.add_custom_field(event, form.to_data(rows),
                                                       actor=_actor(request),
                                                       created_by_id=request.user.pk)
                note = _("Question «%(label)s» added.")
            else:
                saved = form_services.update_custom_field(question, form.to_data(rows),
                                                          actor=_actor(request))
                note = _("Question «%(label)s» saved.")
        except ValidationError as exc:
            _save_errors(form, options, exc)
        else:
            messages.success(request, note % {"label": saved.label()})
            return redirect(reverse("manager:questions", kwargs={
                "client_slug": membership.client.slug, "event_id": event.pk})
                + f"#q-{saved.pk}")
    return _questions_page(request, membership, event, form, options, question=question,
                           status=400)


@login_required
@require_http_methods(["GET", "POST"])
def questions(request: HttpRequest, client_slug: str, event_id: Any) -> HttpResponse:
    """The event's questions in order, and a form to add one."""
    membership = membership_or_404(request.user, client_slug)
    event = _event(membership, event_id)
    require(membership, "manage_events")
    others = _questions(membership, event)
    if request.method == "POST":
        return _save_question(request, membership, event, others, None)
    return _questions_page(request, membership, event, QuestionForm(others=others),
                           option_rows.for_options([]))


@login_required
@require_http_methods(["GET", "POST"])
def question_edit(request: HttpRequest, client_slug: str, event_id: Any,
                  field_id: int) -> HttpResponse:
    membership = membership_or_404(request.user, client_slug)
    event = _event(membership, event_id)
    question = _question(membership, event, field_id)
    require(membership, "manage_events")
    others = [q for q in _questions(membership, event) if q.pk != question.pk]
    if request.method == "POST":
        return _save_question(request, membership, event, others, question)
    return _questions_page(request, membership, event,
                           QuestionForm.for_field(question, others=others),
                           option_rows.for_options(question.options), question=question)


@login_required
@require_POST
def question_remove(request: HttpRequest, client_slug: str, event_id: Any,
                    field_id: int) -> HttpResponse:
    membership = membership_or_404(request.user, client_slug)
    event = _event(membership, event_id)
    question = _question(membership, event, field_id)
    require(membership, "manage_events")
    label = question.label()
    dependents = CustomField.objects.filter(client=membership.client, event=event,
                                            show_if_key=question.key).count()
    form_services.remove_custom_field(question, actor=_actor(request))
    if dependents:
        messages.success(request, _("Question «%(label)s» removed. The questions that "
                                    "depended on its answer are now always shown.")
                         % {"label": label})
    else:
        messages.success(request, _("Question «%(label)s» removed. Answers already given "
                                    "stay with the registrations.") % {"label": label})
    return redirect("manager:questions", client_slug=client_slug, event_id=event.pk)


@login_required
@require_POST
def question_move(request: HttpRequest, client_slug: str, event_id: Any,
                  field_id: int) -> HttpResponse:
    """Move a question one place up or down (``fields_services.move_custom_field``)."""
    membership = membership_or_404(request.user, client_slug)
    event = _event(membership, event_id)
    question = _question(membership, event, field_id)
    require(membership, "manage_events")
    direction = request.POST.get("direction", "")
    if direction in {"up", "down"} and form_services.move_custom_field(
            question, direction, actor=_actor(request)):
        note = (_("Question «%(label)s» moved up.") if direction == "up"
                else _("Question «%(label)s» moved down."))
        messages.success(request, note % {"label": question.label()})
    return redirect(reverse("manager:questions", kwargs={
        "client_slug": client_slug, "event_id": event.pk}) + f"#q-{question.pk}")


# --- Consent purposes (P2.3) ------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def purposes(request: HttpRequest, client_slug: str) -> HttpResponse:
    """The optional purposes participants may consent to, one unticked box each."""
    membership = membership_or_404(request.user, client_slug)
    require(membership, "manage_members")
    client = membership.client
    privacy.ensure_builtin_purposes(client)
    form = PurposeForm(_data(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            added = privacy.add_purpose(client, data["key"], data["label_fr"],
                                        data["label_en"], actor=_actor(request))
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Purpose «%(label)s» added: registration forms "
                                        "offer it from now on.")
                             % {"label": added.label()})
            return redirect("manager:purposes", client_slug=client.slug)
    rows = ConsentPurpose.objects.filter(client=client).order_by("-active", "position", "id")
    return render(request, "manager/builder/purposes.html", {
        "m": membership, "form": form, "purposes": rows, "builtin": BUILTIN_PURPOSES,
    }, status=400 if request.method == "POST" else 200)


def _purpose(membership: Membership, purpose_id: int) -> ConsentPurpose:
    return owned_or_404(ConsentPurpose, membership.client, pk=purpose_id)


@login_required
@require_POST
def purpose_deactivate(request: HttpRequest, client_slug: str, purpose_id: int) -> HttpResponse:
    membership = membership_or_404(request.user, client_slug)
    purpose = _purpose(membership, purpose_id)
    require(membership, "manage_members")
    privacy.deactivate_purpose(purpose, actor=_actor(request))
    messages.success(request, _("Purpose «%(label)s» is no longer offered. Consents "
                                "already given stay recorded.") % {"label": purpose.label()})
    return redirect("manager:purposes", client_slug=client_slug)


@login_required
@require_POST
def purpose_reactivate(request: HttpRequest, client_slug: str, purpose_id: int) -> HttpResponse:
    membership = membership_or_404(request.user, client_slug)
    purpose = _purpose(membership, purpose_id)
    require(membership, "manage_members")
    privacy.reactivate_purpose(purpose, actor=_actor(request))
    messages.success(request, _("Purpose «%(label)s» is offered again.")
                     % {"label": purpose.label()})
    return redirect("manager:purposes", client_slug=client_slug)
