"""Organizer API over registrations, the event's form and consent purposes (issue 3 §12).

Thin views over the same services the Manager calls; every read is scoped to the token's
client and another client's object answers 404.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from livesession.core.tenancy import owned_or_404
from livesession.events.models import Event
from livesession.privacy import services as consents
from livesession.protection import keystore
from livesession.registrations import fields_services, scope
from livesession.registrations import services as registrations
from livesession.registrations.formspec import fields_for
from livesession.registrations.models import CustomField, Registration, RegistrationStatus

PAGE = 100


def _client(request: Request) -> Any:
    return request.user.client  # type: ignore[union-attr]


def _actor(request: Request) -> str:
    return request.user.actor  # type: ignore[union-attr]


def _event(request: Request, event_id: Any) -> Event:
    return owned_or_404(Event, _client(request), pk=event_id)


def _registration(request: Request, registration_id: Any) -> Registration:
    return owned_or_404(Registration, _client(request), pk=registration_id)


def _out(row: Registration) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": str(row.id), "event": str(row.event_id), "status": row.status,
        "email": row.email, "channel": row.channel,
        "created_at": row.created_at.isoformat(),
        "confirmed_at": row.confirmed_at.isoformat() if row.confirmed_at else None,
        "cancelled_at": row.cancelled_at.isoformat() if row.cancelled_at else None,
        "answers": row.answers,
    }
    for std in scope.STANDARD_FIELDS:
        data[std.key] = getattr(row, std.key)
    return data


REGISTRATION_OUT = inline_serializer("Registrant", {
    "id": serializers.UUIDField(), "event": serializers.UUIDField(),
    "status": serializers.ChoiceField(choices=RegistrationStatus.choices),
    "email": serializers.EmailField(), "first_name": serializers.CharField(),
    "last_name": serializers.CharField(), "mobile_phone": serializers.CharField(),
    "city": serializers.CharField(), "postal_code": serializers.CharField(),
    "job_function": serializers.CharField(), "answers": serializers.DictField(),
    "channel": serializers.CharField(), "created_at": serializers.DateTimeField(),
    "confirmed_at": serializers.DateTimeField(allow_null=True),
    "cancelled_at": serializers.DateTimeField(allow_null=True),
})
PAGE_OUT = inline_serializer("RegistrantPage", {
    "results": REGISTRATION_OUT.__class__(many=True),
    "next_cursor": serializers.CharField(allow_null=True),
})
SUBMISSION = inline_serializer("Submission", {
    "email": serializers.EmailField(), "first_name": serializers.CharField(required=False),
    "last_name": serializers.CharField(required=False),
    "answers": serializers.DictField(required=False),
    "language": serializers.ChoiceField(choices=["fr", "en"], required=False),
})


class Registrants(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=[s for s, _label in RegistrationStatus.choices]),
            OpenApiParameter("cursor", str, description="next_cursor of the previous page"),
        ],
        responses=PAGE_OUT)
    def get(self, request: Request, event_id: str) -> Response:
        """Registrants of one event, oldest first, 100 a page (keyset pagination)."""
        event = _event(request, event_id)
        rows = Registration.objects.filter(client=_client(request), event=event)
        wanted = request.query_params.get("status")
        if wanted:
            if wanted not in RegistrationStatus.values:
                known = ", ".join(RegistrationStatus.values)
                message = _("Unknown status. Use one of: %(s)s.") % {"s": known}
                return Response({"errors": {"status": [message]}}, status=400)
            rows = rows.filter(status=wanted)
        cursor = request.query_params.get("cursor")
        if cursor:
            anchor = rows.filter(pk=cursor).values_list("created_at", flat=True).first() \
                if _is_uuid(cursor) else None
            if anchor is None:
                return Response({"errors": {"cursor": [_("Unknown cursor: start again "
                                                         "without it.")]}}, status=400)
            rows = rows.filter(created_at__gt=anchor) | rows.filter(created_at=anchor,
                                                                     id__gt=cursor)
        page = list(rows.order_by("created_at", "id")[:PAGE + 1])
        more = len(page) > PAGE
        page = page[:PAGE]
        with keystore.unit_of_work():
            keystore.preload(r.subject_id for r in page)
            results = [_out(r) for r in page]
        return Response({"results": results,
                         "next_cursor": str(page[-1].id) if more and page else None})

    @extend_schema(request=SUBMISSION, responses={201: REGISTRATION_OUT})
    def post(self, request: Request, event_id: str) -> Response:
        """Add a registrant by hand: no double opt-in nor approval, capacity respected."""
        event = _event(request, event_id)
        if not isinstance(request.data, dict):
            return Response({"errors": {"detail": [_("Send a JSON object.")]}}, status=400)
        data = dict(request.data)
        language = str(data.pop("language", "fr") or "fr")
        try:
            made = registrations.register(event, data, language=language, channel="manager",
                                          actor=_actor(request))
        except ValidationError as exc:
            return Response({"errors": exc.message_dict}, status=400)
        except registrations.EventFull:
            return Response({"errors": {"detail": [_("The event is full and has no waiting "
                                                     "list.")]}}, status=409)
        except registrations.AlreadyRegistered:
            return Response({"errors": {"email": [_("This address is already registered to "
                                                    "this event.")]}}, status=409)
        with keystore.unit_of_work():
            return Response(_out(made.registration), status=status.HTTP_201_CREATED)


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


class RegistrantDetail(APIView):
    @extend_schema(responses=REGISTRATION_OUT)
    def get(self, request: Request, registration_id: str) -> Response:
        with keystore.unit_of_work():
            return Response(_out(_registration(request, registration_id)))

    @extend_schema(request=SUBMISSION, responses=REGISTRATION_OUT)
    def patch(self, request: Request, registration_id: str) -> Response:
        """Rectify answers (P4.1) with the checks of the registration form."""
        row = _registration(request, registration_id)
        if not isinstance(request.data, dict):
            return Response({"errors": {"detail": [_("Send a JSON object.")]}}, status=400)
        current = {std.key: getattr(row, std.key) for std in scope.STANDARD_FIELDS
                   if std.key in {s.key for s in fields_for(row.event) if not s.custom}}
        merged = {**current, "answers": row.answers, **dict(request.data)}
        try:
            registrations.update_answers(row, merged, actor=_actor(request))
        except ValidationError as exc:
            return Response({"errors": exc.message_dict}, status=400)
        with keystore.unit_of_work():
            return Response(_out(_registration(request, registration_id)))


DECISION = inline_serializer("Decision", {"message": serializers.CharField(required=False)})


class RegistrantAction(APIView):
    action = ""

    @extend_schema(request=DECISION, responses=REGISTRATION_OUT)
    def post(self, request: Request, registration_id: str) -> Response:
        row = _registration(request, registration_id)
        try:
            if self.action == "approve":
                registrations.approve(row, actor=_actor(request))
            elif self.action == "deny":
                note = request.data.get("message", "") if isinstance(request.data, dict) else ""
                registrations.deny(row, note=str(note), actor=_actor(request))
            else:
                registrations.cancel(row, actor=_actor(request), by_participant=False)
        except registrations.WrongStatus:
            return Response({"errors": {"status": [_("This action does not apply to a "
                                                     "registration in this status.")]}},
                            status=409)
        except registrations.EventFull:
            return Response({"errors": {"detail": [_("The event is full and has no waiting "
                                                     "list.")]}}, status=409)
        with keystore.unit_of_work():
            return Response(_out(_registration(request, registration_id)))


FIELD = inline_serializer("Question", {
    "id": serializers.IntegerField(read_only=True),
    # Optional: left out, it is made from label_fr and kept (registrations.fieldkeys).
    "key": serializers.SlugField(required=False),
    "kind": serializers.CharField(), "label_fr": serializers.CharField(),
    "label_en": serializers.CharField(), "help_fr": serializers.CharField(required=False),
    "help_en": serializers.CharField(required=False),
    "required": serializers.BooleanField(required=False),
    "options": serializers.ListField(required=False),
    "rules": serializers.DictField(required=False),
    "position": serializers.IntegerField(required=False),
    "show_if_key": serializers.CharField(required=False),
    "show_if_value": serializers.CharField(required=False),
    "purpose": serializers.CharField(),
})


def _field_out(field: CustomField) -> dict[str, Any]:
    return {name: getattr(field, name) for name in (
        "id", "key", "kind", "label_fr", "label_en", "help_fr", "help_en", "required",
        "options", "rules", "position", "show_if_key", "show_if_value", "purpose")}


class Questions(APIView):
    @extend_schema(responses=FIELD.__class__(many=True))
    def get(self, request: Request, event_id: str) -> Response:
        event = _event(request, event_id)
        return Response([_field_out(f) for f in event.custom_fields.order_by("position", "id")])

    @extend_schema(request=FIELD, responses={201: FIELD})
    def post(self, request: Request, event_id: str) -> Response:
        """Add a question; refused with reasons when it points at sensitive data (P1.4)."""
        event = _event(request, event_id)
        if not isinstance(request.data, dict):
            return Response({"errors": {"detail": [_("Send a JSON object.")]}}, status=400)
        try:
            field = fields_services.add_custom_field(event, dict(request.data),
                                                     actor=_actor(request))
        except ValidationError as exc:
            return Response({"errors": exc.message_dict}, status=400)
        return Response(_field_out(field), status=201)


class QuestionDetail(APIView):
    def _get(self, request: Request, event_id: str, field_id: int) -> CustomField:
        return owned_or_404(CustomField, _client(request), event_id=event_id, pk=field_id)

    @extend_schema(request=FIELD, responses=FIELD)
    def patch(self, request: Request, event_id: str, field_id: int) -> Response:
        field = self._get(request, event_id, field_id)
        if not isinstance(request.data, dict):
            return Response({"errors": {"detail": [_("Send a JSON object.")]}}, status=400)
        try:
            field = fields_services.update_custom_field(field, dict(request.data),
                                                        actor=_actor(request))
        except ValidationError as exc:
            return Response({"errors": exc.message_dict}, status=400)
        return Response(_field_out(field))

    @extend_schema(responses={204: None})
    def delete(self, request: Request, event_id: str, field_id: int) -> Response:
        fields_services.remove_custom_field(self._get(request, event_id, field_id),
                                            actor=_actor(request))
        return Response(status=204)


SCOPE = inline_serializer("FormScope", {
    key: inline_serializer(f"Scope_{key}", {
        "enabled": serializers.BooleanField(), "required": serializers.BooleanField(),
        "purpose": serializers.CharField()}) for key in scope.BY_KEY})


class EventScope(APIView):
    @extend_schema(responses=SCOPE)
    def get(self, request: Request, event_id: str) -> Response:
        return Response(scope.effective(_event(request, event_id)))

    @extend_schema(request=SCOPE, responses=SCOPE)
    def put(self, request: Request, event_id: str) -> Response:
        """Override the client's default for this event; send null to go back to it."""
        event = _event(request, event_id)
        raw = request.data if request.data != {} else None
        if raw is not None and not isinstance(raw, dict):
            return Response({"errors": {"detail": [_("Send a JSON object or null.")]}},
                            status=400)
        try:
            fields_services.set_event_scope(event, raw, actor=_actor(request))
        except ValidationError as exc:
            return Response({"errors": exc.message_dict}, status=400)
        return Response(scope.effective(event))


PURPOSE = inline_serializer("ConsentPurpose", {
    "key": serializers.SlugField(), "label_fr": serializers.CharField(),
    "label_en": serializers.CharField()})


class Purposes(APIView):
    @extend_schema(responses=PURPOSE.__class__(many=True))
    def get(self, request: Request) -> Response:
        return Response([{"key": p.key, "label_fr": p.label_fr, "label_en": p.label_en}
                         for p in consents.purposes_for(_client(request))])

    @extend_schema(request=PURPOSE, responses={201: PURPOSE})
    def post(self, request: Request) -> Response:
        data = request.data if isinstance(request.data, dict) else {}
        try:
            purpose = consents.add_purpose(
                _client(request), str(data.get("key", "")), str(data.get("label_fr", "")),
                str(data.get("label_en", "")), actor=_actor(request))
        except ValidationError as exc:
            return Response({"errors": exc.message_dict}, status=400)
        return Response({"key": purpose.key, "label_fr": purpose.label_fr,
                         "label_en": purpose.label_en}, status=201)
