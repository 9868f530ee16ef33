"""Django's session middleware, with one exception for the personal link's lean answer.

``SESSION_SAVE_EVERY_REQUEST`` (the one-hour idle timeout, P3.3) makes Django load and
write the session of a signed-in browser on every answer, even one whose view never
looked at it. The personal link's redirect to the room (issue 4 §5) marks its request with
``sessionless(request)``: that answer neither reads nor writes the session (nor refreshes
its idle time), so the join path stays at its few queries for everyone.
"""

from __future__ import annotations

from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.http import HttpRequest, HttpResponse

_FLAG = "_livesession_sessionless"


def sessionless(request: HttpRequest) -> None:
    setattr(request, _FLAG, True)


class SessionMiddleware(DjangoSessionMiddleware):
    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if getattr(request, _FLAG, False) and not request.session.accessed:
            return response
        return super().process_response(request, response)
