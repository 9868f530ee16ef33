"""``{% load figures %}``: ``{{ n|number }}``, ``{{ x|percent }}`` (x in percent) and
``{% colon %}`` after a label, so templates write figures and labels the reader's way
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


@register.simple_tag
def colon() -> str:
    """The colon after a label, as the language writes it: French puts a non-breaking space
    before it ("Motif\u00a0:"), English none ("Reason:")."""
    return pgettext("the colon after a label", ":")


@register.simple_tag
def semicolon() -> str:
    """The semicolon between two items ("a\\u202f; b" in French, "a; b" in English)."""
    return pgettext("the semicolon between two items", ";")
