"""The console's "Audit trail" page (operator staff only, P6.6): the chain's last
verification, a button to verify it now, and the latest entries, filtered by client and
action. Entries are pseudonymous ids; no personal data is shown (P3.4)."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from livesession.audit.models import AuditEntry
from livesession.audit.services import check, record
from livesession.console.views import operator_only
from livesession.core.models import Client
from livesession.core.paging import page_of

VERIFIED = "audit.verified"


class FilterForm(forms.Form):
    client = forms.ModelChoiceField(label=_("Client"), queryset=Client.objects.order_by("name"),
                                    required=False, empty_label=_("All clients"))
    action = forms.CharField(label=_("Action"), required=False, max_length=80,
                             help_text=_("Exact action, or its beginning followed by a dot, "
                                         "such as event. for every event action."))


@operator_only
@require_http_methods(["GET"])
def trail(request: HttpRequest) -> HttpResponse:
    """The entries, newest first, 50 a page (``core.paging``), actions in words."""
    form = FilterForm(request.GET or None)
    rows = AuditEntry.objects.order_by("-id")
    if form.is_valid():
        client, action = form.cleaned_data["client"], form.cleaned_data["action"]
        if client is not None:
            rows = rows.filter(client_id=client.pk)
        if action:
            action = action.strip()
            rows = (rows.filter(action__startswith=action) if action.endswith(".")
                    else rows.filter(action=action))
    paged = page_of(request, rows)
    entries = list(paged["page"].object_list)
    names = dict(Client.objects.filter(pk__in={e.client_id for e in entries if e.client_id})
                 .values_list("pk", "name"))
    return render(request, "console/audit/trail.html", {
        **paged, "form": form,
        "entries": [(e, names.get(e.client_id or 0, "")) for e in entries],
        "last_check": AuditEntry.objects.filter(action=VERIFIED).order_by("-id").first(),
        "total": AuditEntry.objects.count(),
    }, status=400 if request.GET and not form.is_valid() else 200)


@operator_only
@require_POST
def verify_now(request: HttpRequest) -> HttpResponse:
    """Walk the whole chain now; the result is itself appended to the trail."""
    status = check()
    record(f"account:{request.user.pk}", VERIFIED, details={
        "intact": status.intact, "entries": status.entries, "head": status.head,
        "broken_id": status.broken_id})
    return redirect(reverse("console:audit"))
