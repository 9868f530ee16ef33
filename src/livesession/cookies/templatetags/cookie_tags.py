"""Template tags of the cookie banner, the functional-cookie line of a page, and the
third-party room player's gate (issue 7 §2, §3)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from livesession.cookies import audience, consent, inventory

register = template.Library()


@register.simple_tag(takes_context=True)
def cookie_banner(context: template.Context) -> SafeString:
    """The first layer, server-rendered, while the visitor has no valid choice."""
    request = context.get("request")
    if request is None or consent.current(request) is not None:
        return mark_safe("")
    return mark_safe(render_to_string("cookies/banner.html", {  # noqa: S308 - our template
        "next": request.get_full_path(), "exempt": audience.exempt_mode(),
    }, request=request))


@register.inclusion_tag("cookies/_line.html")
def cookie_line(area: str) -> dict[str, Any]:
    """"This page uses only these functional cookies", with a link to the settings."""
    return {"trackers": inventory.used_on(area)}


@register.simple_tag(takes_context=True)
def room_player(context: template.Context, url: str) -> dict[str, Any]:
    """Whether an embedded room may load now: our own player always; another site's only
    when the visitor allowed the room player (it is that site's tracker)."""
    request = context.get("request")
    parts = urlsplit(url or "")
    own_host = request.get_host().split(":")[0].lower() if request is not None else ""
    host = (parts.hostname or "").lower()
    third_party = bool(host) and host != own_host
    choice = consent.current(request) if request is not None else None
    load = not third_party or bool(choice and choice.allows(inventory.ROOM_PLAYER))
    return {"load": load, "host": host, "third_party": third_party,
            "next": request.get_full_path() if request is not None else "/"}
