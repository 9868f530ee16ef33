"""Organizer analytics through the API (issue 7 §7, §9): the same figures as the Manager's
pages, as JSON. A client token sees its own client only: another client's event answers 404.
Suppressed cells are ``null`` with ``"suppressed": true`` (analytics.suppression)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from livesession.analytics import figures as figure_service
from livesession.analytics import present
from livesession.analytics.views import parse_range
from livesession.core.tenancy import owned_or_404
from livesession.events.models import Event

FIGURES = serializers.DictField(help_text="registrations, sources, conversion, durations, "
                                          "sessions or events, breakdowns (docs/analytics.md)")


def _client(request: Request) -> Any:
    return request.user.client  # type: ignore[union-attr]


class EventAnalytics(APIView):
    @extend_schema(responses={200: FIGURES}, operation_id="event_analytics")
    def get(self, request: Request, event_id: str) -> Response:
        """Every figure of one event of the token's client."""
        event = owned_or_404(Event, _client(request), pk=event_id)
        data = present.as_json(figure_service.for_event(event), per="sessions")
        return Response({"event": str(event.pk), **data})


class ClientAnalytics(APIView):
    @extend_schema(parameters=[
        OpenApiParameter("start", str, description="YYYY-MM-DD: events starting from this "
                                                   "date (default: 90 days ago)"),
        OpenApiParameter("end", str, description="YYYY-MM-DD: until this date, included "
                                                 "(default: in 90 days)")],
        responses={200: FIGURES}, operation_id="client_analytics")
    def get(self, request: Request) -> Response:
        """The client dashboard: every figure over the events starting in the range."""
        form = parse_range(request.query_params)
        if not form.is_valid():
            errors = {key: [e["message"] for e in found]
                      for key, found in form.errors.get_json_data().items()}
            return Response({"errors": errors}, status=400)
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        data = present.as_json(figure_service.for_client(_client(request), start, end),
                               per="events")
        return Response({"start": start.isoformat(), "end": end.isoformat(), **data})
