"""Messages through the API (issue 4 §10): templates per kind and language with validation
and preview, an event's reminder settings, sends to a segment with their counts, and each
message's status. Message bodies are never returned (they hold personal links)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from livesession.api.views_registrants import _actor, _client, _event
from livesession.messaging import compose, segments, templating
from livesession.messaging import services as service
from livesession.messaging.models import (
    Campaign,
    Language,
    MessageKind,
    MessageTemplate,
    OutboxMessage,
    OutboxStatus,
    Segment,
)

TEMPLATE = inline_serializer("MessageTemplate", {
    "kind": serializers.CharField(read_only=True), "language": serializers.CharField(
        read_only=True),
    "subject": serializers.CharField(), "body": serializers.CharField(),
    "custom": serializers.BooleanField(read_only=True,
                                       help_text="False: the built-in wording is in force"),
    "placeholders": serializers.ListField(child=serializers.CharField(), read_only=True),
})
PREVIEW = inline_serializer("MessagePreview", {"subject": serializers.CharField(),
                                               "body": serializers.CharField()})
SEND = inline_serializer("SegmentMessage", {
    "id": serializers.IntegerField(read_only=True),
    "segment": serializers.ChoiceField(choices=Segment.values),
    "subject_fr": serializers.CharField(), "body_fr": serializers.CharField(),
    "subject_en": serializers.CharField(), "body_en": serializers.CharField(),
    "status": serializers.CharField(read_only=True),
    "total": serializers.IntegerField(read_only=True),
    "queued": serializers.IntegerField(read_only=True),
    "skipped": serializers.IntegerField(read_only=True),
})
STATUS = inline_serializer("MessageStatus", {
    "id": serializers.IntegerField(), "kind": serializers.CharField(),
    "registration": serializers.UUIDField(allow_null=True),
    "status": serializers.ChoiceField(choices=OutboxStatus.values),
    "last_error": serializers.CharField(), "attempts": serializers.IntegerField(),
    "created_at": serializers.DateTimeField(), "sent_at": serializers.DateTimeField(
        allow_null=True),
})
SETTINGS = inline_serializer("MessageSettings", {
    "reminder_offsets": serializers.ListField(child=serializers.IntegerField(),
                                              help_text="minutes before each start"),
    "followup_enabled": serializers.BooleanField(),
})


class TemplateIn(serializers.Serializer[dict]):
    subject = serializers.CharField(max_length=200)
    body = serializers.CharField(max_length=20000)


class PreviewIn(serializers.Serializer[dict]):
    subject = serializers.CharField(max_length=200, required=False)
    body = serializers.CharField(max_length=20000, required=False)


class SendIn(serializers.Serializer[dict]):
    segment = serializers.CharField(max_length=20)
    subject_fr = serializers.CharField(max_length=200)
    body_fr = serializers.CharField(max_length=20000)
    subject_en = serializers.CharField(max_length=200)
    body_en = serializers.CharField(max_length=20000)


class SettingsIn(serializers.Serializer[dict]):
    reminder_offsets = serializers.ListField(child=serializers.IntegerField(), max_length=5)
    followup_enabled = serializers.BooleanField()


def _kind_language(kind: str, language: str) -> tuple[str, str]:
    if kind not in MessageKind.values or language not in Language.values:
        raise Http404
    return kind, language


def _template_out(client_id: int, kind: str, language: str) -> dict[str, Any]:
    subject, body = compose.template(client_id, kind, language)
    return {"kind": kind, "language": language, "subject": subject, "body": body,
            "custom": MessageTemplate.objects.filter(client_id=client_id, kind=kind,
                                                     language=language).exists(),
            "placeholders": [templating.braced(n) for n in templating.allowed(kind)]}


def _send_out(campaign: Campaign) -> dict[str, Any]:
    return {"id": campaign.pk, "segment": campaign.segment, "subject_fr": campaign.subject_fr,
            "body_fr": campaign.body_fr, "subject_en": campaign.subject_en,
            "body_en": campaign.body_en, **segments.progress(campaign),
            "created_at": campaign.created_at.isoformat(),
            "finished_at": campaign.finished_at.isoformat() if campaign.finished_at else None}


class Templates(APIView):
    @extend_schema(responses=TEMPLATE.__class__(many=True))
    def get(self, request: Request) -> Response:
        client = _client(request)
        return Response([_template_out(client.pk, kind, language)
                         for kind in MessageKind.values for language in Language.values])


class TemplateDetail(APIView):
    @extend_schema(responses=TEMPLATE)
    def get(self, request: Request, kind: str, language: str) -> Response:
        kind, language = _kind_language(kind, language)
        return Response(_template_out(_client(request).pk, kind, language))

    @extend_schema(request=TemplateIn, responses={200: TEMPLATE})
    def put(self, request: Request, kind: str, language: str) -> Response:
        kind, language = _kind_language(kind, language)
        data = TemplateIn(data=request.data)
        data.is_valid(raise_exception=True)
        client = _client(request)
        try:
            service.save_template(client, kind, language, actor=_actor(request),
                                  **data.validated_data)
        except ValidationError as exc:
            return Response({"errors": exc.message_dict}, status=400)
        return Response(_template_out(client.pk, kind, language))

    @extend_schema(responses={204: None})
    def delete(self, request: Request, kind: str, language: str) -> Response:
        """Back to the built-in wording."""
        kind, language = _kind_language(kind, language)
        service.reset_template(_client(request), kind, language, actor=_actor(request))
        return Response(status=204)


class TemplatePreview(APIView):
    @extend_schema(request=PreviewIn, responses={200: PREVIEW})
    def post(self, request: Request, kind: str, language: str) -> Response:
        """The given (or current) wording rendered with sample values; validation errors
        as on save."""
        kind, language = _kind_language(kind, language)
        data = PreviewIn(data=request.data)
        data.is_valid(raise_exception=True)
        client = _client(request)
        subject, body = compose.template(client.pk, kind, language)
        subject = data.validated_data.get("subject", subject)
        body = data.validated_data.get("body", body)
        try:
            templating.validate(kind, subject, body)
        except ValidationError as exc:
            return Response({"errors": exc.message_dict}, status=400)
        shown_subject, shown_body = compose.preview(client.name, kind, language, subject, body)
        return Response({"subject": shown_subject, "body": shown_body})


class EventMessages(APIView):
    @extend_schema(responses=STATUS.__class__(many=True))
    def get(self, request: Request, event_id: str) -> Response:
        """Each message of the event: kind, registration, status, cause, attempts, times.
        Filters: ?kind=…&status=…; the latest 1000."""
        event = _event(request, event_id)
        rows = OutboxMessage.objects.filter(client=_client(request), event=event)
        if kind := request.query_params.get("kind"):
            rows = rows.filter(kind=kind)
        if status := request.query_params.get("status"):
            rows = rows.filter(status=status)
        fields = ("id", "kind", "registration_id", "status", "last_error", "attempts",
                  "created_at", "sent_at")
        return Response([
            {"id": pk, "kind": kind, "registration": str(reg) if reg else None,
             "status": status, "last_error": error, "attempts": attempts,
             "created_at": created.isoformat(),
             "sent_at": sent.isoformat() if sent else None}
            for pk, kind, reg, status, error, attempts, created, sent
            in rows.order_by("-id").values_list(*fields)[:1000]])


class EventMessageSettings(APIView):
    @extend_schema(responses=SETTINGS)
    def get(self, request: Request, event_id: str) -> Response:
        event = _event(request, event_id)
        return Response({"reminder_offsets": event.reminder_offsets,
                         "followup_enabled": event.followup_enabled})

    @extend_schema(request=SettingsIn, responses={200: SETTINGS})
    def put(self, request: Request, event_id: str) -> Response:
        event = _event(request, event_id)
        data = SettingsIn(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            event = service.set_message_settings(event, actor=_actor(request),
                                                 **data.validated_data)
        except ValidationError as exc:
            return Response({"errors": exc.message_dict}, status=400)
        return Response({"reminder_offsets": event.reminder_offsets,
                         "followup_enabled": event.followup_enabled})


class EventSends(APIView):
    @extend_schema(responses=SEND.__class__(many=True))
    def get(self, request: Request, event_id: str) -> Response:
        event = _event(request, event_id)
        return Response([_send_out(c) for c in Campaign.objects.filter(
            client=_client(request), event=event)])

    @extend_schema(request=SendIn, responses={202: SEND})
    def post(self, request: Request, event_id: str) -> Response:
        """Send a message to a segment (registered, attended, absent); it goes out in the
        background: follow its counts with GET."""
        event = _event(request, event_id)
        data = SendIn(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            campaign = segments.create_campaign(event, actor=_actor(request),
                                                **data.validated_data)
        except ValidationError as exc:
            return Response({"errors": exc.message_dict}, status=400)
        return Response(_send_out(campaign), status=202)
