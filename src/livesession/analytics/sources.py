"""How a registration came in (issue 7 §7): referrer host and UTM parameters.

The public form page reads ``utm_source``, ``utm_medium`` and ``utm_campaign`` from its own
query string and the host of the page that linked to it (the ``Referer`` header, host only:
a full URL may carry someone's identifiers) into hidden fields of the form
(``analytics_source`` template tag); the registration view hands them back here after the
registration is made. The API takes the same four keys in its JSON body. One INSERT, and
none at all when there is nothing to record: the registration path is benchmarked.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from livesession.analytics.models import RegistrationSource

UTM = ("utm_source", "utm_medium", "utm_campaign")
REFERRER = "ref_host"
FIELDS = (*UTM, REFERRER)
_MAX = 100


def clean_value(value: Any) -> str:
    """A UTM value as stored: text, trimmed, printable, at most 100 characters."""
    if not isinstance(value, str):
        return ""
    text = "".join(ch for ch in value if ch.isprintable()).strip()
    return text[:_MAX]


def host_of(value: Any) -> str:
    """The host of a referrer (a URL or a bare host), lower case; empty when none."""
    if not isinstance(value, str) or not value.strip():
        return ""
    text = value.strip()
    if "//" not in text:
        text = "//" + text
    try:
        host = urlsplit(text).hostname or ""
    except ValueError:
        return ""
    host = host.strip(".").lower()
    if not host or len(host) > 253 or any(not (c.isalnum() or c in "-.") for c in host):
        return ""
    return host


def from_page(query: Mapping[str, Any], referer: str, own_host: str) -> dict[str, str]:
    """What the form page carries in its hidden fields: the UTM values of its query string
    and the referrer's host, unless the referrer is this site itself."""
    found = {key: clean_value(query.get(key, "")) for key in UTM}
    host = host_of(referer)
    found[REFERRER] = "" if host == host_of(own_host) else host
    return found


def capture(registration: Any, data: Mapping[str, Any]) -> bool:
    """Record where ``registration`` came from, from a submitted form or JSON body (keys
    ``utm_source``, ``utm_medium``, ``utm_campaign`` and ``ref_host`` or ``referrer``).
    One INSERT; nothing when there is no source; the first source of a registration stays
    (a registration made again after a cancellation keeps it). True when a row was written."""
    row = RegistrationSource(
        registration_id=registration.pk, client_id=registration.client_id,
        event_id=registration.event_id,
        referrer_host=host_of(data.get(REFERRER) or data.get("referrer") or ""),
        **{key: clean_value(data.get(key, "")) for key in UTM})
    if not (row.referrer_host or row.utm_source or row.utm_medium or row.utm_campaign):
        return False
    RegistrationSource.objects.bulk_create([row], ignore_conflicts=True)
    return True
