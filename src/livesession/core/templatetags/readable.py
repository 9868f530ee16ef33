"""``{{ value|moment }}`` (a readable date in a ``<time>``), ``{{ code|action_label }}``,
``{{ kind|message_kind_label }}``: the words of ``core.readable`` and ``core.labels``;
``{{ id|short_id }}`` for long pseudonymous ids."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from livesession.core import labels, readable

register = template.Library()


@register.filter
def moment(value: Any) -> SafeString:
    return readable.moment_html(readable.parse(value))


@register.filter
def action_label(code: str) -> str:
    return labels.action_label(code or "")


@register.filter
def message_kind_label(kind: str) -> str:
    return labels.message_kind_label(kind or "")


@register.filter
def short_id(value: str) -> SafeString:
    """A long pseudonymous id cut to what tells rows apart ("registration:532fb495…"),
    the whole id kept in the title: a table cell never wraps a UUID."""
    kind, sep, rest = (value or "").partition(":")
    if not sep or len(rest) <= 12:
        return format_html("{}", value or "")
    return format_html('<span title="{}">{}:{}…</span>', value, kind, rest[:8])
