"""The rights API (issue 5 §9, §11; P4.1, P4.3, P6.3, P6.8; GDPR R-12).

Two audiences:

- **A client's token** (``/people/…``): find a participant across the client's events by
  address (keyed hash: the address is in the body, never in a URL), read what the client
  holds about them, download the same ZIP as the Manager, restrict or lift, erase. The
  client comes from the token; another client's person answers 404. The reads and the
  services are the Manager's (``manager.people``, ``access_export.export_person``,
  ``protection.restriction``, ``protection.erasure.erase_person``).
- **The participant** (``/me/…``), signed in with the session cookie only (no token:
  a client's token is not a person). DRF's ``SessionAuthentication`` enforces Django's CSRF
  check on every unsafe method of a signed-in session, so ``POST /me/erase`` needs the
  ``X-CSRFToken`` header; anonymous calls get 403 with a message saying to sign in. Erasure
  asks for the password again, as the personal space does (a wrong one counts towards the
  account's lock).
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.contrib.auth import authenticate, logout
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, permissions, serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from livesession.accounts.models import User
from livesession.core.models import Client
from livesession.manager import people
from livesession.protection import access_export, erasure, restriction
from livesession.protection.models import Subject

EVERYTHING = "everything"  # the /me/erase scope: the account and every organizer


def _client(request: Request) -> Client:
    return request.user.client  # type: ignore[union-attr]


def _actor(request: Request) -> str:
    return request.user.actor  # type: ignore[union-attr]


def _gone() -> Response:
    return Response({"detail": _("This person's data was erased: nothing is left.")},
                    status=410)


def _subject(request: Request, subject_id: Any) -> Subject | None:
    """The token's client's person; None when that client erased them; else 404."""
    client = _client(request)
    subject = people.client_subject(client, subject_id)
    if subject is None and not people.was_erased(client, subject_id):
        raise Http404
    if subject is not None and subject.shredded_at is not None:
        return None
    return subject


def _zip(archive: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(archive, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


# --- A client's participants (client token) ----------------------------------------------

class SearchIn(serializers.Serializer[dict[str, Any]]):
    email = serializers.CharField(required=False, max_length=320, help_text=(
        "A whole address: matched exactly, by keyed hash, whatever its case."))
    name = serializers.CharField(required=False, max_length=200, help_text=(
        "Or names, or their first three letters or more; every word must match."))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        email = (attrs.get("email") or "").strip()
        name = (attrs.get("name") or "").strip()
        if not email and not name:
            raise serializers.ValidationError(
                {"email": [_("Give the person's email address (or a name in \"name\").")]})
        if email and "@" not in email:
            raise serializers.ValidationError(
                {"email": [_("This is not an email address: it needs an @.")]})
        return {"email": email, "name": name}


SEARCH_OUT = inline_serializer("PeopleFound", {"results": inline_serializer("PersonFound", {
    "id": serializers.UUIDField(help_text="the person at this client (subject id)"),
    "registrations": serializers.IntegerField(),
    "restricted": serializers.BooleanField(),
}, many=True)})

PERSON_OUT = inline_serializer("Person", {
    "id": serializers.UUIDField(),
    "restricted": serializers.BooleanField(),
    "restricted_at": serializers.DateTimeField(allow_null=True),
    "unsubscribed": serializers.BooleanField(
        help_text="objects to non-essential messages from this client"),
    "objections": serializers.ListField(child=serializers.CharField(), help_text=(
        "purposes the person objects to (GDPR art. 21): statistics, reminders")),
    "registrations": inline_serializer("PersonRegistration", {
        "id": serializers.UUIDField(), "event": serializers.UUIDField(),
        "event_title": serializers.CharField(), "status": serializers.CharField(),
        "channel": serializers.CharField(), "created_at": serializers.DateTimeField(),
        "email": serializers.EmailField(), "first_name": serializers.CharField(),
        "last_name": serializers.CharField(), "fields": serializers.DictField(
            help_text="standard fields the event's form collects"),
        "answers": serializers.DictField(help_text="answers to the custom questions"),
    }, many=True),
    "consents": inline_serializer("PersonConsent", {
        "purpose": serializers.CharField(), "action": serializers.CharField(),
        "at": serializers.DateTimeField(), "channel": serializers.CharField(),
        "registration": serializers.UUIDField(allow_null=True)}, many=True),
    "attendance": inline_serializer("PersonAttendance", {
        "event": serializers.UUIDField(), "session": serializers.CharField(),
        "first_access_at": serializers.DateTimeField(),
        "last_seen_at": serializers.DateTimeField(), "accesses": serializers.IntegerField(),
        "minutes_present": serializers.IntegerField(allow_null=True)}, many=True),
    "messages": inline_serializer("PersonMessage", {
        "kind": serializers.CharField(), "status": serializers.CharField(),
        "created_at": serializers.DateTimeField(),
        "sent_at": serializers.DateTimeField(allow_null=True),
        "error": serializers.CharField()}, many=True),
})
GONE = OpenApiResponse(description="the person was erased: nothing is left")
RESTRICT_OUT = inline_serializer("RestrictionState", {
    "restricted": serializers.BooleanField(),
    "changed": serializers.BooleanField(help_text="false when it already was so")})
ERASE_OUT = inline_serializer("ErasureReceipt", {
    "status": serializers.ChoiceField(choices=["erased", "already_erased",
                                               "nothing_to_erase"]),
    "counts": serializers.DictField(child=serializers.IntegerField(),
                                    help_text="rows, keys, files per category; never a value"),
})


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


class PersonSearch(APIView):
    @extend_schema(request=SearchIn, responses=SEARCH_OUT)
    def post(self, request: Request) -> Response:
        """Find the client's person by exact email (in the body, never in the URL), or by
        name, across all its events."""
        data = SearchIn(data=request.data)
        data.is_valid(raise_exception=True)
        query = data.validated_data["email"] or data.validated_data["name"]
        found = people.find_people(_client(request), query)
        return Response({"results": [{"id": str(f.subject_id),
                                      "registrations": f.registrations,
                                      "restricted": f.restricted} for f in found]})


class PersonDetail(APIView):
    @extend_schema(responses={200: PERSON_OUT, 410: GONE})
    def get(self, request: Request, subject_id: str) -> Response:
        """What the client holds about the person: registrations and answers, consent
        history, attendance, messages (status only), restriction and objection."""
        subject = _subject(request, subject_id)
        if subject is None:
            return _gone()
        p = people.summary(_client(request), subject)
        return Response({
            "id": str(subject.pk), "restricted": p["restricted"],
            "restricted_at": _iso(p["restricted_at"]), "unsubscribed": p["unsubscribed"],
            "objections": [o["purpose"] for o in p["objections"]],
            "registrations": [{
                "id": str(r["id"]), "event": str(r["event_id"]), "event_title": r["event"],
                "status": r["status"], "channel": r["channel"],
                "created_at": _iso(r["created_at"]), "email": r["email"],
                "first_name": r["first_name"], "last_name": r["last_name"],
                "fields": r["standard"], "answers": r["answers"]} for r in p["registrations"]],
            "consents": [{"purpose": c["purpose"], "action": c["action"], "at": _iso(c["at"]),
                          "channel": c["channel"],
                          "registration": str(c["registration_id"]) if c["registration_id"]
                          else None} for c in p["consents"]],
            "attendance": [{"event": str(a["event_id"]), "session": a["session"],
                            "first_access_at": _iso(a["first_access_at"]),
                            "last_seen_at": _iso(a["last_seen_at"]),
                            "accesses": a["accesses"],
                            "minutes_present": a["minutes_present"]}
                           for a in p["attendance"]],
            "messages": [{"kind": m["kind"], "status": m["status"],
                          "created_at": _iso(m["created_at"]), "sent_at": _iso(m["sent_at"]),
                          "error": m["error"]} for m in p["messages"]],
        })


class PersonExport(APIView):
    @extend_schema(responses={(200, "application/zip"): OpenApiTypes.BINARY, 410: GONE})
    def get(self, request: Request, subject_id: str) -> HttpResponse:
        """The ZIP of everything the client holds about the person (data.json valid against
        the published schema, CSV per table, index.html): the personal space's format,
        this client's part only. Audited."""
        subject = _subject(request, subject_id)
        if subject is None:
            return _gone()
        document, archive = access_export.export_person(subject, actor=_actor(request))
        return _zip(archive, f"person-{str(subject.pk)[:8]}-{document['generated_at'][:10]}"
                             ".zip")


class PersonRestriction(APIView):
    restrict = True

    @extend_schema(request=None, responses={200: RESTRICT_OUT, 410: GONE})
    def post(self, request: Request, subject_id: str) -> Response:
        """Restrict processing (GDPR art. 18: storage only) or lift it; the person is told
        by email. Idempotent: ``changed`` is false when it already was so."""
        subject = _subject(request, subject_id)
        if subject is None:
            return _gone()
        action = restriction.restrict if self.restrict else restriction.lift
        changed = action([subject.pk], actor=_actor(request), source="api")
        return Response({"restricted": restriction.is_restricted(subject.pk),
                         "changed": bool(changed)})


class PersonErase(APIView):
    @extend_schema(request=None, responses=ERASE_OUT)
    def post(self, request: Request, subject_id: str) -> Response:
        """Erase the person at this client (every registration, answer, consent link,
        attendance, message; the key destroyed, so backups are unreadable too). Idempotent:
        an erased person answers ``already_erased``."""
        subject = _subject(request, subject_id)
        if subject is None:
            return Response({"status": "already_erased", "counts": {}})
        receipt = erasure.erase_person(subject, actor=_actor(request), scope=erasure.CLIENT)
        status = "already_erased" if receipt.nothing_done else "erased"
        return Response({"status": status, "counts": receipt.as_dict()})


# --- The participant's own (session) ------------------------------------------------------

class _SignedInPerson(permissions.BasePermission):
    def has_permission(self, request: Request, view: APIView) -> bool:
        return isinstance(request.user, User) and request.user.is_authenticated


class _MeView(APIView):
    """Session cookie only; CSRF enforced by ``SessionAuthentication`` on unsafe methods."""

    authentication_classes = [SessionAuthentication]
    permission_classes = [_SignedInPerson]

    def permission_denied(self, request: Request, message: str | None = None,
                          code: str | None = None) -> NoReturn:
        raise exceptions.NotAuthenticated(_(
            "Sign in first: this endpoint acts on your own account, with your signed-in "
            "session (cookie) and, for a change, its CSRF token in the X-CSRFToken header."))

    def me(self, request: Request) -> User:
        user = request.user
        assert isinstance(user, User)  # noqa: S101 - _SignedInPerson let only accounts in
        return user


class MeExport(_MeView):
    @extend_schema(responses={(200, "application/zip"): OpenApiTypes.BINARY})
    def get(self, request: Request) -> HttpResponse:
        """The copy of everything held about you, by controller: the same ZIP as "My data"
        in the personal space (GDPR art. 15 and 20). Audited."""
        user = self.me(request)
        document, archive = access_export.export_account(
            user, actor=f"account:{user.pk}", via="api")
        return _zip(archive, f"my-data-{document['generated_at'][:10]}.zip")


class EraseIn(serializers.Serializer[dict[str, Any]]):
    password = serializers.CharField(max_length=128, trim_whitespace=False,
                                     style={"input_type": "password"},
                                     help_text="your password, asked again")
    scope = serializers.CharField(max_length=20, help_text=(
        '"everything" (your account and every organizer\'s data about your address: you '
        "are signed out), or the id of one organizer (client) to delete your data there "
        "only"))

    def validate_scope(self, value: str) -> str:
        value = value.strip()
        if value != EVERYTHING and not value.isdigit():
            raise serializers.ValidationError(_(
                'Use "everything", or the number of one organizer (client).'))
        return value


class MeErase(_MeView):
    @extend_schema(request=EraseIn, responses=ERASE_OUT)
    def post(self, request: Request) -> Response:
        """Delete your data at one organizer, or your account and everything (GDPR art. 17,
        P4.3): at once, after your password. Idempotent: an organizer that holds nothing
        about you (any more) answers ``nothing_to_erase``."""
        user = self.me(request)
        data = EraseIn(data=request.data)
        data.is_valid(raise_exception=True)
        checked = authenticate(request._request, email=user.email,
                               password=data.validated_data["password"])
        if checked is None or checked.pk != user.pk:
            return Response({"errors": {"password": [_("This is not your password.")]}},
                            status=400)
        scope = data.validated_data["scope"]
        actor = f"account:{user.pk}"
        if scope == EVERYTHING:
            receipt = erasure.erase_everywhere(user, actor=actor)
            logout(request._request)
            return Response({"status": "erased", "counts": receipt.as_dict()})
        client_id = int(scope)
        if not erasure.subjects_at_client(user, client_id):
            # Same answer whether the organizer never held anything or already erased it.
            return Response({"status": "nothing_to_erase", "counts": {}})
        receipt = erasure.erase_at_client(user, client_id, actor=actor)
        status = "already_erased" if receipt.nothing_done else "erased"
        return Response({"status": status, "counts": receipt.as_dict()})
