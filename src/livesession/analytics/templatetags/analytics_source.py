"""``{% analytics_source_fields %}``: hidden fields of the registration form that carry the
form page's UTM parameters and the referrer's host to the submit (analytics/sources.py).
On the first showing they come from the page's query string and ``Referer`` header; when the
form is shown again (an error), from the submitted form itself."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html_join

from livesession.analytics import sources

register = template.Library()


@register.simple_tag(takes_context=True)
def analytics_source_fields(context: Any) -> str:
    request = context.get("request")
    if request is None:
        return ""
    if request.method == "POST":
        values = {key: sources.clean_value(request.POST.get(key, "")) for key in sources.UTM}
        values[sources.REFERRER] = sources.host_of(request.POST.get(sources.REFERRER, ""))
    else:
        values = sources.from_page(request.GET, request.META.get("HTTP_REFERER", ""),
                                   request.get_host())
    return format_html_join("", '<input type="hidden" name="{}" value="{}">',
                            ((key, value) for key, value in values.items() if value))
