"""The Manager's contract page (issue 6 §2; P6.9): the contract's state and dates, and the
return package for owners and administrators: ask for it, watch it being built, download it
through an expiring link."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from livesession.contracts import guard, services
from livesession.contracts.models import PackageStatus, ReturnPackage
from livesession.core.referrer import keep_on_site
from livesession.core.tenancy import membership_or_404, require


@login_required
@never_cache
@require_GET
def contract(request: HttpRequest, client_slug: str) -> HttpResponse:
    membership = membership_or_404(request.user, client_slug)
    require(membership, "view")
    client = membership.client
    row = services.contract_of(client)
    may_decide = membership.role in services.DECIDERS
    packages = services.current_packages(client) if may_decide else []
    building = any(p.status in (PackageStatus.QUEUED, PackageStatus.BUILDING) for p in packages)
    return render(request, "manager/contracts/contract.html", {
        "m": membership, "contract": row, "may_decide": may_decide,
        "destroy_on": services.destroy_on(row) if row is not None else None,
        "return_days": services.return_days(client),
        "held": row is not None and services.is_held(client.pk),
        "packages": [(p, services.download_token(p) if p.status == PackageStatus.READY
                      else "") for p in packages],
        "building": building,
        "certificate": services.certificate_of(client.pk),
    })


@login_required
@require_POST
def request_package(request: HttpRequest, client_slug: str) -> HttpResponse:
    membership = membership_or_404(request.user, client_slug)
    require(membership, "manage_members")  # owners and administrators
    try:
        services.request_package(membership, actor=f"account:{request.user.pk}")
    except guard.ServicesEnded as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The return package is being prepared. This page shows "
                                    "its progress; refresh it to follow."))
    return redirect("manager:contract", client_slug=client_slug)


@login_required
@never_cache
@require_GET
def download(request: HttpRequest, client_slug: str, package_id: uuid.UUID) -> HttpResponse:
    membership = membership_or_404(request.user, client_slug)
    # Another client's package does not exist here (404), whatever the member's role.
    if not ReturnPackage.objects.filter(client=membership.client, pk=package_id).exists():
        raise Http404
    require(membership, "manage_members")
    try:
        package, content = services.open_package(membership, package_id,
                                                 request.GET.get("t", ""),
                                                 actor=f"account:{request.user.pk}")
    except (LookupError, guard.ServicesEnded) as exc:
        messages.error(request, str(exc))
        return redirect("manager:contract", client_slug=client_slug)
    response = HttpResponse(content, content_type="application/zip")
    stamp = (package.finished_at or package.created_at).strftime("%Y%m%d")
    response["Content-Disposition"] = (
        f'attachment; filename="return-package-{membership.client.slug}-{stamp}.zip"')
    response["X-Checksum-SHA256"] = package.sha256
    return keep_on_site(response)
