"""Console pages of staff access (P3.4, P3.5, P6.4, P6.5): open a grant with a reason, then,
while it is open, read the client's events and registrants, read-only. Every page read
under a grant is logged (``services.record_read``) before it is shown; without an open
grant the answer is 403 with the reason."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from livesession.accounts.models import User
from livesession.console.views import operator_only
from livesession.core import clock
from livesession.core.models import Client
from livesession.events.models import Event
from livesession.protection import keystore
from livesession.registrations import search
from livesession.staffaccess import mfa_views, services
from livesession.staffaccess.models import StaffAccessGrant


class GrantForm(forms.Form):
    client = forms.ModelChoiceField(label=gettext_lazy("Client"),
                                    queryset=Client.objects.filter(is_active=True))
    reason = forms.CharField(
        label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=gettext_lazy("Why you need this client's data: the task, the client's "
                               "instruction. The client reads it. Write no participant's "
                               "name or personal detail here."))
    ticket = forms.CharField(label=gettext_lazy("Ticket reference (optional)"),
                             max_length=100, required=False)


def _staff(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _refused(request: HttpRequest) -> HttpResponse:
    return render(request, "console/staff/refused.html", status=403)


@require_http_methods(["GET", "POST"])
def _mfa(request: HttpRequest) -> HttpResponse:
    return mfa_views.setup_page(request, base_template="console/base.html",
                                done_url=reverse("console:home"))


# The page where staff set up and prove their second factor needs neither (S-02).
mfa_page = operator_only(_mfa, needs_ack=False, needs_mfa=False)


@operator_only
@require_http_methods(["GET", "POST"])
def grants(request: HttpRequest) -> HttpResponse:
    form = GrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            grant = services.open_grant(_staff(request), form.cleaned_data["client"],
                                        form.cleaned_data["reason"], form.cleaned_data["ticket"])
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            return redirect("console:staff-access-grant", grant_id=grant.pk)
    mine = StaffAccessGrant.objects.select_related("client").filter(
        staff=_staff(request))[:50]
    at = clock.now()
    return render(request, "console/staff/grants.html", {
        "form": form, "grants": [(g, g.is_open(at)) for g in mine],
    }, status=400 if form.errors else 200)


@operator_only
@require_GET
def grant_detail(request: HttpRequest, grant_id: Any) -> HttpResponse:
    try:
        grant = services.open_grant_for(_staff(request), grant_id)
    except services.NoOpenGrant:
        return _refused(request)
    events = list(Event.objects.filter(client=grant.client).order_by("-starts_at")[:200])
    services.record_read(_staff(request), grant, "list of events", rows=len(events))
    return render(request, "console/staff/grant.html", {"grant": grant, "events": events})


@operator_only
@require_POST
def grant_end(request: HttpRequest, grant_id: Any) -> HttpResponse:
    grant = StaffAccessGrant.objects.filter(pk=grant_id, staff=_staff(request)).first()
    if grant is None:
        return _refused(request)
    services.end_grant(_staff(request), grant)
    return redirect("console:staff-access")


@operator_only
@require_GET
def grant_registrants(request: HttpRequest, grant_id: Any, event_id: Any) -> HttpResponse:
    """An event's registrants, read-only, through the Manager's read path
    (``registrations.search.listing``): one page at a time, each page logged."""
    try:
        grant = services.open_grant_for(_staff(request), grant_id)
    except services.NoOpenGrant:
        return _refused(request)
    event = Event.objects.filter(client=grant.client, pk=event_id).first()
    if event is None:
        raise Http404
    found = search.listing(grant.client.pk, event.pk, after=request.GET.get("after", ""),
                           before=request.GET.get("before", ""))
    services.record_read(_staff(request), grant, f"registrants of event:{event.pk}",
                         target=f"event:{event.pk}", rows=len(found.rows))
    with keystore.unit_of_work():
        keystore.preload(r.subject_id for r in found.rows)
        people = [{"email": r.email, "first_name": r.first_name, "last_name": r.last_name,
                   "status": r.get_status_display(), "created_at": r.created_at}
                  for r in found.rows]
    return render(request, "console/staff/registrants.html", {
        "grant": grant, "event": event, "people": people, "page": found,
        "title": _("Registrants of %(event)s") % {"event": event.title},
    })
