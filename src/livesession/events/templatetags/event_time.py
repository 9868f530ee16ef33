"""``{% event_time moment zone %}``: a date of an event in the event's zone, named, that the
page's script completes with the visitor's own time when their zone differs;
``{% wait_until moment %}``: the waiting page's countdown, the same words with or without
JavaScript (events/when.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from livesession.core.clock import now
from livesession.events import when

register = template.Library()


@register.simple_tag
def event_time(moment: dt.datetime | None, zone: Any, element_id: str = "") -> SafeString | str:
    if moment is None:
        return ""
    local, text = when.in_zone(moment, str(zone))
    return format_html(
        '<time class="local-time"{} datetime="{}" data-zone="{}" data-yours="{}">{}</time>',
        format_html(' id="{}"', element_id) if element_id else "", local.isoformat(),
        str(zone), _("your time:"), text)


@register.simple_tag
def wait_until(moment: dt.datetime) -> SafeString:
    words = when.script_words()
    return format_html(
        '<span class="countdown" id="countdown" role="timer" aria-live="off" data-opens="{}"'
        ' data-day-one="{}" data-day-other="{}" data-hour="{}" data-minute="{}"'
        ' data-second="{}">{}</span>',
        moment.isoformat(), words["day-one"], words["day-other"], words["hour"],
        words["minute"], words["second"], when.wait_text(moment - now()))
