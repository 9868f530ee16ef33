"""The cookie settings page and the consent view (issue 7 §2-4; P2.3, P7.3, P7.4, P7.5).

Both work without JavaScript: the banner's and the page's forms POST (with CSRF) to
``consent``, which records the receipt, sets the signed consent cookie, deletes what a
refusal or withdrawal concerns, and redirects back to a safe ``next`` on this site.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from livesession.cookies import audience, consent, inventory, services
from livesession.cookies.models import ConsentAction, ConsentSurface

CHOICES = {"accept": ConsentAction.ACCEPT_ALL, "reject": ConsentAction.REJECT_ALL,
           "close": ConsentAction.CLOSE, "custom": ConsentAction.CUSTOM,
           "grant": ConsentAction.GRANT}


def safe_next(request: HttpRequest, candidate: str | None) -> str:
    """A path on this site to go back to, else the settings page (no open redirect)."""
    if (candidate and candidate.startswith("/") and not candidate.startswith(("//", "/\\"))
            and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()},
                                                require_https=request.is_secure())):
        return candidate
    return reverse("cookies:settings")


def purpose_groups(choice: consent.Choice | None) -> list[dict[str, Any]]:
    """The non-functional trackers grouped by purpose, each with its emitter and state."""
    groups: dict[str, dict[str, Any]] = {}
    for tracker in inventory.non_functional():
        group = groups.setdefault(tracker.purpose, {
            "key": tracker.purpose, "label": tracker.purpose_label, "trackers": []})
        group["trackers"].append({"tracker": tracker,
                                  "allowed": bool(choice and choice.allows(tracker.key))})
    return list(groups.values())


@never_cache
@require_GET
def settings_page(request: HttpRequest) -> HttpResponse:
    choice = consent.current(request)
    return render(request, "cookies/settings.html", {
        "functional": inventory.functional(), "groups": purpose_groups(choice),
        "choice": choice, "exempt": audience.exempt_mode(),
        "next": safe_next(request, request.GET.get("next")),
        "max_days": inventory.MAX_LIFETIME // inventory.DAY,
        "consent_days": inventory.CONSENT_LIFETIME // inventory.DAY,
    })


@never_cache
@require_POST
def consent_view(request: HttpRequest) -> HttpResponse:
    action = CHOICES.get(request.POST.get("choice", ""))
    if action is None:
        return HttpResponseBadRequest(_("Unknown choice."))
    surface = request.POST.get("surface", "")
    if surface not in ConsentSurface.values:
        surface = ConsentSurface.SETTINGS
    previous = consent.current(request)
    try:
        allowed = services.choices_for(action, allow=request.POST.getlist("allow"),
                                       previous=previous, grant=request.POST.get("tracker", ""))
    except ValueError:
        return HttpResponseBadRequest(_("Unknown choice."))
    receipt, choice = services.record_choice(action=action, surface=surface, allowed=allowed,
                                             previous=previous, account=request.user)
    response = HttpResponseRedirect(safe_next(request, request.POST.get("next")))
    services.apply_choice(request, response, choice)
    messages.success(request, _("Your cookie choice is saved (receipt %(receipt)s).")
                     % {"receipt": str(receipt.receipt_id)[:8]})
    return response
