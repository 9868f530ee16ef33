"""Manager pages of issue 6 §6: what operator staff read of this client's data, when and
why (P3.4, P6.4), and the account's second factor with the client's requirement (S-02)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from livesession.core import clock
from livesession.core.tenancy import membership_or_404, require
from livesession.protection import keystore
from livesession.staffaccess import mfa_services, mfa_views
from livesession.staffaccess.models import StaffAccessGrant, StaffAccessRead


@login_required
@require_GET
def staff_accesses(request: HttpRequest, client_slug: str) -> HttpResponse:
    """Owners and administrators see every staff access to their client's data: who, when,
    the stated reason and ticket, and each read (P3.4, P6.4)."""
    membership = membership_or_404(request.user, client_slug)
    require(membership, "manage_members")
    grants = list(
        StaffAccessGrant.objects.filter(client=membership.client)
        .select_related("staff")
        .prefetch_related(Prefetch("reads", queryset=StaffAccessRead.objects.order_by("at")))
        [:200])
    at = clock.now()
    with keystore.unit_of_work():
        keystore.preload(g.staff.subject_id for g in grants if g.staff is not None)
        rows = [{"grant": g, "open": g.is_open(at), "who": _staff_name(g)} for g in grants]
    return render(request, "manager/staff/accesses.html", {"m": membership, "rows": rows})


def _staff_name(grant: StaffAccessGrant) -> str:
    """The staff member's name (an operator employee, not participant data), else the
    pseudonymous id kept after the account is gone."""
    staff = grant.staff
    if staff is None:
        return grant.staff_ref
    name = f"{staff.first_name} {staff.last_name}".strip()
    return f"{name} ({grant.staff_ref})" if name else grant.staff_ref


@login_required
@require_http_methods(["GET", "POST"])
def mfa_page(request: HttpRequest, client_slug: str) -> HttpResponse:
    membership = membership_or_404(request.user, client_slug)
    return mfa_views.setup_page(
        request, base_template="manager/base.html",
        done_url=reverse("manager:events", kwargs={"client_slug": client_slug}),
        extra={"m": membership, "required": mfa_services.client_requires(membership.client),
               "is_owner": membership.can("manage_security")})


@login_required
@require_POST
def mfa_requirement(request: HttpRequest, client_slug: str) -> HttpResponse:
    """Owners only: require a second factor of every member of this client (S-02). An owner
    turning it on must have one, proved in this session, so as not to lock themself out."""
    membership = membership_or_404(request.user, client_slug)
    require(membership, "manage_security")
    required = request.POST.get("required") == "yes"
    if required and not mfa_services.is_satisfied(request):
        messages.error(request, _("Set up your own second factor first, then require it of "
                                  "every member."))
    else:
        mfa_services.set_client_requirement(membership.client, required,
                                            actor=f"account:{request.user.pk}")
        messages.success(request, _("Members must now use a second factor.") if required
                         else _("A second factor is now optional for members."))
    return redirect("manager:mfa", client_slug=client_slug)
