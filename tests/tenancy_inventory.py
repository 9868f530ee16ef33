"""The inventory of every URL of the project, for the tenancy test (P6.1, P3.4).

Each named URL says who may reach it, method by method, and how to point it at one
client's objects. ``tests/test_tenancy_urls.py`` walks the resolver tree and fails when a
URL has no entry here, or when an entry names a URL that no longer exists: a new URL is
not shipped before someone has decided who may reach it.

Kinds (who may reach a method of a URL):

- ``public``: anyone, signed in or not (portal pages, health, schema, language, sign-in).
- ``member``: a member of the client named by the ``client_slug`` in the URL (the Manager);
  ``capability`` says what the member's role must allow.
- ``operator``: operator staff only (the console).
- ``operator-grant``: operator staff under an open staff access grant of their own for that
  client (issue 6 §6, P3.4); staff without one get 403, anyone else the console's 404.
- ``api-token``: a request carrying a client's API token; it sees that client only.
- ``api-public``: the public JSON registration; no token, no tenant context.
- ``account``: the signed-in account's own personal space (/me/). These URLs carry no id:
  the account comes from the session only, anonymous visitors are sent to sign in, and no
  other person's data may appear (``tests/accounts/test_space_access.py``).
- ``api-account``: the signed-in account's own data through the API (/api/v1/me/…): the
  session cookie only, CSRF enforced on writes, anonymous answered 401/403, never a
  redirect (``tests/api/test_me_rights.py``).
- ``operator-api``: operator staff through the API (/api/v1/breaches…, issue 8): the
  session cookie only, CSRF enforced on writes, second factor proved; a client's member
  gets 404, anonymous visitors and API tokens 401/403 (``tests/incidents/test_api_breaches.py``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from livesession.api.services import create_token
from livesession.core.clock import now
from livesession.core.models import Client
from livesession.events.models import Event
from livesession.events.services import create_event, publish_event
from livesession.registrations.fields_services import add_custom_field
from livesession.registrations.services import register
from livesession.registrations.sessions import add_session

PUBLIC = "public"
MEMBER = "member"
OPERATOR = "operator"
API_TOKEN = "api-token"
API_PUBLIC = "api-public"
ACCOUNT = "account"
API_ACCOUNT = "api-account"
OPERATOR_GRANT = "operator-grant"
OPERATOR_API = "operator-api"
KINDS = frozenset({PUBLIC, MEMBER, OPERATOR, API_TOKEN, API_PUBLIC, ACCOUNT, API_ACCOUNT,
                   OPERATOR_GRANT, OPERATOR_API})

# What a role may do inside its own client (the words of ``core.models.CAPABILITIES``).
VIEW = "view"
MANAGE_EVENTS = "manage_events"
MANAGE_TOKENS = "manage_tokens"
MANAGE_MEMBERS = "manage_members"
MANAGE_SECURITY = "manage_security"  # owners only
CAPABILITIES = frozenset({VIEW, MANAGE_EVENTS, MANAGE_TOKENS, MANAGE_MEMBERS, MANAGE_SECURITY})


@dataclass(frozen=True)
class Side:
    """One client and its objects, each carrying text that must never reach another client."""

    client: Client
    event: Event  # published
    draft: Event
    token_id: int
    secret: str  # the raw API token
    link: str  # the personal access token of a registration to ``event``
    email: str
    first_name: str
    last_name: str
    registration_id: Any = None
    question_id: int = 0
    session_id: int = 0

    @property
    def slug(self) -> str:
        return self.client.slug

    @property
    def client_data(self) -> tuple[str, ...]:
        """What the client owns: even the operator's console does not show it (P3.4)."""
        return (self.event.title, self.event.description, self.event.room_url,
                self.draft.title, self.draft.description, self.draft.room_url,
                self.email, self.first_name, self.last_name, self.secret, self.secret[:10])

    @property
    def markers(self) -> tuple[str, ...]:
        """Everything another client must never see, the client's name included (P6.1)."""
        return (self.client.name, *self.client_data)


def build_side(client: Client, word: str) -> Side:
    """Objects of ``client`` whose texts all contain ``word`` (ASCII, nothing to escape)."""
    starts = now() + dt.timedelta(days=2)
    common = {"starts_at": starts, "ends_at": starts + dt.timedelta(hours=1),
              "time_zone": "Europe/Paris"}
    event = publish_event(create_event(
        client, actor="test", title=f"{word} confidential summit",
        description=f"{word} private agenda", room_url=f"https://room.example/{word}-live",
        **common), actor="test")
    draft = create_event(client, actor="test", title=f"{word} unannounced draft",
                         description=f"{word} draft notes",
                         room_url=f"https://room.example/{word}-draft", **common)
    token = create_token(client, f"{word} sync", actor="test")
    email, first, last = f"participant@{word}-people.test", f"{word}first", f"{word}last"
    registered = register(event, email=email, first_name=first, last_name=last)
    question = add_custom_field(event, {"key": "company", "kind": "short_text",
                                        "label_fr": "Entreprise", "label_en": "Company",
                                        "purpose": "know the audience"}, actor="test")
    session = add_session(event, actor="test", title=f"{word} first session",
                          starts_at=starts, ends_at=starts + dt.timedelta(hours=1),
                          capacity=None, room_url="")
    return Side(client=client, event=event, draft=draft, token_id=token.token.pk,
                secret=token.secret, link=registered.token, email=email, first_name=first,
                last_name=last, registration_id=registered.registration.pk,
                question_id=question.pk, session_id=session.pk)


Kwargs = Callable[[Side], dict[str, Any]]


def no_kwargs(side: Side) -> dict[str, Any]:
    return {}


def slug(side: Side) -> dict[str, Any]:
    return {"client_slug": side.slug}


def slug_event(side: Side) -> dict[str, Any]:
    return {"client_slug": side.slug, "event_id": side.event.pk}


def slug_draft(side: Side) -> dict[str, Any]:
    # Publishing a draft is a visible change: a leak across clients could not go unseen.
    return {"client_slug": side.slug, "event_id": side.draft.pk}


def slug_token(side: Side) -> dict[str, Any]:
    return {"client_slug": side.slug, "token_id": side.token_id}


def event(side: Side) -> dict[str, Any]:
    return {"event_id": side.event.pk}


def draft(side: Side) -> dict[str, Any]:
    return {"event_id": side.draft.pk}


def link(side: Side) -> dict[str, Any]:
    return {"token": side.link}


def account_token(side: Side) -> dict[str, Any]:
    # Verification and reset links belong to no client; a forged one answers "this link
    # does not work" (tests/accounts covers the real ones).
    return {"token": f"forged-{side.slug}-link"}


def event_session(side: Side) -> dict[str, Any]:
    return {"event_id": side.event.pk, "session_id": side.session_id}


def slug_event_session(side: Side) -> dict[str, Any]:
    return {"client_slug": side.slug, "event_id": side.event.pk, "session_id": side.session_id}


def registration(side: Side) -> dict[str, Any]:
    return {"registration_id": side.registration_id}


def event_question(side: Side) -> dict[str, Any]:
    return {"event_id": side.event.pk, "field_id": side.question_id}


def slug_event_question(side: Side) -> dict[str, Any]:
    """A custom question of the side's published event (made here if it has none)."""
    from livesession.registrations.fields_services import add_custom_field
    from livesession.registrations.models import CustomField

    question = CustomField.objects.filter(event=side.event).order_by("pk").first()
    if question is None:
        question = add_custom_field(side.event, {
            "key": "company", "kind": "short_text", "label_fr": "Entreprise",
            "label_en": "Company", "purpose": "know the audience"}, actor="test")
    return {"client_slug": side.slug, "event_id": side.event.pk, "field_id": question.pk}


def subprocessor(side: Side) -> dict[str, Any]:
    """The first entry of the sub-processor register (seeded from the settings, issue 6 §4):
    the register is the platform's, not a client's."""
    from livesession.processors.models import SubProcessor

    row = SubProcessor.objects.order_by("pk").first()
    assert row is not None
    return {"subprocessor_id": row.pk}


def slug_notice(side: Side) -> dict[str, Any]:
    """The client, with one open change notice of the sub-processor register (sent to every
    client; the objection form names it, or it is the only one open)."""
    from livesession.processors.models import ChangeNotice
    from livesession.processors.services import add_subprocessor

    notice = ChangeNotice.objects.order_by("pk").first()
    if notice is None:
        add_subprocessor(dict(SUBPROCESSOR_FORM, data_categories=["registrations"]),
                         actor="test")
        notice = ChangeNotice.objects.order_by("pk").first()
    assert notice is not None
    return {"client_slug": side.slug}


def slug_purpose(side: Side) -> dict[str, Any]:
    """The side's first consent purpose (a built-in one)."""
    from livesession.privacy.models import ConsentPurpose
    from livesession.privacy.services import ensure_builtin_purposes

    ensure_builtin_purposes(side.client)
    purpose = ConsentPurpose.objects.filter(client=side.client).order_by("pk").first()
    assert purpose is not None
    return {"client_slug": side.slug, "purpose_id": purpose.pk}


def other_session(side: Side) -> dict[str, Any]:
    """A session id that is nobody's: a 404 for every account (tests/accounts/
    test_sessions.py signs out real sessions, another account's included)."""
    import uuid

    return {"session_id": uuid.UUID("00000000-0000-4000-8000-000000000000")}


def nobodys_registration(side: Side) -> dict[str, Any]:
    """A registration id that is nobody's: a 404 for every account (tests/accounts/
    test_rectification.py edits a real one, and is refused another account's)."""
    import uuid

    return {"registration_id": uuid.UUID("00000000-0000-4000-8000-00000000000a")}


def staff_grant(side: Side) -> dict[str, Any]:
    """A staff access grant to the side's client, opened by another staff member (issue 6
    §6): the staff member signed in has none, so the answer is 403 and shows nothing."""
    from livesession.accounts.models import User
    from livesession.accounts.services import create_account
    from livesession.staffaccess.services import open_grant

    other = create_account(f"granted-{uuid.uuid4().hex[:12]}@operator.test",
                           "correct horse battery staple", is_operator=True, actor="test")
    User.objects.filter(pk=other.pk).update(confidentiality_ack_at=now())
    other.refresh_from_db()
    grant = open_grant(other, side.client, "Inventory probe of the staff access routes")
    return {"grant_id": grant.pk}


def staff_grant_event(side: Side) -> dict[str, Any]:
    return {**staff_grant(side), "event_id": side.event.pk}


def incident(side: Side) -> dict[str, Any]:
    """An incident about the side's client (issue 5 §7), opened by the platform."""
    from livesession.incidents.services import open_incident

    made = open_incident("staff", summary="Inventory probe", refs=[f"client:{side.client.pk}"],
                         client_id=side.client.pk, actor="test")
    return {"incident_id": made.pk}


def assessed_incident(side: Side) -> dict[str, Any]:
    """An incident about the side's client, assessed, its affected people computed (issue 8):
    the CNIL document can be generated."""
    from livesession.incidents import breach, notices
    from livesession.incidents.affected import Scope

    made = incident(side)["incident_id"]
    from livesession.incidents.models import Incident

    found = Incident.objects.get(pk=made)
    breach.assess(found, actor="test", natures=["confidentiality"], data_categories=[],
                  people_approx=1, records_approx=1, likely_consequences="Probe",
                  risk_level="risk", risk_reasoning="Probe", measures_taken="Probe",
                  measures_proposed="", role="processor", client_ids=[side.client.pk])
    notices.store_affected(found, Scope(clients=(side.client.pk,)), actor="test")
    return {"incident_id": made}


def slug_breach(side: Side) -> dict[str, Any]:
    """A breach notice sent to the side's client (issue 8 §4, P6.7), through the services."""
    from livesession.incidents import breach, notices
    from livesession.incidents.affected import Scope
    from livesession.incidents.services import open_incident

    made = open_incident("staff", summary="Inventory breach", refs=[], client_id=side.client.pk,
                         actor="test")
    breach.assess(made, actor="test", natures=["confidentiality"], data_categories=[],
                  people_approx=1, records_approx=1, likely_consequences="Probe",
                  risk_level="risk", risk_reasoning="Probe", measures_taken="Probe",
                  measures_proposed="", role="processor", client_ids=[side.client.pk])
    notices.store_affected(made, Scope(clients=(side.client.pk,)), actor="test")
    notices.notify_clients(made, actor="test")
    return {"client_slug": side.slug, "incident_id": made.pk}


def register_client(side: Side) -> dict[str, Any]:
    """The side's processor record in the console's register (issue 6 §3)."""
    return {"client_id": side.client.pk}


def retention_hold(side: Side) -> dict[str, Any]:
    """A legal hold on the side's client (issue 6 §1), placed by the operator."""
    from livesession.retention.services import place_hold

    hold = place_hold(side.client, reason="Inventory probe", actor="test")
    return {"hold_id": hold.pk}


def notice_version(side: Side) -> dict[str, Any]:
    """The digest of the privacy notice in force (issue 5 §10)."""
    from livesession.privacy.services import current_notice

    return {"digest": current_notice().digest}


def slug_package(side: Side) -> dict[str, Any]:
    """A built return package of the side's client (issue 6 §2)."""
    from livesession.contracts import package as packages
    from livesession.contracts.models import ReturnPackage
    from livesession.core.clock import now as clock_now

    row = ReturnPackage.objects.filter(client=side.client).first()
    if row is None:
        row = ReturnPackage.objects.create(client=side.client, requested_by="test",
                                           created_at=clock_now())
        packages.build(row.pk)
    return {"client_slug": side.slug, "package_id": row.pk}


def contract_client(side: Side) -> dict[str, Any]:
    return {"client_id": side.client.pk}


def destruction_certificate(side: Side) -> dict[str, Any]:
    """A certificate row naming the side's client (the inventory only reads it)."""
    from livesession.contracts.models import DestructionCertificate
    from livesession.core.clock import now as clock_now

    cert, _made = DestructionCertificate.objects.get_or_create(
        client_ref=side.client.pk, defaults={"client_name": side.client.name,
                                             "terminated_at": clock_now(),
                                             "started_at": clock_now()})
    return {"certificate_id": cert.pk}


@dataclass(frozen=True)
class Route:
    """``methods``: each HTTP method the URL answers, with its kind; any other method is
    refused (405) or never reaches the object. ``body``: a valid write, so that a request
    that crossed clients would leave a trace."""

    methods: Mapping[str, str]
    kwargs: Kwargs = no_kwargs
    capability: str = ""  # member URLs only
    body: Mapping[str, Any] = field(default_factory=dict)

    @property
    def kinds(self) -> frozenset[str]:
        return frozenset(self.methods.values())


EVENT_FORM = {"title": "Written across clients", "description": "", "time_zone": "Europe/Paris",
              "starts_at": "2031-03-01T10:00", "ends_at": "2031-03-01T11:00",
              "room_url": "https://room.example/intruder"}
EVENT_JSON = {"title": "Written across clients", "starts_at": "2031-03-01T10:00:00+01:00",
              "ends_at": "2031-03-01T11:00:00+01:00", "time_zone": "Europe/Paris",
              "room_url": "https://room.example/intruder"}
SUBPROCESSOR_FORM = {"legal_entity": "Intruder Hosting SAS", "service_kind": "hosting_storage",
                     "service": "backup storage", "country": "FR",
                     "data_categories": "backups", "mechanism": "eea",
                     "active_from": dt.date(2031, 3, 1)}
PERSON = {"email": "visitor@example.org", "first_name": "Visitor", "last_name": "Person"}
NEW_PASSWORD = {"password": "a tangerine kayak at noon", "password2": "a tangerine kayak at noon"}
PROFILE = {"first_name": "Written", "last_name": "Across", "mobile_phone": "06 12 34 56 78",
           "city": "Intruder City", "postal_code": "75011", "job_function": "Intruder"}
SCOPE_FORM = {"first_name-enabled": "on", "first_name-purpose": "written across clients",
              "city-enabled": "on", "city-purpose": "written across clients"}
QUESTION_FORM = {"key": "workshop", "kind": "short_text", "label_fr": "Atelier choisi",
                 "label_en": "Chosen workshop", "purpose": "plan the rooms"}

INVENTORY: dict[str, Route] = {
    # --- config/urls.py
    "healthz": Route({"GET": PUBLIC}),
    "favicon": Route({"GET": PUBLIC}),
    "set_language": Route({"GET": PUBLIC, "POST": PUBLIC}, body={"language": "en", "next": "/"}),
    # --- accounts
    "accounts:login": Route({"GET": PUBLIC, "POST": PUBLIC},
                            body={"email": "nobody@example.org", "password": "wrong password"}),
    "accounts:logout": Route({"POST": PUBLIC}),
    "accounts:signup": Route({"GET": PUBLIC, "POST": PUBLIC},
                             body={**PERSON, "email": "newcomer@example.org", **NEW_PASSWORD}),
    "accounts:verify": Route({"GET": PUBLIC}, account_token),
    # The token kept in the session by the link above; none here answers "does not work".
    "accounts:verify-address": Route({"GET": PUBLIC, "POST": PUBLIC}),
    "accounts:password-reset": Route({"GET": PUBLIC, "POST": PUBLIC},
                                     body={"email": "nobody@example.org"}),
    "accounts:password-reset-confirm": Route({"GET": PUBLIC}, account_token),
    "accounts:password-new": Route({"GET": PUBLIC, "POST": PUBLIC}, body=NEW_PASSWORD),
    # --- accounts: the personal space of the signed-in account
    "accounts:space": Route({"GET": ACCOUNT}),
    "accounts:profile": Route({"GET": ACCOUNT, "POST": ACCOUNT}, body=PROFILE),
    "accounts:sharing": Route({"GET": ACCOUNT, "POST": ACCOUNT}),
    # Restrict, object, consents (issue 5 §3, §4); one's own registration only (§2).
    "accounts:choices": Route({"GET": ACCOUNT, "POST": ACCOUNT}),
    "accounts:registration-edit": Route({"GET": ACCOUNT, "POST": ACCOUNT},
                                        nobodys_registration),
    "accounts:security": Route({"GET": ACCOUNT}),
    "accounts:sign-out-everywhere": Route({"POST": ACCOUNT}, body={"password": "wrong password"}),
    "accounts:not-me": Route({"GET": ACCOUNT, "POST": ACCOUNT}),
    "accounts:session-sign-out": Route({"POST": ACCOUNT}, other_session),
    "accounts:data": Route({"GET": ACCOUNT}),
    "accounts:data-link": Route({"POST": ACCOUNT}),
    "accounts:data-download": Route({"GET": ACCOUNT}, account_token),
    "accounts:resend-verification": Route({"POST": ACCOUNT}),
    "accounts:erase": Route({"GET": ACCOUNT}),
    "accounts:erase-organizer": Route({"GET": ACCOUNT, "POST": ACCOUNT},
                                      body={"password": "wrong password"}),
    "accounts:erase-everything": Route({"GET": ACCOUNT, "POST": ACCOUNT},
                                       body={"password": "wrong password"}),
    # --- portal: participant pages
    "portal:home": Route({"GET": PUBLIC}),
    "portal:event": Route({"GET": PUBLIC, "POST": PUBLIC}, event, body=PERSON),
    "portal:registered": Route({"GET": PUBLIC}, event),
    "portal:join": Route({"GET": PUBLIC}, link),
    "portal:confirm": Route({"POST": PUBLIC}, link),
    "portal:cancel": Route({"GET": PUBLIC, "POST": PUBLIC}, link),
    "portal:withdraw": Route({"POST": PUBLIC}, link, body={"purpose": "organizer_news"}),
    "portal:privacy": Route({"GET": PUBLIC}),
    # cookie settings and the consent view (issue 7 §1-4): no tenant, no one's data
    "cookies:settings": Route({"GET": PUBLIC}),
    "cookies:consent": Route({"POST": PUBLIC}, body={"choice": "reject", "next": "/"}),
    "portal:privacy-versions": Route({"GET": PUBLIC}),
    "portal:privacy-version": Route({"GET": PUBLIC}, notice_version),
    # --- manager: scoped by the client's slug
    "manager:home": Route({"GET": MEMBER}, capability=VIEW),
    "manager:events": Route({"GET": MEMBER}, slug, capability=VIEW),
    "manager:event-create": Route({"GET": MEMBER, "POST": MEMBER}, slug,
                                  capability=MANAGE_EVENTS, body=EVENT_FORM),
    "manager:event": Route({"GET": MEMBER}, slug_event, capability=VIEW),
    "manager:event-edit": Route({"GET": MEMBER, "POST": MEMBER}, slug_event,
                                capability=MANAGE_EVENTS, body=EVENT_FORM),
    "manager:event-publish": Route({"POST": MEMBER}, slug_draft, capability=MANAGE_EVENTS),
    "manager:tokens": Route({"GET": MEMBER, "POST": MEMBER}, slug, capability=MANAGE_TOKENS,
                            body={"name": "Made across clients"}),
    "manager:token-revoke": Route({"POST": MEMBER}, slug_token, capability=MANAGE_TOKENS),
    # form builder (manager/builder_urls.py)
    "manager:client-form": Route({"GET": MEMBER, "POST": MEMBER}, slug,
                                 capability=MANAGE_MEMBERS, body=SCOPE_FORM),
    "manager:event-form": Route({"GET": MEMBER, "POST": MEMBER}, slug_event,
                                capability=MANAGE_EVENTS, body=SCOPE_FORM),
    "manager:event-form-reset": Route({"POST": MEMBER}, slug_event, capability=MANAGE_EVENTS),
    "manager:questions": Route({"GET": MEMBER, "POST": MEMBER}, slug_event,
                               capability=MANAGE_EVENTS, body=QUESTION_FORM),
    "manager:question-edit": Route({"GET": MEMBER, "POST": MEMBER}, slug_event_question,
                                   capability=MANAGE_EVENTS, body=QUESTION_FORM),
    "manager:question-remove": Route({"POST": MEMBER}, slug_event_question,
                                     capability=MANAGE_EVENTS),
    "manager:question-move": Route({"POST": MEMBER}, slug_event_question,
                                   capability=MANAGE_EVENTS, body={"direction": "up"}),
    "manager:purposes": Route({"GET": MEMBER, "POST": MEMBER}, slug,
                              capability=MANAGE_MEMBERS,
                              body={"label_fr": "Recevoir le programme de la saison",
                                    "label_en": "Receive the season programme"}),
    "manager:purpose-deactivate": Route({"POST": MEMBER}, slug_purpose,
                                        capability=MANAGE_MEMBERS),
    "manager:purpose-reactivate": Route({"POST": MEMBER}, slug_purpose,
                                        capability=MANAGE_MEMBERS),
    "manager:subprocessors": Route({"GET": MEMBER}, slug, capability=VIEW),
    # contract lifecycle and return package (issue 6 §2)
    "manager:contract": Route({"GET": MEMBER}, slug, capability=VIEW),
    "manager:contract-package": Route({"POST": MEMBER}, slug, capability=MANAGE_MEMBERS),
    "manager:contract-package-download": Route({"GET": MEMBER}, slug_package,
                                               capability=MANAGE_MEMBERS),
    # retention (issue 6 §1)
    "manager:retention": Route({"GET": MEMBER}, slug, capability=VIEW),
    # register of processing and compliance evidence (issue 6 §3, §7)
    "manager:register": Route({"GET": MEMBER}, slug, capability=VIEW),
    "manager:register-export": Route({"GET": MEMBER}, slug, capability=VIEW),
    "manager:compliance": Route({"GET": MEMBER}, slug, capability=MANAGE_MEMBERS),
    "manager:compliance-export": Route({"GET": MEMBER}, slug, capability=MANAGE_MEMBERS),
    "manager:breaches": Route({"GET": MEMBER}, slug, capability=MANAGE_MEMBERS),
    "manager:breach": Route({"GET": MEMBER}, slug_breach, capability=MANAGE_MEMBERS),
    "manager:retention-period": Route({"POST": MEMBER}, slug, capability=MANAGE_MEMBERS,
                                      body={"category": "registrations", "period_days": "30"}),
    "manager:subprocessor-object": Route({"POST": MEMBER}, slug_notice,
                                         capability=MANAGE_MEMBERS,
                                         body={"reason": "Written across clients"}),
    "manager:subprocessor-withdraw": Route({"POST": MEMBER}, slug_notice,
                                           capability=MANAGE_MEMBERS),
    # --- console: operator staff
    "console:home": Route({"GET": OPERATOR, "POST": OPERATOR},
                          body={"name": "Intruder", "owner_email": "owner@intruder.test"}),
    "console:ack": Route({"GET": OPERATOR, "POST": OPERATOR}, body={"ack": "yes"}),
    "console:outbox": Route({"GET": OPERATOR}),
    # audit trail (issue 6 §5)
    "console:audit": Route({"GET": OPERATOR}),
    "console:audit-verify": Route({"POST": OPERATOR}),
    # sub-processors register (issue 6 §4)
    "console:subprocessors": Route({"GET": OPERATOR}),
    "console:subprocessor-new": Route({"GET": OPERATOR, "POST": OPERATOR},
                                      body=SUBPROCESSOR_FORM),
    "console:subprocessor": Route({"GET": OPERATOR, "POST": OPERATOR}, subprocessor,
                                  body=SUBPROCESSOR_FORM),
    "console:subprocessor-objections": Route({"GET": OPERATOR}),
    "console:incidents": Route({"GET": OPERATOR, "POST": OPERATOR},
                               body={"summary": "Recorded across clients", "nature": "unknown"}),
    "console:incident": Route({"GET": OPERATOR}, incident),
    # the breach register (issue 8): incidents/console_views.py
    "console:incident-assess": Route({"POST": OPERATOR}, incident, body={
        "assess-natures": "confidentiality", "assess-risk_level": "none",
        "assess-risk_reasoning": "Probe", "assess-role": "controller"}),
    "console:incident-decide": Route({"POST": OPERATOR}, incident,
                                     body={"decide-rationale": "Probe"}),
    "console:incident-notify": Route({"POST": OPERATOR}, incident,
                                     body={"notify-kind": "cnil", "notify-phase": "initial"}),
    "console:incident-close": Route({"POST": OPERATOR}, incident),
    # affected people and notices (issue 8 §2, §4): incidents/notice_views.py
    "console:incident-notices": Route({"GET": OPERATOR}, incident),
    "console:incident-affected": Route({"POST": OPERATOR}, incident,
                                       body={"scope-since": "2020-01-01 00:00"}),
    "console:incident-instruction": Route({"POST": OPERATOR}, incident),
    "console:incident-notice-participants": Route({"POST": OPERATOR}, incident),
    "console:incident-notice-clients": Route({"POST": OPERATOR}, incident),
    "console:incident-cnil": Route({"GET": OPERATOR}, assessed_incident),
    "console:incident-cnil-json": Route({"GET": OPERATOR}, assessed_incident),
    "console:incidents-register": Route({"GET": OPERATOR}),
    "console:incidents-register-json": Route({"GET": OPERATOR}),
    # staff access and MFA (issue 6 §6): console/staff_urls.py, manager/staff_urls.py
    "console:mfa": Route({"GET": OPERATOR, "POST": OPERATOR}),
    "console:staff-access": Route({"GET": OPERATOR, "POST": OPERATOR}),
    "console:staff-access-grant": Route({"GET": OPERATOR_GRANT}, staff_grant),
    "console:staff-access-end": Route({"POST": OPERATOR_GRANT}, staff_grant),
    "console:staff-access-registrants": Route({"GET": OPERATOR_GRANT}, staff_grant_event),
    "manager:staff-accesses": Route({"GET": MEMBER}, slug, capability=MANAGE_MEMBERS),
    "manager:mfa": Route({"GET": MEMBER, "POST": MEMBER}, slug, capability=VIEW),
    "manager:mfa-requirement": Route({"POST": MEMBER}, slug, capability=MANAGE_SECURITY,
                                     body={"required": "no"}),
    # contract lifecycle (issue 6 §2); the POST lacks the typed short name: refused
    "console:contracts": Route({"GET": OPERATOR}),
    "console:contract": Route({"GET": OPERATOR, "POST": OPERATOR}, contract_client,
                              body={"reason": "Written across clients"}),
    "console:contract-certificate": Route({"GET": OPERATOR}, destruction_certificate),
    # retention (issue 6 §1)
    "console:retention": Route({"GET": OPERATOR}),
    "console:retention-hold": Route({"POST": OPERATOR},
                                    body={"client": "alpha", "reason": "Inventory probe"}),
    # register of processing (issue 6 §3)
    "console:registers": Route({"GET": OPERATOR}),
    # first-party audience and consent figures (issue 7 §6): aggregates, no client data
    "console:audience": Route({"GET": OPERATOR}),
    "console:registers-export": Route({"GET": OPERATOR}),
    "console:registers-client": Route({"GET": OPERATOR}, register_client),
    "console:registers-client-export": Route({"GET": OPERATOR}, register_client),
    "console:retention-lift": Route({"POST": OPERATOR}, retention_hold,
                                    body={"reason": "Inventory probe over"}),
    # --- api
    "api:schema": Route({"GET": PUBLIC}),
    "api:pow-challenge": Route({"GET": PUBLIC}),
    "api:events": Route({"GET": API_TOKEN, "POST": API_TOKEN}, body=EVENT_JSON),
    "api:event": Route({"GET": API_TOKEN, "PATCH": API_TOKEN}, event,
                       body={"title": "Written across clients"}),
    "api:event-publish": Route({"POST": API_TOKEN}, draft),
    "api:event-registrations": Route({"GET": API_TOKEN, "POST": API_PUBLIC}, event,
                                     body=PERSON),
    "api:event-registrants": Route({"GET": API_TOKEN, "POST": API_TOKEN}, event,
                                   body={"email": "added@example.org", "first_name": "Added",
                                         "last_name": "By hand"}),
    "api:event-form": Route({"GET": API_TOKEN, "PUT": API_TOKEN}, event,
                            body={"city": {"enabled": True, "purpose": "across clients"}}),
    "api:event-questions": Route({"GET": API_TOKEN, "POST": API_TOKEN}, event,
                                 body={"key": "intruder", "kind": "short_text",
                                       "label_fr": "Intrus", "label_en": "Intruder",
                                       "purpose": "across clients"}),
    "api:event-question": Route({"PATCH": API_TOKEN, "DELETE": API_TOKEN}, event_question,
                                body={"label_en": "Changed across clients"}),
    "api:registration": Route({"GET": API_TOKEN, "PATCH": API_TOKEN}, registration,
                              body={"first_name": "Changed"}),
    "api:registration-approve": Route({"POST": API_TOKEN}, registration),
    "api:registration-deny": Route({"POST": API_TOKEN}, registration,
                                   body={"message": "across clients"}),
    "api:registration-cancel": Route({"POST": API_TOKEN}, registration),
    "api:event-sessions": Route({"GET": API_TOKEN, "POST": API_TOKEN}, event,
                                body={"title": "Intruder session",
                                      "starts_at": "2031-03-01T10:00:00+01:00",
                                      "ends_at": "2031-03-01T11:00:00+01:00"}),
    "api:event-session": Route({"PATCH": API_TOKEN, "DELETE": API_TOKEN}, event_session,
                               body={"title": "Changed across clients"}),
    "api:event-session-mode": Route({"PUT": API_TOKEN}, event, body={"session_mode": "choose"}),
    "manager:sessions": Route({"GET": MEMBER, "POST": MEMBER}, slug_event,
                              capability=MANAGE_EVENTS,
                              body={"title": "Intruder session", "starts_at": "2031-03-01T10:00",
                                    "ends_at": "2031-03-01T11:00"}),
    "manager:session-edit": Route({"GET": MEMBER, "POST": MEMBER}, slug_event_session,
                                  capability=MANAGE_EVENTS,
                                  body={"title": "Changed across clients",
                                        "starts_at": "2031-03-01T10:00",
                                        "ends_at": "2031-03-01T11:00"}),
    "manager:session-remove": Route({"POST": MEMBER}, slug_event_session,
                                    capability=MANAGE_EVENTS),
    "api:consent-purposes": Route({"GET": API_TOKEN, "POST": API_TOKEN},
                                  body={"key": "intruder", "label_fr": "Intrus",
                                        "label_en": "Intruder"}),
}


# --- manager: an event's registrants (manager/registrants_urls.py, issue 3 point 11) ---

def slug_event_registrant(side: Side) -> dict[str, Any]:
    """The person registered to the side's published event by ``build_side``."""
    from livesession.registrations.models import Registration

    first = Registration.objects.filter(event=side.event).order_by("created_at").first()
    assert first is not None
    return {"client_slug": side.slug, "event_id": side.event.pk, "registration_id": first.pk}


def slug_event_import(side: Side) -> dict[str, Any]:
    """A checked CSV import of the side's published event, waiting for its confirmation
    (made here the first time)."""
    from livesession.registrations import imports
    from livesession.registrations.models import Import

    imp = Import.objects.filter(event=side.event).order_by("created_at").first()
    if imp is None:
        imp = imports.create_import(
            side.event, f"email;first_name;last_name\nimported@{side.slug}.test;Imp;Orted\n"
            .encode(), actor="test")
    return {"client_slug": side.slug, "event_id": side.event.pk, "import_id": imp.pk}


IMPORT_TEXT = "email,first_name,last_name\npasted@example.org,Pasted,Person\n"

INVENTORY.update({
    "manager:registrants": Route({"GET": MEMBER}, slug_event, capability=VIEW),
    "manager:registrant": Route({"GET": MEMBER}, slug_event_registrant, capability=VIEW),
    "manager:registrant-add": Route({"GET": MEMBER, "POST": MEMBER}, slug_event,
                                    capability=MANAGE_EVENTS,
                                    body={**PERSON, "language": "en"}),
    "manager:registrant-edit": Route({"GET": MEMBER, "POST": MEMBER}, slug_event_registrant,
                                     capability=MANAGE_EVENTS,
                                     body={"first_name": "Changed", "last_name": "Across"}),
    "manager:registrant-cancel": Route({"POST": MEMBER}, slug_event_registrant,
                                       capability=MANAGE_EVENTS),
    "manager:registrant-approve": Route({"POST": MEMBER}, slug_event_registrant,
                                        capability=MANAGE_EVENTS),
    "manager:registrant-deny": Route({"POST": MEMBER}, slug_event_registrant,
                                     capability=MANAGE_EVENTS,
                                     body={"note": "Denied across clients"}),
    # Exports take personal data out (P6.5): the capability to manage, not only to view.
    "manager:registrants-export-csv": Route({"GET": MEMBER}, slug_event,
                                            capability=MANAGE_EVENTS),
    "manager:registrants-export-xlsx": Route({"GET": MEMBER}, slug_event,
                                             capability=MANAGE_EVENTS),
    "manager:registrants-import": Route({"GET": MEMBER, "POST": MEMBER}, slug_event,
                                        capability=MANAGE_EVENTS, body={"text": IMPORT_TEXT}),
    "manager:registrants-import-detail": Route({"GET": MEMBER}, slug_event_import,
                                               capability=MANAGE_EVENTS),
    "manager:registrants-import-confirm": Route({"POST": MEMBER}, slug_event_import,
                                                capability=MANAGE_EVENTS,
                                                body={"basis": "contract"}),
    "manager:registrants-import-discard": Route({"POST": MEMBER}, slug_event_import,
                                                capability=MANAGE_EVENTS),
    "manager:registrants-import-status": Route({"GET": MEMBER}, slug_event_import,
                                               capability=MANAGE_EVENTS),
    "manager:registrants-import-report": Route({"GET": MEMBER}, slug_event_import,
                                               capability=MANAGE_EVENTS),
})


# --- portal: the personal link at work (portal/room.py, issue 4 §1, §2, §4, §6) ---

def link_session(side: Side) -> dict[str, Any]:
    return {"token": side.link, "key": side.session_id}


INVENTORY.update({
    "portal:resend": Route({"GET": PUBLIC, "POST": PUBLIC}, body={"email": "nobody@example.org"}),
    "portal:heartbeat": Route({"POST": PUBLIC}, link),
    "portal:replay": Route({"GET": PUBLIC}, link),
    "portal:replay-session": Route({"GET": PUBLIC}, link_session),
})


# --- rooms (issue 4 §3): manager/rooms.py and api/views_rooms.py ---

INVENTORY.update({
    "manager:room-settings": Route({"GET": MEMBER, "POST": MEMBER}, slug,
                                   capability=MANAGE_EVENTS,
                                   body={"bbb_url": "https://bbb.intruder.test/bigbluebutton/",
                                         "bbb_secret": "intruder-secret",
                                         "jitsi_domain": "meet.jit.si"}),
    "manager:event-room": Route({"GET": MEMBER, "POST": MEMBER}, slug_event,
                                capability=MANAGE_EVENTS,
                                body={"room_kind": "external",
                                      "room_url": "https://room.example/intruder"}),
    "manager:session-room": Route({"GET": MEMBER, "POST": MEMBER}, slug_event_session,
                                  capability=MANAGE_EVENTS,
                                  body={"room_kind": "jitsi", "jitsi_room": "intruder-room"}),
    "api:event-room": Route({"GET": API_TOKEN, "PUT": API_TOKEN}, event,
                            body={"room_kind": "external",
                                  "room_url": "https://room.example/intruder"}),
    "api:event-session-room": Route({"GET": API_TOKEN, "PUT": API_TOKEN}, event_session,
                                    body={"room_kind": "jitsi",
                                          "room_config": {"room": "intruder-room"}}),
    "manager:room-moderate": Route({"POST": MEMBER}, slug_event, capability=MANAGE_EVENTS),
})


# --- messages (issue 4 §7): messaging/urls.py, manager/messages.py, api/views_messages.py ---

def unsubscribe_token(side: Side) -> dict[str, Any]:
    """The unsubscribe link of the side's registered person (a signed token, no sign-in)."""
    from livesession.messaging.unsubscribe import make_token
    from livesession.registrations.models import Registration

    person = Registration.objects.get(pk=side.registration_id)
    return {"token": make_token(side.client.pk, person.subject_id)}


def reminder_en(side: Side) -> dict[str, Any]:
    return {"kind": "reminder", "language": "en"}


TEMPLATE_FORM = {"kind": "reminder", "language": "en", "action": "save",
                 "subject": "Soon: {{ event_title }}", "body": "Hello {{ first_name }}"}
SEGMENT_FORM = {"segment": "registered", "subject_fr": "Intrus", "body_fr": "Intrus",
                "subject_en": "Intruder", "body_en": "Intruder"}

INVENTORY.update({
    "messaging:unsubscribe": Route({"GET": PUBLIC, "POST": PUBLIC}, unsubscribe_token),
    "manager:message-templates": Route({"GET": MEMBER}, slug, capability=VIEW),
    "manager:message-template": Route({"GET": MEMBER, "POST": MEMBER}, slug,
                                      capability=MANAGE_EVENTS, body=TEMPLATE_FORM),
    "manager:event-messages": Route({"GET": MEMBER}, slug_event, capability=VIEW),
    "manager:event-message-settings": Route({"GET": MEMBER, "POST": MEMBER}, slug_event,
                                            capability=MANAGE_EVENTS,
                                            body={"reminder_offsets": "30"}),
    "manager:event-message-send": Route({"GET": MEMBER, "POST": MEMBER}, slug_event,
                                        capability=MANAGE_EVENTS, body=SEGMENT_FORM),
    "api:message-templates": Route({"GET": API_TOKEN}),
    # Kind and language name no object: each token reads and writes its own client's text.
    "api:message-template": Route({"GET": API_TOKEN, "PUT": API_TOKEN, "DELETE": API_TOKEN},
                                  reminder_en, body={"subject": "Soon: {{ event_title }}",
                                                     "body": "Hello {{ first_name }}"}),
    "api:message-template-preview": Route({"POST": API_TOKEN}, reminder_en,
                                          body={"body": "Hello {{ first_name }}"}),
    "api:event-messages": Route({"GET": API_TOKEN}, event),
    "api:event-message-settings": Route({"GET": API_TOKEN, "PUT": API_TOKEN}, event,
                                        body={"reminder_offsets": [30],
                                              "followup_enabled": False}),
    "api:event-sends": Route({"GET": API_TOKEN, "POST": API_TOKEN}, event,
                             body=SEGMENT_FORM),
})


# --- manager: attendance, replays, personal links (manager/attendance.py, issue 4) ---

def slug_event_key(side: Side) -> dict[str, Any]:
    return {"client_slug": side.slug, "event_id": side.event.pk, "key": side.session_id}


INVENTORY.update({
    "manager:attendance": Route({"GET": MEMBER}, slug_event, capability=VIEW),
    "manager:attendance-session": Route({"GET": MEMBER}, slug_event_key, capability=VIEW),
    "manager:attendance-access": Route({"POST": MEMBER}, slug_event, capability=MANAGE_EVENTS,
                                       body={"opens_minutes_before": "30",
                                             "one_device_only": "on"}),
    "manager:attendance-replay": Route({"POST": MEMBER}, slug_event_key,
                                       capability=MANAGE_EVENTS,
                                       body={"replay_url": "https://video.example/intruder"}),
    # Exports take personal data out (P6.5): the capability to manage, not only to view.
    "manager:attendance-export-csv": Route({"GET": MEMBER}, slug_event,
                                           capability=MANAGE_EVENTS),
    "manager:attendance-export-xlsx": Route({"GET": MEMBER}, slug_event,
                                            capability=MANAGE_EVENTS),
    "manager:registrant-link-regenerate": Route({"POST": MEMBER}, slug_event_registrant,
                                                capability=MANAGE_EVENTS),
    "manager:registrant-link-revoke": Route({"POST": MEMBER}, slug_event_registrant,
                                            capability=MANAGE_EVENTS),
})


# --- api: personal links, attendance, replays (api/views_access.py, issue 4 §10) ---

REPLAY_JSON = {"replay_url": "https://video.example/intruder"}

INVENTORY.update({
    "api:registration-link-regenerate": Route({"POST": API_TOKEN}, registration),
    "api:registration-link-revoke": Route({"POST": API_TOKEN}, registration),
    "api:event-attendance": Route({"GET": API_TOKEN}, event),
    "api:event-attendance-summary": Route({"GET": API_TOKEN}, event),
    "api:event-access": Route({"GET": API_TOKEN, "PUT": API_TOKEN}, event,
                              body={"one_device_only": True, "opens_minutes_before": 30}),
    "api:event-replay": Route({"GET": API_TOKEN, "PUT": API_TOKEN, "DELETE": API_TOKEN}, event,
                              body=REPLAY_JSON),
    "api:event-session-replay": Route({"GET": API_TOKEN, "PUT": API_TOKEN,
                                       "DELETE": API_TOKEN}, event_session, body=REPLAY_JSON),
})


# --- people: a client's participants as persons, and the participant's own rights through
# the API (manager/people.py, api/views_people.py, issue 5 §9, §11) ---

_SUBJECTS: dict[Any, Any] = {}


def _side_subject(side: Side) -> Any:
    """The subject of the side's registration, remembered: once erased (person-erase),
    the registration is gone but the URL is asked again for the next method."""
    from livesession.registrations.models import Registration

    if side.registration_id not in _SUBJECTS:
        _SUBJECTS[side.registration_id] = Registration.objects.get(
            pk=side.registration_id).subject_id
    return _SUBJECTS[side.registration_id]


def slug_person(side: Side) -> dict[str, Any]:
    return {"client_slug": side.slug, "subject_id": _side_subject(side)}


def slug_person_registration(side: Side) -> dict[str, Any]:
    return {**slug_person(side), "registration_id": side.registration_id}


def person(side: Side) -> dict[str, Any]:
    return {"subject_id": _side_subject(side)}


# B's participant's address: searched with A's slug or token, it must find nobody.
FOREIGN_ADDRESS = "participant@betaco-people.test"

INVENTORY.update({
    # The local part both sides' participants share: A must list only its own (the page
    # keeps what was typed, so B's whole address would show up as typed).
    "manager:people": Route({"GET": MEMBER, "POST": MEMBER}, slug, capability=VIEW,
                            body={"q": "participant"}),
    "manager:person": Route({"GET": MEMBER}, slug_person, capability=VIEW),
    # Acting on a person (a copy takes data out, P6.5): the capability to manage.
    "manager:person-export": Route({"POST": MEMBER}, slug_person, capability=MANAGE_EVENTS),
    "manager:person-rectify": Route({"GET": MEMBER, "POST": MEMBER}, slug_person_registration,
                                    capability=MANAGE_EVENTS,
                                    body={"first_name": "Changed", "last_name": "Across"}),
    "manager:person-restrict": Route({"POST": MEMBER}, slug_person, capability=MANAGE_EVENTS),
    "manager:person-lift": Route({"POST": MEMBER}, slug_person, capability=MANAGE_EVENTS),
    "manager:person-erase": Route({"GET": MEMBER, "POST": MEMBER}, slug_person,
                                  capability=MANAGE_EVENTS, body={"confirm": "on"}),
    "api:people-search": Route({"POST": API_TOKEN}, body={"email": FOREIGN_ADDRESS}),
    "api:person": Route({"GET": API_TOKEN}, person),
    "api:person-export": Route({"GET": API_TOKEN}, person),
    "api:person-restrict": Route({"POST": API_TOKEN}, person),
    "api:person-lift": Route({"POST": API_TOKEN}, person),
    "api:person-erase": Route({"POST": API_TOKEN}, person),
    "api:me-export": Route({"GET": API_ACCOUNT}),
    "api:me-erase": Route({"POST": API_ACCOUNT},
                          body={"password": "wrong password", "scope": "everything"}),
    # cookie consent (issue 7 §9): the person's receipts; the browser's own choice
    "api:me-consents": Route({"GET": API_ACCOUNT}),
    "api:consents-current": Route({"GET": API_PUBLIC}),
    # the breach register for operator staff (issue 8 §6): api/urls_breaches.py
    "api:breaches": Route({"GET": OPERATOR_API}),
    "api:breach": Route({"GET": OPERATOR_API}, incident),
    "api:breach-assess": Route({"POST": OPERATOR_API}, incident, body={
        "natures": ["confidentiality"], "risk_level": "none", "risk_reasoning": "Probe",
        "role": "controller"}),
    "api:breach-decide": Route({"POST": OPERATOR_API}, incident, body={
        "notify_cnil": False, "notify_people": False, "rationale": "Probe"}),
    "api:breach-notifications": Route({"POST": OPERATOR_API}, incident,
                                      body={"kind": "cnil"}),
    "api:breach-close": Route({"POST": OPERATOR_API}, incident),
})


# --- the request desk (issue 5 §8, §9, §11): manager/desk_urls.py, console/desk_urls.py,
# api/urls_desk.py. One request per client (and one of the operator), made on first use.

def _desk_request(client: Client | None, word: str) -> Any:
    from livesession.desk.models import Request
    from livesession.desk.services import record_request

    found = Request.objects.filter(client=client).order_by("created_at").first()
    if found is None:
        found = record_request(client=client, type="access", channel="email",
                               received_on=now().date(), email=f"writer@{word}-desk.test",
                               actor="test")
    return found


def slug_desk_request(side: Side) -> dict[str, Any]:
    return {"client_slug": side.slug, "request_id": _desk_request(side.client, side.slug).pk}


def slug_desk_action(side: Side) -> dict[str, Any]:
    return {**slug_desk_request(side), "action": "withdraw"}


def operator_desk_request(side: Side) -> dict[str, Any]:
    return {"request_id": _desk_request(None, "operator").pk}


def operator_desk_action(side: Side) -> dict[str, Any]:
    return {**operator_desk_request(side), "action": "withdraw"}


def desk_request(side: Side) -> dict[str, Any]:
    return {"request_id": _desk_request(side.client, side.slug).pk}


def desk_request_action(side: Side) -> dict[str, Any]:
    return {**desk_request(side), "action": "withdraw"}


DESK_FORM = {"type": "erasure", "channel": "post", "received_on": now().date().isoformat(),
             "email": "written@example.org", "language": "en"}

# Rights requests hold the people's data: owners and admins answer them (manage_members).
INVENTORY.update({
    "manager:desk": Route({"GET": MEMBER}, slug, capability=MANAGE_MEMBERS),
    "manager:desk-new": Route({"GET": MEMBER, "POST": MEMBER}, slug,
                              capability=MANAGE_MEMBERS, body=DESK_FORM),
    "manager:desk-request": Route({"GET": MEMBER}, slug_desk_request, capability=MANAGE_MEMBERS),
    "manager:desk-action": Route({"POST": MEMBER}, slug_desk_action, capability=MANAGE_MEMBERS),
    "console:desk": Route({"GET": OPERATOR}),
    "console:desk-new": Route({"GET": OPERATOR, "POST": OPERATOR}, body=DESK_FORM),
    "console:desk-request": Route({"GET": OPERATOR}, operator_desk_request),
    "console:desk-action": Route({"POST": OPERATOR}, operator_desk_action),
    "api:desk-requests": Route({"GET": API_TOKEN, "POST": API_TOKEN}, body=DESK_FORM),
    "api:desk-request": Route({"GET": API_TOKEN}, desk_request),
    "api:desk-request-action": Route({"POST": API_TOKEN}, desk_request_action),
})


def desk_delivery_token(side: Side) -> dict[str, Any]:
    # A forged link: the page says it does not work (tests/desk covers real ones).
    return {"token": f"forged-{side.slug}-delivery"}


INVENTORY.update({
    "console:desk-delivery": Route({"GET": PUBLIC, "POST": PUBLIC}, desk_delivery_token,
                                   body={"action": "send"}),
})


# --- the peer comparison (issue 7 §8-9, P2.2): accounts/comparison_urls.py,
# manager/comparison_urls.py, console/comparison_urls.py, api/urls_comparison.py.

def slug_comparison_group(side: Side) -> dict[str, Any]:
    """A comparison group of the side's client (made through the service on first use)."""
    from livesession.comparison.models import CohortGroup
    from livesession.comparison.services import save_group

    group = CohortGroup.objects.filter(client=side.client).order_by("pk").first()
    if group is None:
        group = save_group(side.client, actor="test", name=f"{side.slug} nurses",
                           job_functions=["nurse"])
    return {"client_slug": side.slug, "group_id": group.pk}


COMPARISON_GROUP_FORM = {"name": "Written across clients", "job_functions": "midwife"}

# Offering the comparison, pooling and groups are instructions about the participants'
# data, like retention periods: owners and administrators (manage_members).
INVENTORY.update({
    "accounts:comparison": Route({"GET": ACCOUNT}),
    "api:me-comparison": Route({"GET": API_ACCOUNT}),
    "manager:comparison": Route({"GET": MEMBER}, slug, capability=VIEW),
    "manager:comparison-settings": Route({"POST": MEMBER}, slug, capability=MANAGE_MEMBERS,
                                         body={"enabled": "on"}),
    "manager:comparison-group-new": Route({"GET": MEMBER, "POST": MEMBER}, slug,
                                          capability=MANAGE_MEMBERS, body=COMPARISON_GROUP_FORM),
    "manager:comparison-group": Route({"GET": MEMBER, "POST": MEMBER}, slug_comparison_group,
                                      capability=MANAGE_MEMBERS, body=COMPARISON_GROUP_FORM),
    "manager:comparison-group-delete": Route({"POST": MEMBER}, slug_comparison_group,
                                             capability=MANAGE_MEMBERS),
    "console:comparison": Route({"GET": OPERATOR}),
    "console:comparison-pooling": Route({"POST": OPERATOR}, body={"enabled": "on"}),
})


# --- organizer analytics (analytics/views.py, analytics/api.py, issue 7 §7, §9) ---

def slug_event_figure(side: Side) -> dict[str, Any]:
    return {"client_slug": side.slug, "event_id": side.event.pk, "figure": "conversion"}


# Aggregates with small-cell suppression: any member who may view the client's events.
INVENTORY.update({
    "manager:analytics": Route({"GET": MEMBER}, slug, capability=VIEW),
    "manager:analytics-csv": Route({"GET": MEMBER}, slug, capability=VIEW),
    "manager:event-analytics": Route({"GET": MEMBER}, slug_event, capability=VIEW),
    "manager:event-analytics-csv": Route({"GET": MEMBER}, slug_event_figure, capability=VIEW),
    "api:event-analytics": Route({"GET": API_TOKEN}, event),
    "api:analytics": Route({"GET": API_TOKEN}),
})
