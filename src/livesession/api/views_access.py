"""Personal links, attendance and replays through the API (issue 4 §1, §4, §6, §10).

Same services as the Manager; every read is scoped to the token's client (another client's
object answers 404). A regenerated link is mailed to the participant's registered address
and never returned: the API proves nothing about who holds the address, the email does.
Attendance pages are keyset-paginated by row id (``next_cursor``), 100 rows a page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from livesession.access import reports
from livesession.access import services as access
from livesession.access.models import Attendance
from livesession.api.views_registrants import _actor, _event, _registration
from livesession.events.models import Event, Session
from livesession.protection.restriction import ProcessingRestricted

PAGE = 100

LINK_OUT = inline_serializer("LinkAction", {
    "status": serializers.CharField(help_text="sent (a new link was mailed) or revoked")})

ATTENDANCE = inline_serializer("Attendance", {
    "id": serializers.IntegerField(), "registration": serializers.UUIDField(),
    "session": serializers.IntegerField(allow_null=True,
                                        help_text="null for an event without sessions"),
    "first_access_at": serializers.DateTimeField(), "last_seen_at": serializers.DateTimeField(),
    "seconds_present": serializers.IntegerField(
        allow_null=True, help_text="null when presence is not measured (a room on another "
                                   "site: only accesses are known)"),
    "accesses": serializers.IntegerField(), "devices": serializers.IntegerField(),
    "concurrent_uses": serializers.IntegerField(),
})
ATTENDANCE_PAGE = inline_serializer("AttendancePage", {
    "results": ATTENDANCE.__class__(many=True),
    "next_cursor": serializers.CharField(allow_null=True)})
SUMMARY = inline_serializer("AttendanceSummary", {
    "session": serializers.IntegerField(allow_null=True), "title": serializers.CharField(),
    "expected": serializers.IntegerField(), "attended": serializers.IntegerField(),
    "no_shows": serializers.IntegerField(), "measured": serializers.IntegerField(),
    "average_minutes": serializers.IntegerField(allow_null=True),
    "concurrent": serializers.IntegerField()})
REPLAY = inline_serializer("Replay", {
    "replay_url": serializers.URLField(allow_blank=True),
    "replay_expires_at": serializers.DateTimeField(allow_null=True, required=False)})


class ReplayIn(serializers.Serializer[dict]):
    replay_url = serializers.URLField(max_length=500)
    replay_expires_at = serializers.DateTimeField(required=False, allow_null=True)


class LinkAction(APIView):
    action = ""

    @extend_schema(request=None, responses={202: LINK_OUT, 200: LINK_OUT})
    def post(self, request: Request, registration_id: str) -> Response:
        """regenerate: revoke the link and mail a new one to the registered address (202;
        the link is not in the answer). revoke: the link stops working (200)."""
        registration = _registration(request, registration_id)
        if self.action == "regenerate":
            try:
                access.regenerate(registration, actor=_actor(request))
            except ProcessingRestricted:
                return Response({"detail": _(
                    "Processing of this person's data is restricted at their request: "
                    "no new link can be sent until the restriction is lifted.")}, status=409)
            return Response({"status": "sent"}, status=202)
        access.revoke_link(registration, actor=_actor(request))
        return Response({"status": "revoked"})


def _attendance_out(row: Attendance) -> dict[str, Any]:
    return {"id": row.pk, "registration": str(row.registration_id),
            "session": row.session_id, "first_access_at": row.first_access_at.isoformat(),
            "last_seen_at": row.last_seen_at.isoformat(),
            "seconds_present": row.seconds_present if row.presence_measured else None,
            "accesses": row.accesses, "devices": getattr(row, "devices", 0),
            "concurrent_uses": row.concurrent_uses}


class EventAttendance(APIView):
    @extend_schema(parameters=[
        OpenApiParameter("session", int, description="one session's rows (0: the event "
                                                      "without sessions)"),
        OpenApiParameter("cursor", int, description="next_cursor of the previous page")],
        responses=ATTENDANCE_PAGE)
    def get(self, request: Request, event_id: str) -> Response:
        event = _event(request, event_id)
        rows = reports.attendances(event)
        try:
            session = request.query_params.get("session")
            if session not in (None, ""):
                rows = rows.filter(session_key=int(session))
            cursor = request.query_params.get("cursor")
            if cursor not in (None, ""):
                rows = rows.filter(pk__gt=int(cursor))
        except ValueError:
            return Response({"errors": {"detail": [_("session and cursor are numbers.")]}},
                            status=400)
        page = list(rows.order_by("pk")[:PAGE + 1])
        more = len(page) > PAGE
        page = page[:PAGE]
        return Response({"results": [_attendance_out(r) for r in page],
                         "next_cursor": str(page[-1].pk) if more and page else None})


class EventAttendanceSummary(APIView):
    @extend_schema(responses=SUMMARY.__class__(many=True))
    def get(self, request: Request, event_id: str) -> Response:
        event = _event(request, event_id)
        return Response([{
            "session": s.target.key or None, "title": s.target.title, "expected": s.expected,
            "attended": s.attended, "no_shows": s.no_shows, "measured": s.measured,
            "average_minutes": s.average_minutes, "concurrent": s.concurrent,
        } for s in reports.summaries(event)])


def _replay_out(target: Event | Session) -> dict[str, Any]:
    expires = target.replay_expires_at
    return {"replay_url": target.replay_url,
            "replay_expires_at": expires.astimezone(dt.UTC).isoformat() if expires else None}


class _Replay(APIView):
    def target(self, request: Request, **kwargs: Any) -> Event | Session:
        raise NotImplementedError

    @extend_schema(responses=REPLAY)
    def get(self, request: Request, **kwargs: Any) -> Response:
        return Response(_replay_out(self.target(request, **kwargs)))

    @extend_schema(request=REPLAY, responses=REPLAY)
    def put(self, request: Request, **kwargs: Any) -> Response:
        """Set the replay, reached by confirmed participants through their personal link
        once it is over; without ``replay_expires_at`` it does not expire."""
        target = self.target(request, **kwargs)
        serializer = ReplayIn(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        access.set_replay(target, data["replay_url"], data.get("replay_expires_at"),
                          actor=_actor(request))
        return Response(_replay_out(target))

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, **kwargs: Any) -> Response:
        access.set_replay(self.target(request, **kwargs), "", None, actor=_actor(request))
        return Response(status=204)


class EventReplay(_Replay):
    def target(self, request: Request, **kwargs: Any) -> Event | Session:
        return _event(request, kwargs["event_id"])


class SessionReplay(_Replay):
    def target(self, request: Request, **kwargs: Any) -> Event | Session:
        event = _event(request, kwargs["event_id"])
        session = Session.objects.filter(event=event, client_id=event.client_id,
                                         pk=kwargs["session_id"]).first()
        if session is None:
            raise Http404
        return session


ACCESS = inline_serializer("AccessOptions", {
    "one_device_only": serializers.BooleanField(),
    "opens_minutes_before": serializers.IntegerField(min_value=0, max_value=access.OPENS_MAX)})


class AccessIn(serializers.Serializer[dict]):
    one_device_only = serializers.BooleanField()
    opens_minutes_before = serializers.IntegerField(min_value=0, max_value=access.OPENS_MAX)


class EventAccess(APIView):
    """One device at a time per personal link, and when the link opens the room."""

    @extend_schema(responses=ACCESS)
    def get(self, request: Request, event_id: str) -> Response:
        event = _event(request, event_id)
        return Response({"one_device_only": event.one_device_only,
                         "opens_minutes_before": event.opens_minutes_before})

    @extend_schema(request=ACCESS, responses=ACCESS)
    def put(self, request: Request, event_id: str) -> Response:
        event = _event(request, event_id)
        serializer = AccessIn(data=request.data)
        serializer.is_valid(raise_exception=True)
        event = access.set_access_options(event, actor=_actor(request),
                                          **serializer.validated_data)
        return Response({"one_device_only": event.one_device_only,
                         "opens_minutes_before": event.opens_minutes_before})
