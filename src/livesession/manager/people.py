"""The client's participants as persons (issue 5 §9, P6.3; GDPR R-12): find one across
all the client's events, see everything the client holds about them, and answer their
requests with the same tools as the personal space (export, rectify, restrict, erase).

A person here is one ``protection.Subject`` of this client: every registration of that
address at this client, whatever the event. Reads take the client from
``membership_or_404``; a subject of another client (or of the operator) is a 404, never a
403. Viewers search and look; every action needs ``manage_events`` (the capability that
already allows exporting registrant lists, P6.5, and editing or cancelling a registration)
and goes through its service, which writes the audit entry:
``access_export.export_person``, ``registrations.services.update_answers``,
``protection.restriction.restrict``/``lift``, ``protection.erasure.erase_person``.

The search is a POST, so no address typed ever lands in a URL, a log line or a browser's
history. An exact address is looked up by its keyed hash (``crypto.email_index``), names
by the keyed search tokens of the registrations (``registrations/search.py``): nothing is
decrypted to search.

``find_people`` and ``summary`` are reads shared with the API (``api/views_people.py``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from livesession.access.models import Attendance
from livesession.audit.models import AuditEntry
from livesession.core.models import Client, Membership
from livesession.core.tenancy import membership_or_404, require
from livesession.incidents.detect import export_made
from livesession.messaging.models import MessageKind, OutboxMessage, Unsubscribe
from livesession.portal.forms import RegistrationForm, initial_for
from livesession.privacy.models import ConsentRecord
from livesession.protection import access_export, erasure, keystore, objection, restriction
from livesession.protection.crypto import email_index, normalize_email
from livesession.protection.models import ObjectionPurpose, Subject, controller_key_for
from livesession.registrations import search, services
from livesession.registrations.formspec import fields_for, shown_answers
from livesession.registrations.models import Registration, SearchToken

VIEW = "view"
MANAGE = "manage_events"
MAX_QUERY = 200
MAX_RESULTS = 50
MAX_MESSAGES = 200
ERASED_ACTION = "person.erased"


# --- Reads shared with the API ---------------------------------------------------------

def client_subject(client: Client, subject_id: Any) -> Subject | None:
    """The client's own subject with that id, or None (another client's is None too)."""
    try:
        sid = uuid.UUID(str(subject_id))
    except ValueError:
        return None
    return Subject.objects.filter(pk=sid, client=client,
                                  controller=controller_key_for(client.pk)).first()


def was_erased(client: Client, subject_id: Any) -> bool:
    """Whether this client erased that subject (its audit trail says so): the subject row
    may be gone, but asking again must answer "already erased", not "unknown"."""
    return AuditEntry.objects.filter(client_id=client.pk, action=ERASED_ACTION,
                                     target=f"subject:{subject_id}").exists()


def _subject_ids_by_address(client: Client, text: str) -> set[uuid.UUID]:
    index = email_index(normalize_email(text))
    ids = set(Subject.objects.filter(client=client, controller=controller_key_for(client.pk),
                                     email_index=index).values_list("pk", flat=True))
    ids |= set(Registration.objects.filter(client=client, email_index=index)
               .values_list("subject_id", flat=True))
    return ids


def _subject_ids_by_name(client: Client, text: str) -> set[uuid.UUID]:
    """Every word must match one registration's search tokens (a name, the start of a
    name of three letters or more, an address's part before @), across all events."""
    found: set[Any] | None = None
    for word in search.words(text)[:search.MAX_PIECES]:
        token = search._hash(client.pk, word)  # the token format is search.py's own
        ids = set(SearchToken.objects.filter(client_id=client.pk, token=token)
                  .values_list("registration_id", flat=True))
        found = ids if found is None else found & ids
        if not found:
            return set()
    if not found:
        return set()
    return set(Registration.objects.filter(client=client, pk__in=found)
               .values_list("subject_id", flat=True))


@dataclass
class Found:
    subject_id: uuid.UUID
    name: str
    email: str
    registrations: int
    events: list[str] = field(default_factory=list)
    restricted: bool = False


def find_people(client: Client, query: str) -> list[Found]:
    """The client's persons matching ``query``: an exact address (keyed hash), else names.
    At most ``MAX_RESULTS``, by name."""
    query = query.strip()[:MAX_QUERY]
    if not query:
        return []
    ids = (_subject_ids_by_address(client, query) if "@" in query
           else _subject_ids_by_name(client, query))
    if not ids:
        return []
    subjects = {s.pk: s for s in Subject.objects.filter(
        pk__in=ids, client=client, shredded_at__isnull=True)}
    rows = list(Registration.objects.filter(client=client, subject_id__in=list(subjects))
                .select_related("event").order_by("-created_at"))
    by_subject: dict[uuid.UUID, list[Registration]] = {}
    for row in rows:
        by_subject.setdefault(row.subject_id, []).append(row)
    restricted = restriction.restricted_ids(subjects)
    out = []
    with keystore.unit_of_work():
        keystore.preload(subjects)
        for sid, regs in by_subject.items():
            latest = regs[0]
            out.append(Found(subject_id=sid, email=latest.email,
                             name=f"{latest.first_name} {latest.last_name}".strip(),
                             registrations=len(regs),
                             events=[r.event.title for r in regs],
                             restricted=sid in restricted))
    out.sort(key=lambda f: (f.name.casefold(), f.email))
    return out[:MAX_RESULTS]


def _kind_label(kind: str) -> str:
    labels = dict(MessageKind.choices)
    return str(labels.get(kind, kind))


def summary(client: Client, subject: Subject) -> dict[str, Any]:
    """Everything the client holds about the person, for the person page and the API:
    registrations with their answers, consent history, attendance, messages (status only,
    no bodies), restriction and objection state. Decrypts with one keystore query."""
    registrations = list(Registration.objects.filter(client=client, subject=subject)
                         .select_related("event").order_by("created_at"))
    consents = list(ConsentRecord.objects.filter(client=client, subject=subject)
                    .select_related("purpose").order_by("at", "id"))
    attendance = list(Attendance.objects.filter(client=client, registration__subject=subject)
                      .select_related("event", "session").order_by("first_access_at"))
    sent = list(OutboxMessage.objects.filter(client=client, subject=subject)
                .select_related("event").order_by("-created_at", "-id")[:MAX_MESSAGES])
    with keystore.unit_of_work():
        keystore.preload([subject.pk])
        regs = [{
            "registration": r,
            "id": r.pk, "event_id": r.event_id, "event": r.event.title,
            "event_starts_at": r.event.starts_at, "time_zone": r.event.time_zone,
            "status": r.status, "status_label": r.get_status_display(),
            "channel": r.channel, "created_at": r.created_at,
            "email": r.email, "first_name": r.first_name, "last_name": r.last_name,
            "fields": shown_answers(r), "answers": r.answers,
            "standard": {spec.key: getattr(r, spec.key) for spec in fields_for(r.event)
                         if not spec.custom},
        } for r in registrations]
    latest = regs[-1] if regs else None
    return {
        "subject": subject,
        "id": subject.pk,
        "name": f"{latest['first_name']} {latest['last_name']}".strip() if latest else "",
        "email": latest["email"] if latest else "",
        "erased": subject.shredded_at is not None,
        "restricted": getattr(subject, "restricted_at", None) is not None,
        "restricted_at": getattr(subject, "restricted_at", None),
        "unsubscribed": Unsubscribe.objects.filter(client=client, subject=subject).exists(),
        "objections": [{"purpose": value, "label": str(label)}
                       for value, label in ObjectionPurpose.choices
                       if objection.objects_to(subject.pk, value)],
        "registrations": regs,
        "consents": [{"purpose": c.purpose.key, "label": c.purpose.label(),
                      "action": c.action, "action_label": c.get_action_display(),
                      "at": c.at, "channel": c.channel, "registration_id": c.registration_id}
                     for c in consents],
        "attendance": [{"event": a.event.title, "event_id": a.event_id,
                        "session": a.session.title if a.session else "",
                        "first_access_at": a.first_access_at, "last_seen_at": a.last_seen_at,
                        "accesses": a.accesses, "minutes_present": a.minutes_present}
                       for a in attendance],
        "messages": [{"kind": m.kind, "kind_label": _kind_label(m.kind),
                      "event": m.event.title if m.event else "", "status": m.status,
                      "status_label": m.get_status_display(), "created_at": m.created_at,
                      "sent_at": m.sent_at, "error": m.last_error}
                     for m in sent],
    }


# --- Pages ------------------------------------------------------------------------------

def _actor(request: HttpRequest) -> str:
    return f"account:{request.user.pk}"


def _person_url(client_slug: str, subject_id: Any) -> str:
    return reverse("manager:person", kwargs={"client_slug": client_slug,
                                             "subject_id": subject_id})


def _person(request: HttpRequest, client_slug: str,
            subject_id: Any) -> tuple[Membership, Subject | None]:
    """The member's client and its subject; None for a subject this client erased (its
    row may be gone); anything else is a 404."""
    membership = membership_or_404(request.user, client_slug)
    subject = client_subject(membership.client, subject_id)
    if subject is None and not was_erased(membership.client, subject_id):
        raise Http404
    return membership, subject


class SearchForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Email address or name"), max_length=MAX_QUERY,
        error_messages={"required": gettext_lazy(
            "Type a whole email address, or a name (three letters at least).")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def people(request: HttpRequest, client_slug: str) -> HttpResponse:
    """Find a person across all the client's events. POST only, for the address typed."""
    membership = membership_or_404(request.user, client_slug)
    require(membership, VIEW)
    form = SearchForm(request.POST if request.method == "POST" else None)
    found: list[Found] | None = None
    if request.method == "POST" and form.is_valid():
        found = find_people(membership.client, form.cleaned_data["q"])
    return render(request, "manager/people/search.html", {
        "m": membership, "form": form, "found": found, "max_results": MAX_RESULTS,
    }, status=400 if request.method == "POST" and form.errors else 200)


@never_cache
@login_required
@require_GET
def person(request: HttpRequest, client_slug: str, subject_id: str) -> HttpResponse:
    membership, subject = _person(request, client_slug, subject_id)
    require(membership, VIEW)
    context: dict[str, Any] = {"m": membership, "subject_id": subject_id,
                               "can_manage": membership.can(MANAGE)}
    if subject is None or subject.shredded_at is not None:
        return render(request, "manager/people/erased.html", context)
    context["p"] = summary(membership.client, subject)
    return render(request, "manager/people/person.html", context)


@never_cache
@login_required
@require_POST
def person_export(request: HttpRequest, client_slug: str, subject_id: str) -> HttpResponse:
    """The ZIP of everything the client holds about the person (the personal space's
    format, this client's part only), for the client to send in answer to a request."""
    membership, subject = _person(request, client_slug, subject_id)
    require(membership, MANAGE)
    if subject is None or subject.shredded_at is not None:
        messages.error(request, _("This person's data was erased: there is nothing left "
                                  "to export."))
        return redirect(_person_url(client_slug, subject_id))
    document, archive = access_export.export_person(subject, actor=_actor(request))
    export_made(membership.client.pk, _actor(request),  # unusual exports (S-04, B-06)
                sum(len(category["records"]) for group in document["controllers"]
                    for category in group["categories"]))
    response = HttpResponse(archive, content_type="application/zip")
    stamp = document["generated_at"][:10]
    response["Content-Disposition"] = (
        f'attachment; filename="person-{str(subject.pk)[:8]}-{stamp}.zip"')
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def person_rectify(request: HttpRequest, client_slug: str, subject_id: str,
                   registration_id: str) -> HttpResponse:
    """Rectify one registration of the person (GDPR art. 16) with the form's own rules.
    Allowed while processing is restricted: a restriction is often asked while accuracy is
    contested, and correcting the data is how it ends (art. 18.1.a)."""
    membership, subject = _person(request, client_slug, subject_id)
    if subject is None:
        raise Http404
    registration = (Registration.objects.select_related("event")
                    .filter(client=membership.client, subject=subject, pk=registration_id)
                    .first())
    if registration is None:
        raise Http404
    require(membership, MANAGE)
    event = registration.event
    status = 200
    with keystore.unit_of_work():
        if request.method == "POST":
            form = RegistrationForm(event, [], request.POST)
        else:
            form = RegistrationForm(event, [], initial=initial_for(registration))
        del form.fields["email"]
        email = registration.email
        if request.method == "POST":
            submission = form.submission()
            submission.pop("email", None)
            submission.pop("consents", None)
            try:
                services.update_answers(registration, submission, actor=_actor(request))
            except ValidationError as exc:
                form.add_service_errors(exc.message_dict)
                status = 400
            else:
                messages.success(request, _("Changes saved. The change is in the audit "
                                            "trail."))
                return redirect(_person_url(client_slug, subject.pk))
        return render(request, "manager/people/rectify.html", {
            "m": membership, "event": event, "form": form, "r": registration,
            "email": email, "subject_id": subject.pk}, status=status)


def _acting(request: HttpRequest, client_slug: str, subject_id: str) -> tuple[Membership,
                                                                               Subject | None]:
    membership, subject = _person(request, client_slug, subject_id)
    require(membership, MANAGE)
    return membership, subject


@login_required
@require_POST
def person_restrict(request: HttpRequest, client_slug: str, subject_id: str) -> HttpResponse:
    """Restrict processing (GDPR art. 18): only storage from now on; the person is told."""
    _membership, subject = _acting(request, client_slug, subject_id)
    if subject is None or subject.shredded_at is not None:
        messages.error(request, _("This person's data was erased: there is nothing left "
                                  "to restrict."))
    elif restriction.restrict([subject.pk], actor=_actor(request), source="manager"):
        messages.success(request, _("Processing is restricted: this person's data is only "
                                    "stored. They are told by email."))
    else:
        messages.info(request, _("Processing was already restricted: nothing changed."))
    return redirect(_person_url(client_slug, subject_id))


@login_required
@require_POST
def person_lift(request: HttpRequest, client_slug: str, subject_id: str) -> HttpResponse:
    _membership, subject = _acting(request, client_slug, subject_id)
    if subject is not None and restriction.lift([subject.pk], actor=_actor(request),
                                                source="manager"):
        messages.success(request, _("The restriction is lifted. The person is told by "
                                    "email."))
    else:
        messages.info(request, _("Processing was not restricted: nothing changed."))
    return redirect(_person_url(client_slug, subject_id))


class EraseForm(forms.Form):
    confirm = forms.BooleanField(
        label=gettext_lazy("I understand: every registration, answer, consent link, "
                           "attendance and message of this person at our organization is "
                           "deleted for good, and cannot be restored."),
        error_messages={"required": gettext_lazy(
            "Tick the box to confirm the erasure; nothing was erased.")})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def person_erase(request: HttpRequest, client_slug: str, subject_id: str) -> HttpResponse:
    """Erase the person at this client (GDPR art. 17, P6.8), after a confirmation.
    Idempotent: an already-erased person is said to be so, without an error."""
    membership, subject = _acting(request, client_slug, subject_id)
    if subject is None or subject.shredded_at is not None:
        messages.info(request, _("This person's data was already erased: nothing more to "
                                 "do."))
        return redirect(_person_url(client_slug, subject_id))
    form = EraseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        receipt = erasure.erase_person(subject, actor=_actor(request), scope=erasure.CLIENT)
        if receipt.nothing_done:
            messages.info(request, _("This person's data was already erased: nothing more "
                                     "to do."))
        else:
            messages.success(request, _("The person's data is erased, backups included "
                                        "(their encryption key is destroyed)."))
        return redirect(_person_url(client_slug, subject_id))
    context = {"m": membership, "form": form, "p": summary(membership.client, subject)}
    return render(request, "manager/people/erase.html", context,
                  status=400 if request.method == "POST" else 200)
