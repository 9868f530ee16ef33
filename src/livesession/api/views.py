"""The JSON API: a thin layer over the services (DESIGN rule 1).

Organizer endpoints need a per-client token and only ever see that client's rows; another
client's event answers 404. ``POST /events/{id}/registrations`` is public.
"""

from __future__ import annotations

import math
from typing import Any, NoReturn

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import Throttled
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from livesession.analytics import sources as analytics_sources
from livesession.api.serializers import (
    EventSerializer,
    RegistrationAcceptedSerializer,
    RegistrationInSerializer,
    RegistrationOutSerializer,
)
from livesession.core import pow as proof_of_work
from livesession.core import ratelimit
from livesession.core.tenancy import owned_or_404
from livesession.events import services as events
from livesession.events.models import Event, EventStatus
from livesession.protection import keystore
from livesession.protection.crypto import token_digest
from livesession.registrations import services as registrations
from livesession.registrations.models import IdempotencyKey, Registration


def _client(request: Request) -> Any:
    return request.user.client  # type: ignore[union-attr]


def _actor(request: Request) -> str:
    return request.user.actor  # type: ignore[union-attr]


def _event_of(request: Request, event_id: Any) -> Event:
    return owned_or_404(Event, _client(request), pk=event_id)


class EventList(APIView):
    @extend_schema(responses=EventSerializer(many=True))
    def get(self, request: Request) -> Response:
        rows = Event.objects.filter(client=_client(request)).order_by("starts_at")
        return Response(EventSerializer(rows, many=True).data)

    @extend_schema(request=EventSerializer, responses={201: EventSerializer})
    def post(self, request: Request) -> Response:
        serializer = EventSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        event = events.create_event(_client(request), actor=_actor(request),
                                    **serializer.validated_data)
        return Response(EventSerializer(event).data, status=status.HTTP_201_CREATED)


class EventDetail(APIView):
    @extend_schema(responses=EventSerializer)
    def get(self, request: Request, event_id: str) -> Response:
        return Response(EventSerializer(_event_of(request, event_id)).data)

    @extend_schema(request=EventSerializer, responses=EventSerializer)
    def patch(self, request: Request, event_id: str) -> Response:
        event = _event_of(request, event_id)
        serializer = EventSerializer(event, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        event = events.update_event(event, actor=_actor(request), **serializer.validated_data)
        return Response(EventSerializer(event).data)


class EventPublish(APIView):
    @extend_schema(request=None, responses=EventSerializer)
    def post(self, request: Request, event_id: str) -> Response:
        event = events.publish_event(_event_of(request, event_id), actor=_actor(request))
        return Response(EventSerializer(event).data)


class RegistrationThrottle(BaseThrottle):
    """Per address and per event, counted in the store of ``core.ratelimit`` (Redis or the
    database), so the limit holds across the web server's processes; the same limits as
    the registration page (RATE_LIMIT_REGISTER, RATE_LIMIT_REGISTER_EVENT)."""

    verdict = ratelimit.ALLOWED

    def allow_request(self, request: Request, view: Any) -> bool:
        self.verdict = ratelimit.registration(request, view.kwargs.get("event_id", ""))
        return not self.verdict

    def wait(self) -> float | None:
        return float(self.verdict.retry_after) if self.verdict else None


def _proof_of_work_refused(request: Request) -> Response | None:
    """With REGISTRATION_POW_DIFFICULTY on: the headers X-PoW-Challenge (from GET
    /api/v1/pow-challenge) and X-PoW-Solution must hold a fresh, unused solution."""
    if not proof_of_work.enabled():
        return None
    refused = proof_of_work.verify(request.headers.get("X-PoW-Challenge", ""),
                                   request.headers.get("X-PoW-Solution", ""))
    if refused is None:
        return None
    return Response({"errors": {"X-PoW-Solution": [str(proof_of_work.API_MESSAGES[refused])]}},
                    status=400)


class PowChallenge(APIView):
    """A proof-of-work challenge for the public registration (none when it is off)."""

    authentication_classes: list[Any] = []
    permission_classes = [permissions.AllowAny]

    @extend_schema(auth=[], responses=inline_serializer("PowChallenge", {
        "challenge": serializers.CharField(allow_null=True),
        "difficulty": serializers.IntegerField(),
        "algorithm": serializers.CharField(),
        "expires_in": serializers.IntegerField()}))
    def get(self, request: Request) -> Response:
        challenge = proof_of_work.issue() if proof_of_work.enabled() else None
        return Response({
            "challenge": challenge.value if challenge else None,
            "difficulty": challenge.difficulty if challenge else 0,
            "algorithm": proof_of_work.ALGORITHM,
            "expires_in": proof_of_work.LIFETIME if challenge else 0,
        }, headers={"Cache-Control": "no-store"})


class EventRegistrations(APIView):
    """GET: the client's list (token). POST: public registration."""

    def get_permissions(self) -> list[Any]:
        if self.request.method == "POST":
            return [permissions.AllowAny()]
        return [permissions.IsAuthenticated()]

    def get_throttles(self) -> list[Any]:
        return [RegistrationThrottle()] if self.request.method == "POST" else []

    def throttled(self, request: Request, wait: float | None) -> NoReturn:
        # 429, Retry-After, and a JSON error in the API's shape saying when to retry.
        seconds = max(1, math.ceil(wait or 60))
        detail: Any = {"errors": {"detail": [ngettext(
            "Too many registration attempts. Try again in %(seconds)d second.",
            "Too many registration attempts. Try again in %(seconds)d seconds.",
            seconds) % {"seconds": seconds}]}, "retry_after": seconds}
        exc = Throttled(wait=seconds)
        exc.detail = detail
        raise exc

    def get_authenticators(self) -> list[Any]:
        # The public POST ignores any Authorization header: no token, no tenant context.
        if getattr(self, "request", None) is not None and self.request.method == "POST":
            return []
        return super().get_authenticators()

    @extend_schema(responses=RegistrationOutSerializer(many=True))
    def get(self, request: Request, event_id: str) -> Response:
        event = _event_of(request, event_id)
        rows = list(Registration.objects.filter(client=_client(request), event=event))
        with keystore.unit_of_work():
            keystore.preload(row.subject_id for row in rows)
            data = [{"id": r.id, "email": r.email, "first_name": r.first_name,
                     "last_name": r.last_name, "status": r.status,
                     "created_at": r.created_at} for r in rows]
        return Response(RegistrationOutSerializer(data, many=True).data)  # type: ignore[arg-type]

    @extend_schema(request=RegistrationInSerializer,
                   responses={202: RegistrationAcceptedSerializer}, auth=[],
                   parameters=[OpenApiParameter(
                       "Idempotency-Key", str, OpenApiParameter.HEADER, required=False,
                       description="Send the same key again to retry safely: the first "
                                   "answer is repeated and nothing more is registered."),
                       OpenApiParameter(
                           "X-PoW-Challenge", str, OpenApiParameter.HEADER, required=False,
                           description="When proof of work is on: a challenge from GET "
                                       "/api/v1/pow-challenge, used once."),
                       OpenApiParameter(
                           "X-PoW-Solution", str, OpenApiParameter.HEADER, required=False,
                           description="When proof of work is on: a decimal counter such that "
                                       "SHA-256(challenge + counter) starts with `difficulty` "
                                       "zero bits.")])
    def post(self, request: Request, event_id: str) -> Response:
        # The client comes along: its consent purposes and name are read by the registration.
        event = (Event.objects.select_related("client").filter(pk=event_id)
                 .exclude(status=EventStatus.DRAFT).first())
        if event is None:
            raise Http404
        key = request.headers.get("Idempotency-Key", "").strip()
        if key:
            if len(key) > 200:
                return Response({"errors": {"Idempotency-Key": [
                    _("Use a key of at most 200 characters.")]}}, status=400)
            previous = IdempotencyKey.objects.filter(event=event,
                                                     key_digest=token_digest(key)).first()
            if previous is not None:
                return Response(previous.body, status=previous.status_code)
        refused = _proof_of_work_refused(request)
        if refused is not None:
            return refused
        code, body = self._register(request, event)
        if key and code < 500:
            IdempotencyKey.objects.get_or_create(
                event=event, key_digest=token_digest(key),
                defaults={"status_code": code, "body": body})
        return Response(body, status=code)

    def _register(self, request: Request, event: Event) -> tuple[int, dict[str, Any]]:
        data = request.data if isinstance(request.data, dict) else None
        if data is None:
            return 400, {"errors": {"detail": [_("Send the registration as a JSON object.")]}}
        data = dict(data)
        language = str(data.pop("language", "fr") or "fr")
        if language not in {"fr", "en"}:
            return 400, {"errors": {"language": [_("Use fr or en.")]}}
        # Where the registration came from (issue 7 §7): optional UTM keys and referrer.
        source = {key: data.pop(key) for key in (*analytics_sources.FIELDS, "referrer")
                  if key in data}
        try:
            made = registrations.register(event, data, language=language, channel="api",
                                          actor="api:public")
        except ValidationError as exc:
            return 400, {"errors": exc.message_dict}
        except registrations.RegistrationClosed:
            return 409, {"errors": {"detail": [_("Registrations to this event are closed.")]}}
        except registrations.EventFull:
            return 409, {"errors": {"detail": [_("The event is full and has no waiting "
                                                 "list.")]}}
        except registrations.AlreadyRegistered as exc:
            # Same answer as a new registration: the API does not reveal who is registered.
            registrations.send_link_again(exc.registration, actor="api:public")
        else:
            analytics_sources.capture(made.registration, source)
        return 202, {"detail": _("Registration received. The next steps have been sent to "
                                 "the email address given.")}
