"""The console's contract pages (issue 6 §2; P4.4, P6.9): every client's contract state,
termination (with a reason and the client's short name typed again), and the destruction
certificates. No client data is shown here, only states, dates and counts (P3.4)."""

from __future__ import annotations

import json
import uuid

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from livesession.console.views import operator_only
from livesession.contracts import destruction, services
from livesession.contracts.models import Contract, DestructionCertificate, ReturnPackage
from livesession.core.models import Client


class TerminateForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for ending the contract"), max_length=services.MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("For example: the client's notice of termination and its date. "
                               "No personal data."))
    confirm_slug = forms.CharField(
        label=gettext_lazy("Type the client's short name to confirm"), max_length=60,
        help_text=gettext_lazy("The client's space becomes read-only at once; its data is "
                               "destroyed at the end of the return period."))

    def __init__(self, *args: object, client: Client, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.client = client

    def clean_confirm_slug(self) -> str:
        value = str(self.cleaned_data["confirm_slug"]).strip()
        if value != self.client.slug:
            raise ValidationError(_("This is not the client's short name. Type “%(slug)s” "
                                    "exactly.") % {"slug": self.client.slug})
        return value


@operator_only
@require_GET
def contracts(request: HttpRequest) -> HttpResponse:
    rows = []
    by_client = {c.client_id: c for c in Contract.objects.all()}
    for client in Client.objects.order_by("name"):
        row = by_client.get(client.pk)
        rows.append({"client": client, "contract": row,
                     "destroy_on": services.destroy_on(row) if row is not None else None,
                     "held": row is not None and row.state == "terminated"
                     and services.is_held(client.pk)})
    return render(request, "console/contracts/list.html", {
        "rows": rows,
        "certificates": DestructionCertificate.objects.order_by("-started_at")[:50],
    })


@operator_only
@require_http_methods(["GET", "POST"])
def contract(request: HttpRequest, client_id: int) -> HttpResponse:
    client = Client.objects.filter(pk=client_id).first()
    if client is None:
        raise Http404
    row = services.contract_of(client)
    form = TerminateForm(request.POST or None, client=client)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.terminate(client, actor=f"account:{request.user.pk}",
                                   reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for field, errors in exc.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, exc.messages)
            else:
                messages.success(request, _("The contract is terminated. The client's space "
                                            "is read-only and its owners were told."))
                return redirect("console:contract", client_id=client.pk)
        status = 400
    return render(request, "console/contracts/contract.html", {
        "client": client, "contract": row, "form": form,
        "destroy_on": services.destroy_on(row) if row is not None else None,
        "return_days": services.return_days(client),
        "held": services.is_held(client.pk),
        "packages": ReturnPackage.objects.filter(client=client).order_by("-created_at")[:10],
        "certificate": services.certificate_of(client.pk),
    }, status=status)


@operator_only
@require_GET
def certificate(request: HttpRequest, certificate_id: uuid.UUID) -> HttpResponse:
    cert = DestructionCertificate.objects.filter(pk=certificate_id).first()
    if cert is None:
        raise Http404
    document = destruction.certificate_document(cert)
    if request.GET.get("format") == "json":
        response = HttpResponse(json.dumps(document, indent=2, sort_keys=True),
                                content_type="application/json")
        response["Content-Disposition"] = (
            f'attachment; filename="destruction-certificate-{cert.client_ref}.json"')
        return response
    return render(request, "console/contracts/certificate.html",
                  {"cert": cert, "document": document})
