"""Keeps the session list current: last activity at most once a minute, and the session key
followed when Django rotates it (P1.5). One session write a minute, no query otherwise."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject, empty

from livesession.accounts import services
from livesession.accounts.models import User
from livesession.core.clock import now

TOUCH_EVERY_SECONDS = 60


class SessionActivityMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if isinstance(user, SimpleLazyObject) and user._wrapped is empty:
            # The view never asked who is signed in (the personal link's lean join path,
            # issue 4 §5): leave the session unread rather than load it here.
            return response
        # After the view: a sign-out or a revocation during the request is already done.
        if isinstance(user, User) and user.is_authenticated and hasattr(request, "session"):
            session = request.session
            moment = int(now().timestamp())
            stale = moment - int(session.get("account_seen", 0)) >= TOUCH_EVERY_SECONDS
            moved = session.get("account_session_key") != session.session_key
            if session.session_key and (stale or moved):
                services.touch_session(user, request)
                session["account_seen"] = moment
        return response
