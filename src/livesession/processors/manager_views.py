"""The Manager's view of the sub-processor register (P2.4, P6.11): every client sees the
hosting providers and the change notices; owners and administrators object to a change
while its window is open (GDPR art. 28(2))."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from livesession.core.clock import now
from livesession.core.models import Membership
from livesession.core.tenancy import membership_or_404, require
from livesession.processors import services
from livesession.processors.forms import ObjectionForm
from livesession.processors.models import ChangeNotice


def _page(request: HttpRequest, membership: Membership, *, forms: dict[int, ObjectionForm],
          status: int = 200) -> HttpResponse:
    mine = services.objections_of(membership.client)
    notices = list(ChangeNotice.objects.select_related("subprocessor")
                   .order_by("-sent_at")[:20])
    moment = now()
    return render(request, "manager/processors/register.html", {
        "m": membership, "entries": services.for_notice(),
        "may_decide": membership.role in services.DECIDERS,
        "notices": [(n, n.objection_until > moment, mine.get(n.pk),
                     forms.get(n.pk) or ObjectionForm(auto_id=f"n{n.pk}_%s")) for n in notices],
    }, status=status)


@login_required
@require_http_methods(["GET"])
def register(request: HttpRequest, client_slug: str) -> HttpResponse:
    membership = membership_or_404(request.user, client_slug)
    require(membership, "view")
    return _page(request, membership, forms={})


def _notice(request: HttpRequest) -> ChangeNotice | None:
    """The notice named in the form; when the form names none and a single change is
    open, that one. None when it cannot be told."""
    raw = request.POST.get("notice", "")
    if raw:
        if not raw.isdigit():
            return None
        return ChangeNotice.objects.select_related("subprocessor").filter(pk=int(raw)).first()
    open_now = services.open_notices()
    return open_now[0] if len(open_now) == 1 else None


@login_required
@require_POST
def object_view(request: HttpRequest, client_slug: str) -> HttpResponse:
    membership = membership_or_404(request.user, client_slug)
    require(membership, "manage_members")  # owners and administrators decide
    notice = _notice(request)
    if notice is None:
        messages.error(request, _("Choose the announced change you object to, from this "
                                  "page."))
        return _page(request, membership, forms={}, status=400)
    form = ObjectionForm(request.POST, auto_id=f"n{notice.pk}_%s")
    if form.is_valid():
        try:
            services.object_to(notice, membership, reason=form.cleaned_data["reason"],
                               actor=f"account:{request.user.pk}")
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Your objection was sent to the operator."))
            return redirect("manager:subprocessors", client_slug=client_slug)
    return _page(request, membership, forms={notice.pk: form}, status=400)


@login_required
@require_POST
def withdraw_view(request: HttpRequest, client_slug: str) -> HttpResponse:
    membership = membership_or_404(request.user, client_slug)
    require(membership, "manage_members")
    notice = _notice(request)
    if notice is not None and services.withdraw_objection(
            notice, membership, actor=f"account:{request.user.pk}"):
        messages.success(request, _("Your objection was withdrawn."))
    return redirect("manager:subprocessors", client_slug=client_slug)
