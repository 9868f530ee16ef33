"""Manager pages of the comparison (issue 7 §8): the client offers it or not, allows
pooling or not, and defines its own groups. Viewers see; owners and administrators change
(``manage_members``: these are instructions about the participants' data, like retention).
Every change goes through ``comparison.services``, which audits it. Another client's group
is a 404, checked before the capability."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from livesession.comparison import compute, services, stats
from livesession.comparison.forms import GroupForm, SettingsForm
from livesession.comparison.models import CohortFigures, CohortGroup, CohortKind
from livesession.core.models import Membership
from livesession.core.tenancy import membership_or_404, owned_or_404, require

CHANGE = "manage_members"


def _actor(request: HttpRequest) -> str:
    return f"account:{request.user.pk}"


def _page(request: HttpRequest, membership: Membership, form: SettingsForm | None = None,
          status: int = 200) -> HttpResponse:
    client = membership.client
    current = compute.settings_of(client)
    run = compute.latest_run()
    figures = list(CohortFigures.objects.filter(run=run, client=client)) if run else []
    published_groups = {f.group_id: f for f in figures if f.kind == CohortKind.GROUP}
    groups = [{"group": g, "figures": published_groups.get(g.pk)}
              for g in CohortGroup.objects.filter(client=client)]
    jobs = sorted((f for f in figures if f.kind == CohortKind.JOB), key=lambda f: f.job)
    return render(request, "manager/comparison/overview.html", {
        "m": membership, "settings": current, "run": run, "groups": groups, "jobs": jobs,
        "form": form or SettingsForm(initial={"enabled": current.enabled,
                                              "allow_pooling": current.allow_pooling}),
        "may_change": membership.can(CHANGE), "pooling_on": compute.pooling_on(),
        "k": stats.min_cohort()}, status=status)


@login_required
@require_GET
def overview(request: HttpRequest, client_slug: str) -> HttpResponse:
    membership = membership_or_404(request.user, client_slug)
    require(membership, "view")
    return _page(request, membership)


@login_required
@require_POST
def save_settings(request: HttpRequest, client_slug: str) -> HttpResponse:
    membership = membership_or_404(request.user, client_slug)
    require(membership, CHANGE)
    form = SettingsForm(request.POST)
    if not form.is_valid():
        return _page(request, membership, form=form, status=400)
    services.save_settings(membership.client, enabled=form.cleaned_data["enabled"],
                           allow_pooling=form.cleaned_data["allow_pooling"],
                           actor=_actor(request))
    messages.success(request, _("Saved. The figures follow at the next daily computation."))
    return redirect("manager:comparison", client_slug=client_slug)


def _group_page(request: HttpRequest, membership: Membership, form: GroupForm,
                group: CohortGroup | None, status: int = 200) -> HttpResponse:
    return render(request, "manager/comparison/group_form.html",
                  {"m": membership, "form": form, "group": group}, status=status)


def _initial(group: CohortGroup) -> dict[str, Any]:
    return {"name": group.name, "job_functions": "\n".join(group.job_functions),
            "field_key": group.field_key, "field_values": "\n".join(group.field_values)}


def _save(request: HttpRequest, membership: Membership, group: CohortGroup | None,
          client_slug: str) -> HttpResponse:
    form = GroupForm(request.POST or None, client=membership.client,
                     initial=_initial(group) if group else None)
    if request.method == "POST":
        require(membership, CHANGE)
        if form.is_valid():
            try:
                services.save_group(membership.client, actor=_actor(request), group=group,
                                    **form.values())
            except ValidationError as exc:
                for name, errors in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                messages.success(request, _("Group saved. Its figures follow at the next "
                                            "daily computation."))
                return redirect("manager:comparison", client_slug=client_slug)
        return _group_page(request, membership, form, group, status=400)
    return _group_page(request, membership, form, group)


@login_required
@require_http_methods(["GET", "POST"])
def group_new(request: HttpRequest, client_slug: str) -> HttpResponse:
    membership = membership_or_404(request.user, client_slug)
    require(membership, CHANGE)
    return _save(request, membership, None, client_slug)


@login_required
@require_http_methods(["GET", "POST"])
def group_edit(request: HttpRequest, client_slug: str, group_id: int) -> HttpResponse:
    membership = membership_or_404(request.user, client_slug)
    group = owned_or_404(CohortGroup, membership.client, pk=group_id)
    require(membership, CHANGE)
    return _save(request, membership, group, client_slug)


@login_required
@require_POST
def group_delete(request: HttpRequest, client_slug: str, group_id: int) -> HttpResponse:
    membership = membership_or_404(request.user, client_slug)
    group = owned_or_404(CohortGroup, membership.client, pk=group_id)
    require(membership, CHANGE)
    services.delete_group(group, actor=_actor(request))
    messages.success(request, _("Group deleted."))
    return redirect("manager:comparison", client_slug=client_slug)
