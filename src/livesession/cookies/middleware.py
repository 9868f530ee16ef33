"""Audience measurement and the visitor cookie's hygiene after each answer (issue 7 §4-6).

Placed last in MIDDLEWARE, so it sees the view's answer first: the consent view's new
choice is already in force for that very request (withdrawal stops measurement at once,
P7.5). Static files, the API, /healthz and /bench/ are skipped before anything is read.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from livesession.cookies import audience


class AudienceMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path_info.startswith(audience.SKIPPED_PREFIXES):
            audience.after_response(request, response)
        return response
