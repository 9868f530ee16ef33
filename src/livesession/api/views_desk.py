"""The request desk through the API (issue 5 §11): a client token lists, records, reads and
acts on its own client's rights requests; another client's request answers 404. Thin views
over ``desk.services``, the same functions as the Manager's pages."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request as ApiRequest
from rest_framework.response import Response
from rest_framework.views import APIView

from livesession.api.views_registrants import _actor, _client
from livesession.desk import deadlines, services
from livesession.desk.models import CLOSED, Channel, Request, RequestType, Status
from livesession.protection import keystore
from livesession.protection.models import ObjectionPurpose

DESK_REQUEST = inline_serializer("DeskRequest", {
    "id": serializers.UUIDField(read_only=True),
    "type": serializers.ChoiceField(choices=RequestType.values),
    "channel": serializers.ChoiceField(choices=Channel.values),
    "status": serializers.ChoiceField(choices=Status.values, read_only=True),
    "received_on": serializers.DateField(),
    "due_on": serializers.DateField(read_only=True,
                                    help_text="received_on + one calendar month (art. 12(3))"),
    "extended_until": serializers.DateField(allow_null=True, read_only=True),
    "deadline": serializers.DateField(read_only=True),
    "days_left": serializers.IntegerField(read_only=True, help_text="negative when overdue"),
    "email": serializers.EmailField(),
    "name": serializers.CharField(),
    "identity_verified_at": serializers.DateTimeField(allow_null=True, read_only=True),
    "identity_method": serializers.CharField(read_only=True),
    "responded_at": serializers.DateTimeField(allow_null=True, read_only=True),
    "response_channel": serializers.CharField(read_only=True),
    "forwarded_by_operator": serializers.BooleanField(read_only=True),
})
ERRORS = inline_serializer("DeskError", {"errors": serializers.DictField(
    child=serializers.ListField(child=serializers.CharField()))})


class NewRequestIn(serializers.Serializer[dict]):
    type = serializers.ChoiceField(choices=RequestType.values)
    channel = serializers.ChoiceField(choices=[Channel.EMAIL, Channel.POST])
    received_on = serializers.DateField()
    email = serializers.EmailField()
    name = serializers.CharField(max_length=200, required=False, default="")
    postal_address = serializers.CharField(max_length=500, required=False, default="")
    details = serializers.CharField(max_length=5000, required=False, default="")
    language = serializers.ChoiceField(choices=["fr", "en"], required=False, default="fr")


class ActionIn(serializers.Serializer[dict]):
    code = serializers.CharField(max_length=20, required=False,
                                 help_text="verify-code: the code the person gave back")
    reason = serializers.CharField(max_length=2000, required=False,
                                   help_text="doubt, refuse, extend: the reason")
    until = serializers.DateField(required=False, help_text="extend: the new deadline")
    note = serializers.CharField(max_length=2000, required=False, help_text="complete")
    purpose = serializers.ChoiceField(choices=ObjectionPurpose.values, required=False,
                                      help_text="object: the purpose objected to")


def _out(req: Request) -> dict[str, Any]:
    return {
        "id": str(req.pk), "type": req.type, "channel": req.channel, "status": req.status,
        "received_on": req.received_on.isoformat(), "due_on": req.due_on.isoformat(),
        "extended_until": req.extended_until.isoformat() if req.extended_until else None,
        "deadline": req.deadline.isoformat(), "days_left": deadlines.days_left(req.deadline),
        "email": req.email, "name": req.name,
        "identity_verified_at": (req.identity_verified_at.isoformat()
                                 if req.identity_verified_at else None),
        "identity_method": req.identity_method,
        "responded_at": req.responded_at.isoformat() if req.responded_at else None,
        "response_channel": req.response_channel,
        "forwarded_by_operator": req.forwarded_from_id is not None,
    }


def _error(exc: services.DeskError) -> Response:
    return Response({"errors": {exc.field or "non_field_errors": [exc.message]}}, status=400)


def _request(request: ApiRequest, request_id: Any) -> Request:
    found = Request.objects.filter(client=_client(request), pk=request_id).first()
    if found is None:
        raise Http404
    return found


class DeskRequests(APIView):
    @extend_schema(responses=DESK_REQUEST.__class__(many=True), parameters=[
        OpenApiParameter("state", str, enum=["open", "closed", "all"],
                         description="open (default): not yet answered")])
    def get(self, request: ApiRequest) -> Response:
        """The client's rights requests, the nearest deadline first (the latest 500)."""
        rows = services.requests_of(_client(request))
        state = request.query_params.get("state", "open")
        if state == "open":
            rows = rows.exclude(status__in=CLOSED)
        elif state == "closed":
            rows = rows.filter(status__in=CLOSED)
        rows_list = list(rows.order_by("due_on", "created_at")[:500])
        with keystore.unit_of_work():
            keystore.preload({r.subject_id for r in rows_list if r.subject_id})
            return Response([_out(r) for r in rows_list])

    @extend_schema(request=NewRequestIn, responses={201: DESK_REQUEST, 400: ERRORS})
    def post(self, request: ApiRequest) -> Response:
        """Record a request received by email or post; due one calendar month later."""
        data = NewRequestIn(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            req = services.record_request(client=_client(request), actor=_actor(request),
                                          **data.validated_data)
        except services.DeskError as exc:
            return _error(exc)
        return Response(_out(req), status=201)


class DeskRequestDetail(APIView):
    @extend_schema(responses=DESK_REQUEST)
    def get(self, request: ApiRequest, request_id: Any) -> Response:
        return Response(_out(_request(request, request_id)))


ACTIONS = ("send-code", "verify-code", "doubt", "extend", "refuse", "complete", "withdraw",
           "erase", "restrict", "object")


class DeskRequestAction(APIView):
    @extend_schema(request=ActionIn, responses={200: DESK_REQUEST, 400: ERRORS},
                   parameters=[OpenApiParameter("action", str, OpenApiParameter.PATH,
                                                enum=list(ACTIONS))])
    def post(self, request: ApiRequest, request_id: Any, action: str) -> Response:
        """One step of a request: ``send-code`` (a one-time code to the address on file),
        ``verify-code`` {code}, ``doubt`` {reason}, ``extend`` {until, reason} (before the
        due date, two more months at most), ``refuse`` {reason} (the CNIL and court route is
        added), ``complete`` {note}, ``withdraw``, ``erase``, ``restrict``, ``object``
        {purpose}. A refused step answers 400 with the reason."""
        req = _request(request, request_id)
        if action not in ACTIONS:
            raise Http404
        data = ActionIn(data=request.data)
        data.is_valid(raise_exception=True)
        given = data.validated_data
        actor = _actor(request)
        needs = {"verify-code": "code", "doubt": "reason", "refuse": "reason",
                 "object": "purpose"}
        try:
            if action in needs and not given.get(needs[action]):
                raise services.DeskError("This field is required.", needs[action])
            if action == "send-code":
                services.start_identity_check(req, actor=actor)
            elif action == "verify-code":
                services.verify_code(req, given["code"], actor=actor)
            elif action == "doubt":
                services.record_doubt(req, given["reason"], actor=actor)
            elif action == "extend":
                if not given.get("until"):
                    raise services.DeskError("This field is required.", "until")
                services.extend(req, until=given["until"], reason=given.get("reason", ""),
                                actor=actor)
            elif action == "refuse":
                services.refuse(req, reason=given["reason"], actor=actor)
            elif action == "complete":
                services.complete(req, actor=actor, note=given.get("note", ""))
            elif action == "withdraw":
                services.withdraw(req, actor=actor)
            elif action == "erase":
                services.fulfil_erasure(req, actor=actor)
            elif action == "restrict":
                services.fulfil_restriction(req, actor=actor)
            elif action == "object":
                services.fulfil_objection(req, given["purpose"], actor=actor)
        except services.DeskError as exc:
            return _error(exc)
        except PermissionDenied as exc:  # pragma: no cover - no such step over the API
            return Response({"errors": {"non_field_errors": [str(exc)]}}, status=403)
        return Response(_out(Request.objects.get(pk=req.pk)))
