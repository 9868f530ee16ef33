"""The personal space's choices (issue 5 §2-§4; P4.1, P7.5; GDPR art. 7(3), 16, 18, 21).

``/me/choices/``: for the platform account and for each organizer the participant holds
registrations with: restrict processing or lift the restriction, object to statistics (and,
at an organizer, to reminders) or withdraw the objection, and each consent with its state
and a button to withdraw it or give it again. Each POST takes effect at once through the
services (``protection.restriction``, ``protection.objection``, ``privacy.services``), which
audit it; the page says what changed.

``/me/registrations/<uuid>/edit/``: rectify one's own registration (answers and standard
fields) until the event's modification deadline, with the same checks as at registration.

The account comes from the session only; a subject or registration that is not the
account's answers 404.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from livesession.accounts.models import AccountLink, User
from livesession.accounts.space_views import _me
from livesession.core.models import Client
from livesession.portal.forms import RegistrationForm, initial_for
from livesession.privacy import services as privacy
from livesession.privacy.models import ConsentPurpose
from livesession.protection import keystore, objection, restriction
from livesession.protection.models import ObjectionPurpose, Subject
from livesession.registrations import services as registrations
from livesession.registrations.models import ACTIVE, Registration

SOURCE = "space"
# What may be objected to at each kind of controller: the platform account gets no reminders.
PLATFORM_PURPOSES = (ObjectionPurpose.STATISTICS,)
ORGANIZER_PURPOSES = (ObjectionPurpose.STATISTICS, ObjectionPurpose.REMINDERS)
OBJECTION_HELP = {
    ObjectionPurpose.STATISTICS: translation.gettext_lazy(
        "Your attendance is counted in attendance figures and comparisons. If you object, "
        "you are left out of them at once; you still appear on the attendee list of the "
        "events you join."),
    ObjectionPurpose.REMINDERS: translation.gettext_lazy(
        "Reminders before a session starts. If you object, you receive none; the "
        "confirmation with your personal link and news of changes still reach you."),
}


def _actor(user: User) -> str:
    return f"account:{user.pk}"


@dataclass
class Controller:
    """One controller of the person's data as the page shows it."""

    subject: Subject
    name: str
    client: Client | None
    purposes: tuple[str, ...]
    objections: list[dict[str, Any]] = field(default_factory=list)
    consents: list[dict[str, Any]] = field(default_factory=list)
    registrations: list[dict[str, Any]] = field(default_factory=list)

    @property
    def restricted(self) -> bool:
        return self.subject.restricted_at is not None


def _subjects(user: User) -> dict[uuid.UUID, tuple[Subject, Client | None]]:
    """The account's subjects: its own (the operator's) and one per organizer."""
    found: dict[uuid.UUID, tuple[Subject, Client | None]] = {
        user.subject.pk: (user.subject, None)}
    links = (AccountLink.objects.filter(account=user)
             .select_related("registration__subject", "registration__client"))
    for link in links:
        reg = link.registration
        if reg.subject.shredded_at is None:
            found.setdefault(reg.subject_id, (reg.subject, reg.client))
    return found


def _controllers(user: User) -> list[Controller]:
    language = translation.get_language() or settings.LANGUAGE_CODE
    out = []
    for subject, client in _subjects(user).values():
        purposes = ORGANIZER_PURPOSES if client else PLATFORM_PURPOSES
        row = Controller(subject=subject, client=client, purposes=tuple(purposes),
                         name=client.name if client else settings.PLATFORM_OPERATOR_NAME)
        objecting = {p for p in purposes if objection.objects_to(subject.pk, p)}
        row.objections = [{"key": p, "label": ObjectionPurpose(p).label,
                           "help": OBJECTION_HELP[ObjectionPurpose(p)],
                           "objecting": p in objecting} for p in purposes]
        if client is not None:
            state = privacy.current_consents(client.pk, subject.pk)
            # Every purpose offered now, and any no longer offered that was answered (it
            # can still be withdrawn).
            shown = {p.key: p for p in privacy.purposes_for(client)}
            for p in ConsentPurpose.objects.filter(client=client, key__in=list(state)):
                shown.setdefault(p.key, p)
            row.consents = [{"key": p.key, "label": p.label(language),
                             "given": state.get(p.key, False),
                             "answered": p.key in state, "offered": p.active}
                            for p in sorted(shown.values(), key=lambda p: (p.position, p.pk))]
        out.append(row)
    links = (AccountLink.objects.filter(account=user).select_related("registration__event")
             .order_by("-registration__event__starts_at"))
    by_subject = {c.subject.pk: c for c in out}
    for link in links:
        reg = link.registration
        if reg.subject_id in by_subject:
            by_subject[reg.subject_id].registrations.append({
                "id": reg.pk, "event": reg.event, "until": reg.event.modifiable_until,
                "editable": reg.status in ACTIVE and reg.event.accepts_modifications})
    out.sort(key=lambda c: (c.client is not None, c.name.lower()))
    return out


ACTIONS = ("restrict", "lift", "object", "withdraw_objection", "withdraw_consent",
           "give_consent")


def _apply(request: HttpRequest, user: User) -> HttpResponse:
    subjects = _subjects(user)
    try:
        subject_id = uuid.UUID(request.POST.get("subject", ""))
    except ValueError:
        messages.error(request, _("This choice is not available here. Reload the page and "
                                  "try again."))
        return redirect("accounts:choices")
    if subject_id not in subjects:
        raise Http404  # not this account's: nothing tells whether it exists
    subject, client = subjects[subject_id]
    action = request.POST.get("action", "")
    purpose = request.POST.get("purpose", "")
    name = client.name if client else settings.PLATFORM_OPERATOR_NAME
    actor = _actor(user)
    if action == "restrict":
        if restriction.restrict([subject.pk], actor=actor, source=SOURCE):
            messages.success(request, _(
                "Processing of your data by %(name)s is now restricted: it is only stored. "
                "We sent you a notice by email.") % {"name": name})
        else:
            messages.info(request, _("Processing by %(name)s was already restricted.")
                          % {"name": name})
    elif action == "lift":
        if restriction.lift([subject.pk], actor=actor, source=SOURCE):
            messages.success(request, _("The restriction at %(name)s is lifted: your data "
                                        "is processed again as before.") % {"name": name})
        else:
            messages.info(request, _("Processing by %(name)s was not restricted.")
                          % {"name": name})
    elif action in ("object", "withdraw_objection"):
        allowed = ORGANIZER_PURPOSES if client else PLATFORM_PURPOSES
        if purpose not in allowed:
            messages.error(request, _("This choice is not available here. Reload the page "
                                      "and try again."))
            return redirect("accounts:choices")
        label = ObjectionPurpose(purpose).label
        if action == "object":
            objection.object_to([subject.pk], purpose, actor=actor, source=SOURCE)
            messages.success(request, _("You object to “%(purpose)s” at %(name)s. It takes "
                                        "effect now.") % {"purpose": label, "name": name})
        else:
            objection.withdraw_objection([subject.pk], purpose, actor=actor, source=SOURCE)
            messages.success(request, _("Your objection to “%(purpose)s” at %(name)s is "
                                        "withdrawn.") % {"purpose": label, "name": name})
    elif action in ("withdraw_consent", "give_consent") and client is not None:
        language = translation.get_language() or settings.LANGUAGE_CODE
        found = ConsentPurpose.objects.filter(client=client, key=purpose).first()
        if found is None:
            messages.error(request, _("This consent is not known. Reload the page and try "
                                      "again."))
            return redirect("accounts:choices")
        if action == "withdraw_consent":
            done = privacy.withdraw(client_id=client.pk, subject=subject, purpose_key=purpose,
                                    language=language, channel=SOURCE, actor=actor)
            text = (_("Your consent to “%(purpose)s” at %(name)s is withdrawn, from now on.")
                    if done else _("Your consent to “%(purpose)s” was not given: nothing to "
                                   "withdraw."))
        else:
            done = objection.give_consent(client_id=client.pk, subject=subject,
                                          purpose_key=purpose, language=language,
                                          channel=SOURCE, actor=actor)
            text = (_("You gave your consent to “%(purpose)s” at %(name)s. You can withdraw "
                      "it here at any time.") if done else
                    _("Your consent to “%(purpose)s” already stands, or the organizer no "
                      "longer asks for it."))
        (messages.success if done else messages.info)(
            request, text % {"purpose": found.label(language), "name": name})
    else:
        messages.error(request, _("This choice is not available here. Reload the page and "
                                  "try again."))
    return redirect("accounts:choices")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def choices(request: HttpRequest) -> HttpResponse:
    user = _me(request)
    if request.method == "POST":
        return _apply(request, user)
    return render(request, "accounts/choices.html", {
        "account": user, "controllers": _controllers(user)})


# --- Rectification of one registration (P1.5, P4.1, issue 5 §2) ----------------------------

def _own_registration(user: User, registration_id: uuid.UUID) -> Registration:
    link = (AccountLink.objects.filter(account=user, registration_id=registration_id)
            .select_related("registration__event", "registration__client").first())
    if link is None:
        raise Http404
    return link.registration


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def registration_edit(request: HttpRequest, registration_id: uuid.UUID) -> HttpResponse:
    """Change one's answers until the modification deadline (the event's start when the
    organizer set none); the address is not changed here."""
    user = _me(request)
    registration = _own_registration(user, registration_id)
    event = registration.event
    context: dict[str, Any] = {"account": user, "r": registration, "event": event,
                               "deadline": event.modifiable_until}
    refusal = ""
    if registration.status not in ACTIVE:
        refusal = _("This registration is not active any more: there is nothing to change.")
    elif not event.accepts_modifications:
        refusal = _("The deadline for changes has passed. To correct your answers now, "
                    "write to the organizer, %(name)s.") % {"name": registration.client.name}
    if refusal:
        context["refusal"] = refusal
        return render(request, "accounts/registration_edit.html", context,
                      status=403 if request.method == "POST" else 200)
    with keystore.unit_of_work():
        if request.method == "POST":
            form = RegistrationForm(event, [], request.POST)
        else:
            form = RegistrationForm(event, [], initial=initial_for(registration))
        del form.fields["email"]
        context.update(form=form, email=registration.email)
        if request.method == "POST":
            submission = form.submission()
            submission.pop("email", None)
            submission.pop("consents", None)
            submission.pop("sessions", None)
            try:
                registrations.update_answers(registration, submission, actor=_actor(user))
            except ValidationError as exc:
                form.add_service_errors(exc.message_dict)
                return render(request, "accounts/registration_edit.html", context,
                              status=400)
            messages.success(request, _("Your answers for “%(title)s” are saved.")
                             % {"title": event.title})
            return redirect("accounts:space")
        return render(request, "accounts/registration_edit.html", context)
