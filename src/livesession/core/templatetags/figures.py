"""``{% load figures %}``: ``{{ n|number }}``, ``{{ x|percent }}`` (x in percent) and
``{{ label|colon }}``, so templates write figures and labels the reader's way
(livesession/core/numbers.py)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import pgettext

from livesession.core import numbers

register = template.Library()


@register.filter
def number(value: Any, digits: Any = None) -> Any:
    if value is None or value == "":
        return value
    return numbers.number(value, None if digits is None else int(digits))


@register.filter
def percent(value: Any, digits: Any = 1) -> Any:
    if value is None or value == "":
        return value
    return numbers.percent(value, int(digits))


@register.filter(is_safe=False)
def colon(label: Any) -> str:
    """``label`` followed by a colon as the language writes it ("Motif :" in French)."""
    return pgettext("a label followed by a colon", "%(label)s:") % {"label": label}
