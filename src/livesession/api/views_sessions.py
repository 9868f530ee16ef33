"""Sessions of an event through the API (issue 3 §10, §12)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from livesession.api.views_registrants import _actor, _event
from livesession.events.models import Session
from livesession.registrations import sessions as service

SESSION = inline_serializer("Session", {
    "id": serializers.IntegerField(read_only=True), "title": serializers.CharField(),
    "starts_at": serializers.DateTimeField(), "ends_at": serializers.DateTimeField(),
    "capacity": serializers.IntegerField(allow_null=True, required=False, min_value=1),
    "seats_taken": serializers.IntegerField(read_only=True),
    "room_url": serializers.URLField(required=False, allow_blank=True),
})


class SessionIn(serializers.Serializer[dict]):
    title = serializers.CharField(max_length=200)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    capacity = serializers.IntegerField(allow_null=True, required=False, min_value=1)
    room_url = serializers.URLField(required=False, allow_blank=True, max_length=500)


def _out(session: Session) -> dict[str, Any]:
    return {"id": session.pk, "title": session.title,
            "starts_at": session.starts_at.isoformat(), "ends_at": session.ends_at.isoformat(),
            "capacity": session.capacity, "seats_taken": session.seats_taken,
            "room_url": session.room_url}


class Sessions(APIView):
    @extend_schema(responses=SESSION.__class__(many=True))
    def get(self, request: Request, event_id: str) -> Response:
        return Response([_out(s) for s in service.sessions_of(_event(request, event_id))])

    @extend_schema(request=SESSION, responses={201: SESSION})
    def post(self, request: Request, event_id: str) -> Response:
        event = _event(request, event_id)
        serializer = SessionIn(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            session = service.add_session(event, actor=_actor(request),
                                          **serializer.validated_data)
        except ValidationError as exc:
            return Response({"errors": exc.message_dict}, status=400)
        return Response(_out(session), status=201)


class SessionDetail(APIView):
    def _get(self, request: Request, event_id: str, session_id: int) -> Session:
        event = _event(request, event_id)
        session = Session.objects.filter(event=event, pk=session_id).first()
        if session is None:
            raise Http404
        return session

    @extend_schema(request=SESSION, responses=SESSION)
    def patch(self, request: Request, event_id: str, session_id: int) -> Response:
        session = self._get(request, event_id, session_id)
        serializer = SessionIn(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        try:
            session = service.update_session(session, actor=_actor(request),
                                              **serializer.validated_data)
        except ValidationError as exc:
            return Response({"errors": exc.message_dict}, status=400)
        return Response(_out(session))

    @extend_schema(responses={204: None})
    def delete(self, request: Request, event_id: str, session_id: int) -> Response:
        service.remove_session(self._get(request, event_id, session_id), actor=_actor(request))
        return Response(status=204)


class SessionMode(APIView):
    @extend_schema(request=inline_serializer("SessionModeIn", {
        "session_mode": serializers.ChoiceField(choices=["series", "choose"])}),
        responses=inline_serializer("SessionModeOut", {
            "session_mode": serializers.CharField()}))
    def put(self, request: Request, event_id: str) -> Response:
        event = _event(request, event_id)
        mode = request.data.get("session_mode") if isinstance(request.data, dict) else None
        if mode not in {"series", "choose"}:
            return Response({"errors": {"session_mode": [_("Use series or choose.")]}},
                            status=400)
        event.session_mode = mode
        event.save(update_fields=["session_mode"])
        return Response({"session_mode": mode})
