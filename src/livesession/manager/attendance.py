"""The Manager's attendance of an event (issue 4 §4, §6, §9), and the organizer's actions
on a participant's personal link (§1).

Per session (or the event without sessions): expected, present, no-shows, average minutes
where measured, concurrent use; one session's timeline (first accesses per 5 minutes, as
bars and as a table), its attendees and no-shows; the replay of that session; the export
in CSV and XLSX. Viewing needs "view"; the export (personal data out, P6.5), the replay
and the link actions need "manage_events". Objects are read with the member's client in
the filter: another client's event answers 404.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterator
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from livesession.access import reports
from livesession.access import services as access
from livesession.audit.services import record
from livesession.core.models import Membership
from livesession.core.tenancy import membership_or_404, owned_or_404, require
from livesession.events.models import Event, Session
from livesession.incidents.detect import export_made
from livesession.manager.registrants import RESTRICTED_REFUSAL
from livesession.protection import crypto, keystore
from livesession.protection.restriction import ProcessingRestricted
from livesession.registrations import exports
from livesession.registrations.models import Registration

MANAGE = "manage_events"
VIEW = "view"
SHOWN = 500  # attendees and no-shows listed on the page; the export has them all
LOCAL_INPUT = "%Y-%m-%dT%H:%M"


def _actor(request: HttpRequest) -> str:
    return f"account:{request.user.pk}"


def _scope(request: HttpRequest, client_slug: str, event_id: Any) -> tuple[Membership, Event]:
    membership = membership_or_404(request.user, client_slug)
    event = owned_or_404(Event, membership.client, pk=event_id)
    require(membership, VIEW)
    return membership, event


class AccessForm(forms.Form):
    opens_minutes_before = forms.IntegerField(
        label=gettext_lazy("The room opens (minutes before the start)"), min_value=0,
        max_value=access.OPENS_MAX, widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text=gettext_lazy("Before that, the personal link shows a waiting page with a "
                               "countdown."))
    one_device_only = forms.BooleanField(
        label=gettext_lazy("One device at a time per personal link"), required=False,
        help_text=gettext_lazy("A second device is refused while the first one is in the "
                               "room. Without it, use from several devices at once is "
                               "only flagged here."))


def _access_form(event: Event, data: Any = None) -> AccessForm:
    return AccessForm(data, initial={"opens_minutes_before": event.opens_minutes_before,
                                     "one_device_only": event.one_device_only})


@login_required
@require_GET
def overview(request: HttpRequest, client_slug: str, event_id: str) -> HttpResponse:
    membership, event = _scope(request, client_slug, event_id)
    return _overview(request, membership, event, _access_form(event))


def _overview(request: HttpRequest, membership: Membership, event: Event, form: AccessForm,
              status: int = 200) -> HttpResponse:
    return render(request, "manager/attendance/overview.html", {
        "m": membership, "event": event, "summaries": reports.summaries(event),
        "can_manage": membership.can(MANAGE), "form": form,
    }, status=status)


@login_required
@require_POST
def access_options(request: HttpRequest, client_slug: str, event_id: str) -> HttpResponse:
    membership, event = _scope(request, client_slug, event_id)
    require(membership, MANAGE)
    form = _access_form(event, request.POST)
    if not form.is_valid():
        return _overview(request, membership, event, form, status=400)
    access.set_access_options(event, actor=_actor(request),
                              one_device_only=form.cleaned_data["one_device_only"],
                              opens_minutes_before=form.cleaned_data["opens_minutes_before"])
    messages.success(request, _("Access settings saved."))
    return redirect(reverse("manager:attendance", kwargs={"client_slug": client_slug,
                                                          "event_id": event.pk}))


class ReplayForm(forms.Form):
    replay_url = forms.URLField(label=gettext_lazy("Replay URL"), required=False,
                                max_length=500, assume_scheme="https",
                                help_text=gettext_lazy("Empty: no replay."))
    replay_expires_at = forms.DateTimeField(
        label=gettext_lazy("Available until"), required=False, input_formats=[LOCAL_INPUT],
        help_text=gettext_lazy("Date and time in the event's time zone. Empty: no expiry."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_INPUT))

    def __init__(self, event: Event, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.zone = zoneinfo.ZoneInfo(event.time_zone)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        value = data.get("replay_expires_at")
        if isinstance(value, dt.datetime):
            data["replay_expires_at"] = value.replace(tzinfo=None).replace(tzinfo=self.zone)
        return data


def _replay_form(event: Event, t: reports.Target, data: Any = None) -> ReplayForm:
    source: Event | Session = t.session or event
    expires = source.replay_expires_at
    initial = {"replay_url": source.replay_url,
               "replay_expires_at": expires.astimezone(zoneinfo.ZoneInfo(event.time_zone))
               .replace(tzinfo=None) if expires else None}
    return ReplayForm(event, data, initial=initial)


@login_required
@require_GET
def session_detail(request: HttpRequest, client_slug: str, event_id: str,
                   key: int) -> HttpResponse:
    membership, event = _scope(request, client_slug, event_id)
    t = reports.target(event, key)
    if t is None:
        raise Http404
    return _session_page(request, membership, event, t, _replay_form(event, t))


def _session_page(request: HttpRequest, membership: Membership, event: Event,
                  t: reports.Target, form: ReplayForm, status: int = 200) -> HttpResponse:
    present = list(reports.attendances(event, t.key).order_by("first_access_at")[:SHOWN])
    absent = list(reports.no_shows(event, t.key).order_by("created_at")[:SHOWN])
    with keystore.unit_of_work():
        keystore.preload([a.registration.subject_id for a in present]
                         + [r.subject_id for r in absent])
        attendees = [{"a": a, "email": a.registration.email,
                      "name": f"{a.registration.first_name} {a.registration.last_name}".strip(),
                      "registration_id": a.registration_id} for a in present]
        missing = [{"email": r.email, "name": f"{r.first_name} {r.last_name}".strip(),
                    "registration_id": r.pk} for r in absent]
    return render(request, "manager/attendance/session.html", {
        "m": membership, "event": event, "t": t, "attendees": attendees, "missing": missing,
        "timeline": reports.timeline(event, t), "shown": SHOWN, "form": form,
        "can_manage": membership.can(MANAGE),
        "measured": any(a.presence_measured for a in present),
    }, status=status)


@login_required
@require_POST
def session_replay(request: HttpRequest, client_slug: str, event_id: str,
                   key: int) -> HttpResponse:
    """Set or clear the replay of the event or of one session (issue 4 §6)."""
    membership, event = _scope(request, client_slug, event_id)
    require(membership, MANAGE)
    t = reports.target(event, key)
    if t is None:
        raise Http404
    form = _replay_form(event, t, request.POST)
    if not form.is_valid():
        return _session_page(request, membership, event, t, form, status=400)
    url = form.cleaned_data["replay_url"] or ""
    access.set_replay(t.session or event, url, form.cleaned_data.get("replay_expires_at"),
                      actor=_actor(request))
    messages.success(request, _("Replay saved: participants reach it through their "
                                "personal link once the session is over.") if url
                     else _("Replay removed."))
    return redirect(reverse("manager:attendance-session", kwargs={
        "client_slug": client_slug, "event_id": event.pk, "key": t.key}))


def _export(request: HttpRequest, client_slug: str, event_id: str, fmt: str) -> HttpResponse:
    membership, event = _scope(request, client_slug, event_id)
    require(membership, MANAGE)
    count = reports.count_rows(event)
    record(_actor(request), "attendance.exported", target=f"event:{event.pk}",
           client_id=event.client_id, details={"format": fmt, "rows": count})
    export_made(event.client_id, _actor(request), count)  # unusual exports (S-04, B-06)
    lines = _export_lines(event)
    name = f"attendance-{event.starts_at:%Y%m%d}-{str(event.pk)[:8]}"
    response: HttpResponse
    if fmt == "csv":
        # Streamed past ``exports.STREAM_FROM`` lines, like the registrants' export: a
        # million lines never sit in memory (S5: the whole list used to be built first,
        # about 1.1 GB per million lines); a small file is sent whole, with its length.
        if count >= exports.STREAM_FROM:
            response = StreamingHttpResponse(  # type: ignore[assignment]
                exports.csv_chunks(lines), content_type="text/csv; charset=utf-8")
        else:
            response = HttpResponse("".join(exports.csv_chunks(lines)),
                                    content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(exports.xlsx_bytes(lines, event.title), content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response


def _export_lines(event: Event) -> Iterator[list[Any]]:
    """The export's lines, read ``exports.CHUNK`` expected people at a time (with their
    attendance rows and keys for that chunk only), so memory stays flat at any size. The
    same lines, in the same order, as ``reports.export_rows``: per session, the expected
    people by registration date, present or absent, then those present without a place
    any more. Words are translated now, in the viewer's language: a streamed response is
    read after the request's language is gone."""
    zone = zoneinfo.ZoneInfo(event.time_zone)
    yes, no = _("Yes"), _("No")
    header = [exports.guard(h) for h in reports.export_header()]

    def when(value: dt.datetime | None) -> str:
        return value.astimezone(zone).strftime("%Y-%m-%d %H:%M") if value else ""

    # Rows are read as tuples, not models: at a million lines, building two model
    # instances per line cost more than everything else (S5 profile). Sealed values are
    # opened as ``Sealed.__get__`` does, with the chunk's preloaded keys.
    people = ("pk", "subject_id", "email_enc", "first_name_enc", "last_name_enc")
    figures = ("registration_id", "first_access_at", "last_seen_at", "seconds_present",
               "presence_measured", "accesses", "devices", "concurrent_uses")

    def line(person: tuple[Any, ...], title: str, row: tuple[Any, ...] | None) -> list[Any]:
        _pk, subject_id, *sealed = person
        email, first, last = (_open(subject_id, token, context)
                              for token, context in zip(sealed, SEALED, strict=True))
        if row is None:
            cells: list[Any] = [email, first, last, title, no, "", "", "", 0, 0, ""]
        else:
            _rid, first_at, last_at, seconds, measured, accesses, devices, concurrent = row
            cells = [email, first, last, title, yes, when(first_at), when(last_at),
                     round(seconds / 60) if measured else "", accesses, devices or 0,
                     yes if concurrent else no]
        return [exports.guard(cell) for cell in cells]

    def generate() -> Iterator[list[Any]]:
        yield header
        for t in reports.targets(event):
            expected = reports.expected(event, t.key)
            for chunk in _in_chunks(expected.order_by("created_at", "id").values_list(*people)):
                present = {row[0]: row for row in reports.attendances(event, t.key)
                           .filter(registration_id__in=[p[0] for p in chunk])
                           .values_list(*figures)}
                with keystore.unit_of_work():
                    keystore.preload(p[1] for p in chunk)
                    for person in chunk:
                        yield line(person, t.title, present.get(person[0]))
            # Present without a place any more (cancelled after coming); restricted people
            # are already out of both.
            gone = (reports.attendances(event, t.key)
                    .exclude(registration_id__in=expected.values("pk"))
                    .order_by("first_access_at", "id")
                    .values_list(*(f"registration__{f}" if f != "pk" else "registration_id"
                                   for f in people), *figures))
            for rows in _in_chunks(gone):
                with keystore.unit_of_work():
                    keystore.preload(row[1] for row in rows)
                    for row in rows:
                        yield line(row[:len(people)], t.title, row[len(people):])

    return generate()


SEALED = [Registration.__dict__[name].context for name in ("email", "first_name", "last_name")]


def _open(subject_id: Any, token: str, context: str) -> str:
    """A sealed value of a registration, as ``protection.fields.Sealed`` reads it ("" once
    the person's key is destroyed)."""
    if not token:
        return ""
    try:
        return crypto.open_sealed(keystore.get_key(subject_id), token, context)
    except crypto.KeyDestroyed:
        return ""


def _in_chunks(rows: Any) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for row in rows.iterator(chunk_size=exports.CHUNK):
        chunk.append(row)
        if len(chunk) >= exports.CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@login_required
@require_GET
def export_csv(request: HttpRequest, client_slug: str, event_id: str) -> HttpResponse:
    return _export(request, client_slug, event_id, "csv")


@login_required
@require_GET
def export_xlsx(request: HttpRequest, client_slug: str, event_id: str) -> HttpResponse:
    return _export(request, client_slug, event_id, "xlsx")


# --- A participant's personal link (issue 4 §1) -----------------------------------------

def _registration(request: HttpRequest, client_slug: str, event_id: str,
                  registration_id: str) -> tuple[Event, Registration]:
    membership, event = _scope(request, client_slug, event_id)
    registration = owned_or_404(Registration, membership.client, event=event,
                                pk=registration_id)
    require(membership, MANAGE)
    return event, registration


def _back(client_slug: str, event: Event, registration: Registration) -> HttpResponse:
    return redirect(reverse("manager:registrant", kwargs={
        "client_slug": client_slug, "event_id": event.pk, "registration_id": registration.pk}))


@login_required
@require_http_methods(["POST"])
def link_regenerate(request: HttpRequest, client_slug: str, event_id: str,
                    registration_id: str) -> HttpResponse:
    event, registration = _registration(request, client_slug, event_id, registration_id)
    try:
        access.regenerate(registration, actor=_actor(request))
    except ProcessingRestricted:
        messages.error(request, RESTRICTED_REFUSAL)
        return _back(client_slug, event, registration)
    messages.success(request, _("A new personal link was made and sent to the participant's "
                                "address; the old link no longer works."))
    return _back(client_slug, event, registration)


@login_required
@require_http_methods(["POST"])
def link_revoke(request: HttpRequest, client_slug: str, event_id: str,
                registration_id: str) -> HttpResponse:
    event, registration = _registration(request, client_slug, event_id, registration_id)
    access.revoke_link(registration, actor=_actor(request))
    messages.success(request, _("The personal link no longer works. The participant can "
                                "be sent a new one."))
    return _back(client_slug, event, registration)
