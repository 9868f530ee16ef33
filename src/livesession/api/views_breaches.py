"""The breach register under ``/api/v1/breaches`` for operator staff (issue 8 §6; GDPR art.
33.5; P3.7, P6.7): list, detail, assess, decide, record a notification, close.

Session cookie only (a client's API token is not operator staff); CSRF enforced by
``SessionAuthentication`` on unsafe methods. Operator staff only, with the second factor
proved in this session and the confidentiality acknowledgement (as the console, S-02, P3.5):
anyone else signed in gets 404 (the register does not exist for them), staff missing the
second factor or the acknowledgement 403, nobody signed in 403. The writes are
``incidents.breach``'s services: same checks, same audit entries, errors as JSON per field.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, permissions, serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from livesession.incidents import breach
from livesession.incidents.models import Incident, Kind, Nature, Phase, Risk, Role, Status
from livesession.staffaccess import mfa_services


class _OperatorStaff(permissions.BasePermission):
    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if not getattr(user, "is_operator", False):
            raise Http404
        return bool(mfa_services.is_satisfied(request)
                    and getattr(user, "confidentiality_ack_at", None) is not None)


class _BreachView(APIView):
    authentication_classes = [SessionAuthentication]
    permission_classes = [_OperatorStaff]

    def permission_denied(self, request: Request, message: str | None = None,
                          code: str | None = None) -> NoReturn:
        if not (request.user and request.user.is_authenticated):
            raise exceptions.NotAuthenticated(_(
                "Sign in to the console first: this endpoint is for operator staff, with "
                "their signed-in session (cookie) and, for a change, its CSRF token in the "
                "X-CSRFToken header."))
        raise exceptions.PermissionDenied(_(
            "Prove your second factor and acknowledge the confidentiality undertaking in "
            "the console first."))

    def actor(self, request: Request) -> str:
        return f"account:{request.user.pk}"

    def incident(self, incident_id: Any) -> Incident:
        return get_object_or_404(Incident, pk=incident_id)




class AssessIn(serializers.Serializer[dict[str, Any]]):
    natures = serializers.ListField(child=serializers.ChoiceField(
        choices=[c for c in Nature.values if c != Nature.UNKNOWN]), allow_empty=False)
    data_categories = serializers.ListField(child=serializers.CharField(max_length=100),
                                            required=False, default=list)
    people_approx = serializers.IntegerField(min_value=0, required=False, allow_null=True,
                                             default=None)
    records_approx = serializers.IntegerField(min_value=0, required=False, allow_null=True,
                                              default=None)
    likely_consequences = serializers.CharField(required=False, allow_blank=True, default="")
    risk_level = serializers.ChoiceField(choices=Risk.values)
    risk_reasoning = serializers.CharField()
    measures_taken = serializers.CharField(required=False, allow_blank=True, default="")
    measures_proposed = serializers.CharField(required=False, allow_blank=True, default="")
    role = serializers.ChoiceField(choices=Role.values)
    clients = serializers.ListField(child=serializers.IntegerField(min_value=1),
                                    required=False, default=list,
                                    help_text="ids of the clients affected")


class DecideIn(serializers.Serializer[dict[str, Any]]):
    notify_cnil = serializers.BooleanField()
    notify_people = serializers.BooleanField()
    rationale = serializers.CharField()
    complement_due = serializers.DateTimeField(required=False, allow_null=True, default=None)


class NotificationIn(serializers.Serializer[dict[str, Any]]):
    kind = serializers.ChoiceField(choices=Kind.values)
    phase = serializers.ChoiceField(choices=Phase.values, default=Phase.INITIAL)
    at = serializers.DateTimeField(required=False, allow_null=True, default=None,
                                   help_text="when it was made; default now")
    reference = serializers.CharField(required=False, allow_blank=True, default="",
                                      max_length=100)
    delay_reason = serializers.CharField(required=False, allow_blank=True, default="")
    client = serializers.IntegerField(required=False, allow_null=True, default=None,
                                      help_text="for kind client: the client told")


def _valid(serializer: serializers.Serializer[dict[str, Any]]) -> dict[str, Any]:
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class BreachList(_BreachView):
    @extend_schema(operation_id="breaches_list", responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        """Every incident of the register, newest first, with its deadlines; ``?status=open``
        or ``closed`` filters."""
        rows = Incident.objects.order_by("-detected_at", "pk").prefetch_related(
            "notifications", "clients_affected")
        status = request.query_params.get("status", "")
        if status in Status.values:
            rows = rows.filter(status=status)
        return Response({"incidents": [breach.register_entry(i) for i in rows]})


class BreachDetail(_BreachView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, incident_id: Any) -> Response:
        """One incident as the register holds it (art. 33.5), with its clocks."""
        return Response(breach.register_entry(self.incident(incident_id)))


class BreachAssess(_BreachView):
    @extend_schema(request=AssessIn, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request, incident_id: Any) -> Response:
        """Record or revise the risk assessment (art. 33.3): natures, categories, numbers,
        consequences, risk level and why, measures, role, clients affected."""
        incident = self.incident(incident_id)
        data = _valid(AssessIn(data=request.data))
        done = breach.assess(incident, actor=self.actor(request), natures=data["natures"],
                             data_categories=data["data_categories"],
                             people_approx=data["people_approx"],
                             records_approx=data["records_approx"],
                             likely_consequences=data["likely_consequences"],
                             risk_level=data["risk_level"],
                             risk_reasoning=data["risk_reasoning"],
                             measures_taken=data["measures_taken"],
                             measures_proposed=data["measures_proposed"], role=data["role"],
                             client_ids=data["clients"])
        return Response(breach.register_entry(done))


class BreachDecide(_BreachView):
    @extend_schema(request=DecideIn, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request, incident_id: Any) -> Response:
        """Record the decision to notify the CNIL and the people, or not, and why."""
        incident = self.incident(incident_id)
        data = _valid(DecideIn(data=request.data))
        done = breach.decide(incident, actor=self.actor(request),
                             notify_cnil=data["notify_cnil"],
                             notify_people=data["notify_people"],
                             rationale=data["rationale"],
                             complement_due=data["complement_due"])
        return Response(breach.register_entry(done))


class BreachNotification(_BreachView):
    @extend_schema(request=NotificationIn, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request, incident_id: Any) -> Response:
        """Record a notification made (CNIL, people, client; initial or complementary),
        with its reference; after its deadline, ``delay_reason`` is required."""
        incident = self.incident(incident_id)
        data = _valid(NotificationIn(data=request.data))
        breach.record_notification(incident, actor=self.actor(request), kind=data["kind"],
                                   phase=data["phase"], at=data["at"],
                                   reference=data["reference"],
                                   delay_reason=data["delay_reason"],
                                   client_id=data["client"])
        incident.refresh_from_db()
        return Response(breach.register_entry(incident), status=201)


class BreachClose(_BreachView):
    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request, incident_id: Any) -> Response:
        """Close the incident: refused (400) without the risk assessment and the
        decision. It stays in the register."""
        done = breach.close(self.incident(incident_id), actor=self.actor(request))
        return Response(breach.register_entry(done))
