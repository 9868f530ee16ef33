"""Register pages and exports: the whole register in the operator's console, each client's
processor record in its Manager, and the client's compliance evidence (owners and
administrators). Every export is audited (P3.2, P6.6)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from livesession.console.views import operator_only
from livesession.core.clock import now
from livesession.core.models import Client
from livesession.core.tenancy import membership_or_404, require
from livesession.registers import exports, services


def _actor(request: HttpRequest) -> str:
    return f"account:{request.user.pk}"


def _format(request: HttpRequest) -> str:
    """The export's format from ``?format=`` (json by default); another is a 404."""
    fmt = request.GET.get("format", "json")
    if fmt not in exports.FORMATS:
        raise Http404
    return fmt


def _download(document: dict[str, Any], fmt: str, stem: str) -> HttpResponse:
    if fmt == "json":
        body = exports.to_json(document)
    elif fmt == "csv":
        body = exports.to_csv(document)
    else:
        body = exports.to_html(document)
    response = HttpResponse(body, content_type=exports.CONTENT_TYPES[fmt])
    if fmt != "html":  # the printable page opens in the browser, ready to print
        response["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response


def _stem(name: str) -> str:
    return f"{name}-{now():%Y-%m-%d}"


# --- Console -------------------------------------------------------------------------------

@operator_only
@require_GET
def console_register(request: HttpRequest) -> HttpResponse:
    document = services.register_document()
    return render(request, "console/registers/index.html", {"doc": document})


@operator_only
@require_GET
def console_export(request: HttpRequest) -> HttpResponse:
    fmt = _format(request)
    document = services.register_document()
    services.record_export(_actor(request), "register", fmt=fmt)
    return _download(document, fmt, _stem("register-of-processing"))


@operator_only
@require_GET
def console_client(request: HttpRequest, client_id: int) -> HttpResponse:
    client = get_object_or_404(Client, pk=client_id)
    document = services.register_document(client)
    record = document["processor_records"][0]
    return render(request, "console/registers/client.html", {
        "doc": document, "rec": record, "client": client,
        "versions": services.versions(record["key"])[:20]})


@operator_only
@require_GET
def console_client_export(request: HttpRequest, client_id: int) -> HttpResponse:
    client = get_object_or_404(Client, pk=client_id)
    fmt = _format(request)
    document = services.register_document(client)
    services.record_export(_actor(request), "processor_record", client=client, fmt=fmt)
    return _download(document, fmt, _stem(f"processor-record-{client.slug}"))


# --- Manager -------------------------------------------------------------------------------

@login_required
@require_GET
def manager_record(request: HttpRequest, client_slug: str) -> HttpResponse:
    """The client's own processor record (P-06: every member may read it)."""
    membership = membership_or_404(request.user, client_slug)
    require(membership, "view")
    document = services.register_document(membership.client)
    record = document["processor_records"][0]
    return render(request, "manager/registers/record.html", {
        "m": membership, "doc": document, "rec": record,
        "versions": services.versions(record["key"])[:20]})


@login_required
@require_GET
def manager_export(request: HttpRequest, client_slug: str) -> HttpResponse:
    membership = membership_or_404(request.user, client_slug)
    require(membership, "view")
    fmt = _format(request)
    document = services.register_document(membership.client)
    services.record_export(_actor(request), "processor_record", client=membership.client,
                           fmt=fmt)
    return _download(document, fmt, _stem(f"processor-record-{membership.client.slug}"))


@login_required
@require_GET
def manager_compliance(request: HttpRequest, client_slug: str) -> HttpResponse:
    """The compliance evidence page (P6.6): owners and administrators only."""
    membership = membership_or_404(request.user, client_slug)
    require(membership, "manage_members")
    return render(request, "manager/registers/compliance.html", {
        "m": membership, "ev": services.evidence(membership.client)})


@login_required
@require_GET
def manager_compliance_export(request: HttpRequest, client_slug: str) -> HttpResponse:
    membership = membership_or_404(request.user, client_slug)
    require(membership, "manage_members")
    body = exports.evidence_zip(services.evidence(membership.client))
    services.record_export(_actor(request), "evidence", client=membership.client, fmt="zip")
    response = HttpResponse(body, content_type=exports.CONTENT_TYPES["zip"])
    response["Content-Disposition"] = (
        f'attachment; filename="{_stem("compliance-evidence-" + membership.client.slug)}.zip"')
    response["Cache-Control"] = "no-store"
    return response
