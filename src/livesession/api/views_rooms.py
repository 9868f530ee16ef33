"""An event's or a session's room through the API (issue 4 §3, §10).

``GET`` shows the provider, its address and settings, whether a room secret is set (never
its value) and, when the room would not open, why. ``PUT`` replaces them through
``access.rooms`` (the same checks as the Manager); an absent or empty ``room_secret`` keeps
the stored one.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from livesession.access import rooms
from livesession.api.views_registrants import _actor, _event
from livesession.events.models import Event, RoomKind, Session

ROOM_OUT = inline_serializer("Room", {
    "room_kind": serializers.CharField(help_text="external, embed, bbb or jitsi; for a "
                                                 "session, empty means the event's room"),
    "room_url": serializers.CharField(),
    "room_config": serializers.DictField(help_text="bbb: api_url (own server); jitsi: room, "
                                                   "domain"),
    "room_secret_set": serializers.BooleanField(),
    "problem": serializers.CharField(help_text="Why participants could not enter now; "
                                               "empty when the room would open."),
})


class RoomIn(serializers.Serializer[dict]):
    room_kind = serializers.ChoiceField(choices=RoomKind.values)
    room_url = serializers.CharField(max_length=500, required=False, allow_blank=True,
                                     default="")
    room_config = serializers.DictField(child=serializers.CharField(allow_blank=True),
                                        required=False, default=dict)
    room_secret = serializers.CharField(max_length=200, required=False, allow_blank=True,
                                        write_only=True)


class SessionRoomIn(RoomIn):
    room_kind = serializers.ChoiceField(choices=["", *RoomKind.values], allow_blank=True)


def _out(obj: Event | Session) -> dict[str, Any]:
    return {"room_kind": obj.room_kind, "room_url": obj.room_url,
            "room_config": obj.room_config or {}, "room_secret_set": bool(obj.room_secret_enc),
            "problem": rooms.room_problem(obj)}


def _arguments(data: dict[str, Any]) -> dict[str, Any]:
    return {"kind": data["room_kind"], "url": data.get("room_url", ""),
            "config": data.get("room_config") or {}, "secret": data.get("room_secret") or None}


class EventRoom(APIView):
    @extend_schema(responses=ROOM_OUT)
    def get(self, request: Request, event_id: str) -> Response:
        return Response(_out(_event(request, event_id)))

    @extend_schema(request=RoomIn, responses=ROOM_OUT)
    def put(self, request: Request, event_id: str) -> Response:
        event = _event(request, event_id)
        serializer = RoomIn(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            event = rooms.set_event_room(event, actor=_actor(request),
                                         **_arguments(serializer.validated_data))
        except ValidationError as exc:
            return Response({"errors": exc.message_dict}, status=400)
        return Response(_out(event))


class SessionRoom(APIView):
    def _get(self, request: Request, event_id: str, session_id: int) -> Session:
        event = _event(request, event_id)
        session = Session.objects.filter(event=event, client=event.client,
                                         pk=session_id).first()
        if session is None:
            raise Http404
        return session

    @extend_schema(responses=ROOM_OUT)
    def get(self, request: Request, event_id: str, session_id: int) -> Response:
        return Response(_out(self._get(request, event_id, session_id)))

    @extend_schema(request=SessionRoomIn, responses=ROOM_OUT)
    def put(self, request: Request, event_id: str, session_id: int) -> Response:
        session = self._get(request, event_id, session_id)
        serializer = SessionRoomIn(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            session = rooms.set_session_room(session, actor=_actor(request),
                                             **_arguments(serializer.validated_data))
        except ValidationError as exc:
            return Response({"errors": exc.message_dict}, status=400)
        return Response(_out(session))
