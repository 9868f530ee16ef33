"""The Manager's registrants of an event: list and search, one registrant and the actions
on it, CSV import, CSV and XLSX export (issue 3 point 11).

Every view takes its client from ``membership_or_404`` and reads objects with that client
in the filter (another client's event, registration or import answers 404, P6.1); the
role's capability is asked after, so a viewer learns an action exists (403) only on its
own client's objects. Viewers list and look; adding, changing, importing and exporting
(which takes data out, P6.5) need ``manage_events``. Writes go through the services
(``registrations.services``, ``imports``, ``exports.record_export``), like the API's.

A person whose processing is restricted (GDPR art. 18, R-10) stays in the list and on their
page (storage), marked, with a banner; editing, approving, denying, cancelling and sending
them anything are refused (``_refuse_if_restricted``); the export leaves them out.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from livesession.core.models import Membership
from livesession.core.tenancy import membership_or_404, require
from livesession.events.models import Event
from livesession.incidents.detect import export_made
from livesession.portal.forms import RegistrationForm, initial_for
from livesession.protection import keystore, restriction
from livesession.registrations import exports, imports, search, services
from livesession.registrations.formspec import fields_for, shown_answers
from livesession.registrations.models import (
    ACTIVE,
    Import,
    ImportBasis,
    Registration,
    RegistrationStatus,
)
from livesession.registrations.models import ImportStatus as ISt
from livesession.registrations.models import RegistrationStatus as S

MANAGE = "manage_events"
DENIABLE = {S.PENDING_APPROVAL, S.WAITLISTED, S.CONFIRMED, S.PENDING_CONFIRMATION}
MAX_QUERY = 200


def _actor(request: HttpRequest) -> str:
    return f"account:{request.user.pk}"


def _scope(request: HttpRequest, client_slug: str, event_id: Any) -> tuple[Membership, Event]:
    membership = membership_or_404(request.user, client_slug)
    event = Event.objects.select_related("client").filter(
        client=membership.client, pk=event_id).first()
    if event is None:
        raise Http404
    return membership, event


def _registration(membership: Membership, event: Event, registration_id: Any) -> Registration:
    row = (Registration.objects.select_related("event")
           .filter(client=membership.client, event=event, pk=registration_id).first())
    if row is None:
        raise Http404
    return row


def _import(membership: Membership, event: Event, import_id: Any) -> Import:
    row = (Import.objects.select_related("event", "event__client")
           .filter(client=membership.client, event=event, pk=import_id).first())
    if row is None:
        raise Http404
    return row


def _detail_url(client_slug: str, event: Event, registration: Registration) -> str:
    return reverse("manager:registrant", kwargs={
        "client_slug": client_slug, "event_id": event.pk, "registration_id": registration.pk})


RESTRICTED_REFUSAL = gettext_lazy(
    "Processing of this person's data is restricted at their request: only storage is "
    "allowed, so this action is not available. The person (or your request desk, on their "
    "request) can lift the restriction.")


def _refuse_if_restricted(request: HttpRequest, client_slug: str, event: Event,
                          registration: Registration) -> HttpResponse | None:
    """R-10: a redirect to the person's page with the reason, or None when allowed."""
    if not restriction.is_restricted(registration.subject_id):
        return None
    messages.error(request, RESTRICTED_REFUSAL)
    return redirect(_detail_url(client_slug, event, registration))


# --- List and search -----------------------------------------------------------------------

@login_required
@require_GET
def registrant_list(request: HttpRequest, client_slug: str, event_id: str) -> HttpResponse:
    membership, event = _scope(request, client_slug, event_id)
    query = request.GET.get("q", "").strip()[:MAX_QUERY]
    status = request.GET.get("status", "")
    if status not in RegistrationStatus.values:
        status = ""
    counts = search.status_counts(membership.client.pk, event.pk)
    found = search.listing(membership.client.pk, event.pk, query=query, status=status,
                           after=request.GET.get("after", ""),
                           before=request.GET.get("before", ""), counts=counts)
    # Only the page shown is decrypted: one keystore query for its 50 keys.
    restricted = restriction.restricted_ids(r.subject_id for r in found.rows)
    with keystore.unit_of_work():
        keystore.preload(r.subject_id for r in found.rows)
        people = [{"id": r.pk, "email": r.email, "first_name": r.first_name,
                   "last_name": r.last_name, "status": r.status,
                   "status_label": r.get_status_display(), "created_at": r.created_at,
                   "restricted": r.subject_id in restricted}
                  for r in found.rows]
    # Beside each status link, what that link lists: with a search typed, its matches.
    searched = search.search_counts(membership.client.pk, event.pk, query) if query else None
    shown = counts if searched is None else searched
    base = {"q": query, "status": status}
    kept = {k: v for k, v in base.items() if v}

    def link(**extra: str) -> str:
        return "?" + urlencode({**kept, **extra})

    return render(request, "manager/registrants/list.html", {
        "m": membership, "event": event, "people": people, "query": query,
        "status": status, "matching": found.matching, "total": sum(counts.values()),
        "filters": [{"value": value, "label": label,
                     "count": shown.get(value, 0) if value else sum(shown.values()),
                     "url": "?" + urlencode({k: v for k, v in
                                             {"q": query, "status": value}.items() if v}),
                     "current": value == status}
                    for value, label in [("", _("All")), *RegistrationStatus.choices]],
        "next_url": link(after=found.next_cursor) if found.next_cursor else "",
        "previous_url": link(before=found.previous_cursor) if found.previous_cursor else "",
        "export_query": urlencode({"status": status}) if status else "",
        "can_manage": membership.can(MANAGE),
    })


# --- One registrant ----------------------------------------------------------------------

def _shown_fields(event: Event, registration: Registration) -> list[dict[str, Any]]:
    return [{"label": _("Email"), "value": registration.email},
            *shown_answers(registration, event)]


@login_required
@require_GET
def registrant_detail(request: HttpRequest, client_slug: str, event_id: str,
                      registration_id: str) -> HttpResponse:
    membership, event = _scope(request, client_slug, event_id)
    registration = _registration(membership, event, registration_id)
    with keystore.unit_of_work():
        fields = _shown_fields(event, registration)
    subject = registration.subject
    restricted = subject.restricted_at is not None
    return render(request, "manager/registrants/detail.html", {
        "m": membership, "event": event, "r": registration, "fields": fields,
        "can_manage": membership.can(MANAGE),
        "restricted": restricted, "restricted_at": subject.restricted_at,
        "can_cancel": registration.status in ACTIVE and not restricted,
        "can_approve": registration.status == S.PENDING_APPROVAL and not restricted,
        "can_deny": registration.status in DENIABLE and not restricted,
        "position": services.waitlist_position(registration),
    })


class LanguageChoice(forms.Form):
    language = forms.ChoiceField(
        label=gettext_lazy("Language of the emails"), choices=[("fr", "Français"),
                                                                ("en", "English")])


@login_required
@require_http_methods(["GET", "POST"])
def registrant_add(request: HttpRequest, client_slug: str, event_id: str) -> HttpResponse:
    """Add a person by hand (channel "manager"): no consent is ticked for them, and the
    capacity and waiting list apply as for everyone."""
    membership, event = _scope(request, client_slug, event_id)
    require(membership, MANAGE)
    data = request.POST if request.method == "POST" else None
    form = RegistrationForm(event, [], data)
    language = LanguageChoice(data, initial={"language": translation.get_language() or "fr"})
    status = 200
    if request.method == "POST":
        status = 400
        chosen = language.cleaned_data["language"] if language.is_valid() else "fr"
        try:
            done = services.register(event, form.submission(), language=chosen,
                                     channel="manager", actor=_actor(request))
        except ValidationError as exc:
            form.add_service_errors(exc.message_dict)
        except services.AlreadyRegistered as exc:
            form.add_error("email", _("This address is already registered to this event."))
            existing = exc.registration
            if existing.status == S.CANCELLED:
                form.add_error(None, _("It cancelled earlier: adding it again is not "
                                       "possible from here."))
            status = 409
        except services.EventFull:
            form.add_error(None, _("The event is full and has no waiting list: nobody "
                                   "was added."))
            status = 409
        else:
            if done.registration.status == S.WAITLISTED:
                messages.warning(request, _("The event is full: the person is on the "
                                            "waiting list."))
            else:
                messages.success(request, _("Registration added. The person receives "
                                            "their personal link by email."))
            return redirect(_detail_url(client_slug, event, done.registration))
    return render(request, "manager/registrants/form.html", {
        "m": membership, "event": event, "form": form, "language_form": language,
        "adding": True}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def registrant_edit(request: HttpRequest, client_slug: str, event_id: str,
                    registration_id: str) -> HttpResponse:
    """Rectify answers (P4.1) with the form's rules; the address is not changed here."""
    membership, event = _scope(request, client_slug, event_id)
    registration = _registration(membership, event, registration_id)
    require(membership, MANAGE)
    refused = _refuse_if_restricted(request, client_slug, event, registration)
    if refused is not None:
        return refused
    with keystore.unit_of_work():
        if request.method == "POST":
            form = RegistrationForm(event, [], request.POST)
        else:
            form = RegistrationForm(event, [], initial=initial_for(registration, event))
        del form.fields["email"]
        email = registration.email
        status = 200
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
                messages.success(request, _("Changes saved."))
                return redirect(_detail_url(client_slug, event, registration))
        return render(request, "manager/registrants/form.html", {
            "m": membership, "event": event, "form": form, "r": registration,
            "email": email, "adding": False}, status=status)


def _action(request: HttpRequest, client_slug: str, event_id: str,
            registration_id: str) -> tuple[Event, Registration]:
    membership, event = _scope(request, client_slug, event_id)
    registration = _registration(membership, event, registration_id)
    require(membership, MANAGE)
    return event, registration


@login_required
@require_POST
def registrant_cancel(request: HttpRequest, client_slug: str, event_id: str,
                      registration_id: str) -> HttpResponse:
    event, registration = _action(request, client_slug, event_id, registration_id)
    refused = _refuse_if_restricted(request, client_slug, event, registration)
    if refused is not None:
        return refused
    if services.cancel(registration, actor=_actor(request), by_participant=False):
        messages.success(request, _("Registration cancelled; the person is told by email. "
                                    "A freed place goes to the waiting list."))
    else:
        messages.error(request, _("This registration is not active: nothing to cancel."))
    return redirect(_detail_url(client_slug, event, registration))


@login_required
@require_POST
def registrant_approve(request: HttpRequest, client_slug: str, event_id: str,
                       registration_id: str) -> HttpResponse:
    event, registration = _action(request, client_slug, event_id, registration_id)
    refused = _refuse_if_restricted(request, client_slug, event, registration)
    if refused is not None:
        return refused
    try:
        status = services.approve(registration, actor=_actor(request))
    except services.WrongStatus:
        messages.error(request, _("Only a registration awaiting approval can be approved."))
    except services.EventFull:
        messages.error(request, _("The event is full and has no waiting list: the "
                                  "registration still awaits approval."))
    else:
        if status == S.WAITLISTED:
            messages.warning(request, _("Approved. The event is full: the person is on the "
                                        "waiting list."))
        else:
            messages.success(request, _("Approved. The person receives their personal "
                                        "link by email."))
    return redirect(_detail_url(client_slug, event, registration))


@login_required
@require_POST
def registrant_deny(request: HttpRequest, client_slug: str, event_id: str,
                    registration_id: str) -> HttpResponse:
    event, registration = _action(request, client_slug, event_id, registration_id)
    refused = _refuse_if_restricted(request, client_slug, event, registration)
    if refused is not None:
        return refused
    note = request.POST.get("note", "")[:1000]
    try:
        services.deny(registration, note=note, actor=_actor(request))
    except services.WrongStatus:
        messages.error(request, _("This registration can no longer be denied."))
    else:
        messages.success(request, _("Registration denied; the person is told by email, "
                                    "with your message if you wrote one."))
    return redirect(_detail_url(client_slug, event, registration))


# --- Export ----------------------------------------------------------------------------------

def _csv_response(chunks: Iterator[str], count: int) -> HttpResponse:
    """Streamed past ``exports.STREAM_FROM`` rows (memory stays flat whatever the size);
    smaller files are sent whole, with their length, so the browser shows progress."""
    if count >= exports.STREAM_FROM:
        return StreamingHttpResponse(  # type: ignore[return-value]
            chunks, content_type="text/csv; charset=utf-8")
    return HttpResponse("".join(chunks), content_type="text/csv; charset=utf-8")


def _export(request: HttpRequest, client_slug: str, event_id: str, fmt: str) -> HttpResponse:
    membership, event = _scope(request, client_slug, event_id)
    require(membership, MANAGE)
    status = request.GET.get("status", "")
    rows = exports.registrants(event, status if status in RegistrationStatus.values else "")
    count = rows.count()
    exports.record_export(event, fmt, count, actor=_actor(request))
    export_made(event.client_id, _actor(request), count)  # unusual exports (S-04, B-06)
    plan = exports.plan(event)
    name = f"registrants-{event.starts_at:%Y%m%d}-{str(event.pk)[:8]}"
    response: HttpResponse
    if fmt == "csv":
        response = _csv_response(exports.csv_chunks(exports.rows(plan, rows)), count)
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    else:
        content = exports.xlsx_bytes(exports.rows(plan, rows), event.title)
        response = HttpResponse(content, content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def export_csv(request: HttpRequest, client_slug: str, event_id: str) -> HttpResponse:
    return _export(request, client_slug, event_id, "csv")


@login_required
@require_GET
def export_xlsx(request: HttpRequest, client_slug: str, event_id: str) -> HttpResponse:
    return _export(request, client_slug, event_id, "xlsx")


# --- Import --------------------------------------------------------------------------------

class InMemoryUpload(FileUploadHandler):
    """Keeps an uploaded file in memory, up to ``imports.MAX_BYTES``. Django's default
    handlers write a file over 2.5 MB to a temporary file, in clear; this one never
    touches the disk, and the view seals the bytes at once."""

    too_big = False

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.buffer = io.BytesIO()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        if self.buffer.tell() + len(raw_data) > imports.MAX_BYTES:
            self.too_big = True
            self.buffer = io.BytesIO()
            raise SkipFile
        self.buffer.write(raw_data)
        return None

    def file_complete(self, file_size: int) -> InMemoryUploadedFile:
        self.buffer.seek(0)
        return InMemoryUploadedFile(self.buffer, self.field_name, self.file_name or "",
                                    self.content_type, file_size, self.charset,
                                    self.content_type_extra)


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"), required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}))
    text = forms.CharField(
        label=gettext_lazy("Or paste the lines"), required=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
        help_text=gettext_lazy("The first line names the columns."))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("file") and not (data.get("text") or "").strip():
            raise ValidationError(_("Choose a CSV file, or paste its lines."))
        if data.get("file") and (data.get("text") or "").strip():
            raise ValidationError(_("Choose a file or paste lines, not both."))
        return data


@csrf_exempt  # checked by csrf_protect below, once the upload handler is in place
def import_upload(request: HttpRequest, client_slug: str, event_id: str) -> HttpResponse:
    handler = InMemoryUpload(request)
    request.upload_handlers = [handler]
    return _import_upload(request, client_slug, event_id, handler)


@csrf_protect
@login_required
@require_http_methods(["GET", "POST"])
def _import_upload(request: HttpRequest, client_slug: str, event_id: str,
                   handler: InMemoryUpload) -> HttpResponse:
    membership, event = _scope(request, client_slug, event_id)
    require(membership, MANAGE)
    posted = request.method == "POST"
    form = UploadForm(request.POST if posted else None, request.FILES if posted else None)
    status = 200
    if request.method == "POST":
        status = 400
        if handler.too_big:
            form.is_valid()
            form.errors.clear()  # "choose a file" would be wrong: it was too large
            form.add_error("file", _("The file is larger than 20 MB: split it into "
                                     "several files."))
        elif form.is_valid():
            upload = form.cleaned_data.get("file")
            raw = upload.read() if upload else form.cleaned_data["text"].encode()
            try:
                imp = imports.create_import(event, raw, actor=_actor(request),
                                            user_id=request.user.pk,
                                            language=translation.get_language() or "fr")
            except imports.BadFile as exc:
                form.add_error("file" if upload else "text", str(exc))
            else:
                return redirect("manager:registrants-import-detail", client_slug=client_slug,
                                event_id=event.pk, import_id=imp.pk)
    specs = fields_for(event)
    return render(request, "manager/registrants/import.html", {
        "m": membership, "event": event, "form": form, "specs": specs,
        "recent": Import.objects.filter(client=membership.client, event=event)[:10],
        "max_lines": imports.MAX_RECORDS}, status=status)


class BasisForm(forms.Form):
    basis = forms.ChoiceField(
        label=gettext_lazy("Legal basis for processing these people's data"),
        choices=ImportBasis.choices, widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy(
            "Choose the legal basis for processing these people's data.")})


def _progress(imp: Import) -> dict[str, Any]:
    working = imp.status in {ISt.ANALYSING, ISt.QUEUED, ISt.RUNNING}
    return {"status": imp.status, "status_label": imp.get_status_display(),
            "processed": imp.processed, "total": imp.total, "working": working,
            "summary": imports.summary(imp) if imp.outcomes else {}}


def _render_import(request: HttpRequest, membership: Membership, event: Event, imp: Import,
                   form: BasisForm, status: int = 200) -> HttpResponse:
    columns: list[str] = []
    preview: list[dict[str, Any]] = []
    if imp.status == ISt.READY:
        with keystore.unit_of_work():
            columns, preview = imports.preview(imp)
    problems = [{"line": line, "outcome": outcome, "reason": reason}
                for line, outcome, reason in imports.report_rows(imp) if reason][:1000]
    return render(request, "manager/registrants/import_detail.html", {
        "m": membership, "event": event, "imp": imp, "form": form, "columns": columns,
        "preview": preview, "analysis": imp.analysis, "problems": problems,
        "progress": _progress(imp), "summary": imports.summary(imp),
        "bad": imp.analysis.get("bad", []),
    }, status=status)


@never_cache
@login_required
@require_GET
def import_detail(request: HttpRequest, client_slug: str, event_id: str,
                  import_id: str) -> HttpResponse:
    membership, event = _scope(request, client_slug, event_id)
    imp = _import(membership, event, import_id)
    require(membership, MANAGE)
    return _render_import(request, membership, event, imp, BasisForm())


@login_required
@require_POST
def import_confirm(request: HttpRequest, client_slug: str, event_id: str,
                   import_id: str) -> HttpResponse:
    membership, event = _scope(request, client_slug, event_id)
    imp = _import(membership, event, import_id)
    require(membership, MANAGE)
    form = BasisForm(request.POST)
    if not form.is_valid():
        return _render_import(request, membership, event, imp, form, status=400)
    if imports.confirm(imp, form.cleaned_data["basis"], actor=_actor(request),
                       user_id=request.user.pk):
        messages.success(request, _("Import started. You can leave this page: it goes on "
                                    "in the background."))
    else:
        messages.error(request, _("This import is not waiting for a confirmation."))
    return redirect("manager:registrants-import-detail", client_slug=client_slug,
                    event_id=event.pk, import_id=imp.pk)


@login_required
@require_POST
def import_discard(request: HttpRequest, client_slug: str, event_id: str,
                   import_id: str) -> HttpResponse:
    membership, event = _scope(request, client_slug, event_id)
    imp = _import(membership, event, import_id)
    require(membership, MANAGE)
    if imports.discard(imp, actor=_actor(request)):
        messages.success(request, _("Import discarded: the file was deleted."))
    else:
        messages.error(request, _("This import has started or ended: it cannot be "
                                  "discarded."))
    return redirect("manager:registrants-import", client_slug=client_slug, event_id=event.pk)


@never_cache
@login_required
@require_GET
def import_status(request: HttpRequest, client_slug: str, event_id: str,
                  import_id: str) -> HttpResponse:
    membership, event = _scope(request, client_slug, event_id)
    imp = _import(membership, event, import_id)
    require(membership, MANAGE)
    return JsonResponse(_progress(imp))


@login_required
@require_GET
def import_report(request: HttpRequest, client_slug: str, event_id: str,
                  import_id: str) -> HttpResponse:
    """Line → outcome → reason: no value of the file, only its line numbers."""
    membership, event = _scope(request, client_slug, event_id)
    imp = _import(membership, event, import_id)
    require(membership, MANAGE)
    lines: list[list[Any]] = [[_("Line"), _("Outcome"), _("Reason")]]
    lines += [[line, outcome, reason] for line, outcome, reason in imports.report_rows(imp)]
    response = _csv_response(
        exports.csv_chunks([exports.guard(v) for v in line] for line in lines), len(lines))
    response["Content-Disposition"] = f'attachment; filename="import-{str(imp.pk)[:8]}.csv"'
    return response
