"""The referrer policy of pages whose address holds a secret (a personal link, a signed
download, a one-time account link, an unsubscribe link).

``same-origin``, never ``no-referrer``. Both keep the address away from every other site: a
link, a redirect to a room provider, an image or a script elsewhere gets no ``Referer`` at
all. But under ``no-referrer`` a browser also sends ``Origin: null`` on every form the page
posts (Fetch standard, "serializing a request origin"), and Django's CSRF check rightly
refuses ``null``: the page's own buttons (confirm, cancel, the cookie banner, the language
switch) answered 403. Under ``same-origin`` a same-origin post carries the real origin and
passes the check unchanged. The full address still goes to this site itself, which issued
the secret; its logs mask it (``core.logging``).

docs/architecture.md ("Secrets in addresses") says which flows also move the secret out of
the address altogether.
"""

from __future__ import annotations

from django.http import HttpResponse

POLICY = "same-origin"


def keep_on_site(response: HttpResponse) -> HttpResponse:
    """Set the policy on a response whose request address holds a secret."""
    response["Referrer-Policy"] = POLICY
    return response
