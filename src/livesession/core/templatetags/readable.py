"""``{{ value|moment }}`` (a readable date in a ``<time>``), ``{{ code|action_label }}``,
``{{ kind|message_kind_label }}``: the words of ``core.readable`` and ``core.labels``."""

from __future__ import annotations

from typing import Any

from django import template
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
