"""Writes of the request desk (issue 5 §8, §9; P4.2, P6.3, P6.7; R-02, R-03, R-07, R-12, R-13).

Every function runs in one transaction, records its audit entry under pseudonymous ids
(``desk_request:<uuid>``, ``account:<id>``) and queues its emails in that transaction. Pages
of the console and the Manager, and the API, call these functions and nothing else.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from livesession.audit.services import record
from livesession.core.clock import now
from livesession.core.models import Client, Membership, Role
from livesession.desk import deadlines
from livesession.desk.models import (
    CLOSED,
    Channel,
    IdentityCheck,
    IdentityDocument,
    IdentityMethod,
    Request,
    RequestType,
    Status,
)
from livesession.messaging.services import queue_email
from livesession.protection import crypto
from livesession.protection.models import Subject, controller_key_for
from livesession.protection.services import subject_for_email

CNIL_NAME = "Commission nationale de l'informatique et des libertés (CNIL)"
CNIL_ADDRESS = "3 place de Fontenoy, TSA 80715, 75334 Paris Cedex 07, France"
CNIL_URL = "https://www.cnil.fr"
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
DOCUMENT_TYPES = ("application/pdf", "image/jpeg", "image/png")
EXPORT_TYPES = (RequestType.ACCESS, RequestType.COPY, RequestType.PORTABILITY)
ELECTRONIC = (Channel.EMAIL, Channel.ACCOUNT, Channel.FORWARDED)


class DeskError(Exception):
    """A refused action, with a message that says what is wrong and how to go on."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def _wrong_code(left: int) -> str:
    return ngettext("This code is not the one sent. %(left)d attempt left.",
                    "This code is not the one sent. %(left)d attempts left.", left) % {
        "left": left}


def _target(req: Request) -> str:
    return f"desk_request:{req.pk}"


def _audit(actor: str, action: str, req: Request, **details: Any) -> None:
    record(actor, f"desk.{action}", target=_target(req), client_id=req.client_id,
           details={"type": req.type, "status": req.status, **details})


def _touch(req: Request, *fields: str) -> None:
    req.updated_at = now()
    req.save(update_fields=[*fields, "updated_at"])


def _require_open(req: Request) -> None:
    if req.status in CLOSED:
        raise DeskError(_("This request is closed (%(status)s): nothing more can be done "
                          "on it.") % {"status": req.get_status_display()})
    if req.status == Status.AWAITING_CONTROLLER:
        raise DeskError(_("This request was forwarded to the organizer, who answers it as "
                          "the controller."))


# --- Messages ----------------------------------------------------------------------------

def _mail_person(req: Request, kind: str, subject_line: Promise, template: str,
                 context: dict[str, Any] | None = None, *, to: str = "",
                 subject: Subject | None = None) -> str:
    """The message to the person, in their language; returns its body (empty when the
    request has no address: a postal request is answered by post)."""
    address = to or req.email
    person = subject or req.subject
    if not address or person is None:
        return ""
    with translation.override(req.language or settings.LANGUAGE_CODE):
        body = render_to_string(template, {"req": req, "name": req.name,
                                           "controller": _controller_name(req),
                                           **(context or {})})
        line = str(subject_line) % {"controller": _controller_name(req), **(context or {})}
    queue_email(subject=person, to=address, subject_line=line, body=body,
                kind=f"desk.{kind}", client_id=req.client_id)
    return body


def _controller_name(req: Request) -> str:
    return req.client.name if req.client_id and req.client else settings.PLATFORM_OPERATOR_NAME


def staff_to_alert(client: Client | None) -> list[Any]:
    """Who answers requests: the client's owners and admins, or the operator's staff."""
    from livesession.accounts.models import User

    if client is None:
        return list(User.objects.filter(is_operator=True, is_active=True).order_by("pk"))
    ids = Membership.objects.filter(client=client, role__in=[Role.OWNER, Role.ADMIN]
                                    ).values_list("user_id", flat=True)
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("pk"))


def mail_staff(client: Client | None, kind: str, subject_line: Promise, template: str,
               context: dict[str, Any]) -> int:
    sent = 0
    for user in staff_to_alert(client):
        if not user.email:
            continue
        with translation.override(user.language or settings.LANGUAGE_CODE):
            body = render_to_string(template, context)
            line = str(subject_line)
        queue_email(subject=user.subject, to=user.email, subject_line=line, body=body,
                    kind=f"desk.{kind}", client_id=client.pk if client else None)
        sent += 1
    return sent


def validate_refusal_text(text: str) -> None:
    """Art. 12(4): a refusal names the right to complain to the CNIL (with its address and
    site) and to seek a judicial remedy. A text without them is refused."""
    missing = [part for part in ("CNIL", CNIL_ADDRESS, CNIL_URL) if part not in text]
    lowered = text.lower()
    if not any(word in lowered for word in ("court", "juridiction", "tribunal")):
        missing.append("court")
    if missing:
        raise DeskError(_("A refusal must tell the person they may complain to the CNIL "
                          "(name, address, site) and go to court; missing: %(parts)s.")
                        % {"parts": ", ".join(missing)})


# --- Recording ---------------------------------------------------------------------------

def record_request(*, client: Client | None, type: str, channel: str,
                   received_on: dt.date, email: str, actor: str, name: str = "",
                   postal_address: str = "", details: str = "", language: str = "fr",
                   forwarded_from: Request | None = None) -> Request:
    """A request received by email, post, the account or an organizer (P4.2, R-02). The
    due date is one calendar month after receipt. Raises DeskError on a date in the
    future, an unknown type or channel, or no address at all."""
    if type not in RequestType.values:
        raise DeskError(_("Choose the type of request."), "type")
    if channel not in Channel.values:
        raise DeskError(_("Choose how the request arrived."), "channel")
    if received_on > deadlines.today():
        raise DeskError(_("The date received cannot be in the future."), "received_on")
    email = crypto.normalize_email(email or "")
    if not email:
        raise DeskError(_("Enter the person's email address: the identity check and the "
                          "answer use it."), "email")
    client_id = client.pk if client else None
    with transaction.atomic():
        known = Subject.objects.filter(controller=controller_key_for(client_id),
                                       email_index=crypto.email_index(email)).exists()
        subject = subject_for_email(email, client_id)
        at = now()
        req = Request(client=client, subject=subject, own_subject=not known, type=type,
                      channel=channel, received_on=received_on,
                      due_on=deadlines.due_date(received_on),
                      language="en" if language == "en" else "fr", created_by=actor,
                      created_at=at, updated_at=at, forwarded_from=forwarded_from)
        req.email, req.name = email, name.strip()
        req.postal_address, req.details = postal_address.strip(), details.strip()
        if channel == Channel.ACCOUNT:
            # A request made from a signed-in session needs no further proof.
            req.identity_verified_at, req.identity_method = at, IdentityMethod.ACCOUNT
            req.status = Status.IN_PROGRESS
        req.save()
        _audit(actor, "request_recorded", req, channel=channel,
               received_on=received_on.isoformat(), due_on=req.due_on.isoformat(),
               subject=f"subject:{subject.pk}", forwarded_from=(
                   _target(forwarded_from) if forwarded_from else ""))
        _mail_person(req, "received", gettext_lazy("Your request to %(controller)s was received"),
                     "emails/desk_received.txt")
    return req


def forward_to_client(req: Request, client: Client, *, actor: str) -> Request:
    """Processor routing (R-12, P6.3, P6.7): a request the operator received about a
    client's participant data goes to that client, the controller. The client's owners and
    admins are emailed, the person is told it was forwarded, and the operator's request
    waits on the controller. Returns the client's request."""
    if req.client_id is not None:
        raise DeskError(_("Only a request received by the operator can be forwarded."))
    _require_open(req)
    with transaction.atomic():
        forwarded = record_request(
            client=client, type=req.type, channel=Channel.FORWARDED,
            received_on=req.received_on, email=req.email, name=req.name,
            postal_address=req.postal_address, details=req.details, language=req.language,
            actor=actor, forwarded_from=req)
        req.status, req.routed_to = Status.AWAITING_CONTROLLER, client
        _touch(req, "status", "routed_to")
        notified = mail_staff(client, "forwarded",
                              gettext_lazy("A rights request was forwarded to you"),
                              "emails/desk_forwarded_client.txt",
                              {"req": forwarded, "client": client,
                               "site": settings.SITE_URL})
        _audit(actor, "request_forwarded", req, to_client=client.pk,
               forwarded=_target(forwarded), staff_notified=notified)
        _mail_person(req, "forwarded", gettext_lazy("Your request was forwarded to %(client)s"),
                     "emails/desk_forwarded_person.txt", {"client": client})
    return forwarded


# --- Identity (R-03) ---------------------------------------------------------------------

def _code_hash(req: Request, code: str) -> str:
    return salted_hmac("livesession.desk.code", f"{req.pk}:{code}").hexdigest()


def _normalize_code(code: str) -> str:
    return re.sub(r"\D", "", code or "")


def start_identity_check(req: Request, *, actor: str) -> str:
    """Mail a one-time code to the address on file; only its keyed hash is kept, for
    ``DESK_CODE_TTL_HOURS``. A new code replaces the previous one. Returns the code (for
    the caller's tests only: pages never show it)."""
    _require_open(req)
    if req.identity_verified_at:
        raise DeskError(_("The identity is already verified."))
    if not req.email:
        raise DeskError(_("This request has no email address: check the identity another "
                          "way (a reason for doubt, then a document)."))
    code = f"{secrets.randbelow(10 ** 8):08d}"
    with transaction.atomic():
        IdentityCheck.objects.filter(request=req).delete()
        at = now()
        IdentityCheck.objects.create(
            request=req, code_hash=_code_hash(req, code), created_at=at,
            expires_at=at + dt.timedelta(hours=settings.DESK_CODE_TTL_HOURS))
        req.status = Status.VERIFYING
        _touch(req, "status")
        _audit(actor, "identity_code_sent", req, method=IdentityMethod.CODE)
        _mail_person(req, "code", gettext_lazy("Your code for your request to %(controller)s"),
                     "emails/desk_code.txt",
                     {"code": f"{code[:4]} {code[4:]}",
                      "hours": settings.DESK_CODE_TTL_HOURS})
    return code


def verify_code(req: Request, code: str, *, actor: str) -> Request:
    """Check the code the person gave back. A wrong code counts; after
    ``DESK_CODE_MAX_ATTEMPTS`` the code is deleted and the request goes to manual review.
    An expired code is deleted. Raises DeskError saying which, and what to do."""
    _require_open(req)
    check = IdentityCheck.objects.filter(request=req).first()
    if check is None:
        raise DeskError(_("No code is waiting for this request: send a new code."), "code")
    if check.expires_at <= now():
        with transaction.atomic():
            check.delete()
            _audit(actor, "identity_code_expired", req)
        raise DeskError(ngettext(
            "This code has expired (it lasts %(hours)d hour): send a new code.",
            "This code has expired (it lasts %(hours)d hours): send a new code.",
            settings.DESK_CODE_TTL_HOURS) % {"hours": settings.DESK_CODE_TTL_HOURS}, "code")
    if constant_time_compare(check.code_hash, _code_hash(req, _normalize_code(code))):
        with transaction.atomic():
            check.delete()
            req.identity_verified_at, req.identity_method = now(), IdentityMethod.CODE
            req.status = Status.IN_PROGRESS
            _touch(req, "identity_verified_at", "identity_method", "status")
            _audit(actor, "identity_verified", req, method=IdentityMethod.CODE)
        return req
    with transaction.atomic():
        check.attempts += 1
        if check.attempts >= settings.DESK_CODE_MAX_ATTEMPTS:
            check.delete()
            req.status = Status.MANUAL_REVIEW
            _touch(req, "status")
            _audit(actor, "identity_locked", req, attempts=check.attempts)
            locked = True
        else:
            check.save(update_fields=["attempts"])
            _audit(actor, "identity_code_wrong", req, attempts=check.attempts)
            locked = False
    if locked:
        raise DeskError(_("Too many wrong codes: the code was deleted and the request moved "
                          "to manual review. Send a new code, or record a reason for doubt "
                          "before asking for a document."), "code")
    left = settings.DESK_CODE_MAX_ATTEMPTS - check.attempts
    raise DeskError(_wrong_code(left), "code")


def record_doubt(req: Request, reason: str, *, actor: str) -> Request:
    """A reasonable doubt on the person's identity, in words: the only ground on which an
    identity document may be asked for (R-03)."""
    _require_open(req)
    reason = reason.strip()
    if len(reason) < 10:
        raise DeskError(_("Describe the doubt in a sentence (at least 10 characters): it "
                          "is what allows asking for a document."), "reason")
    with transaction.atomic():
        req.doubt_reason = reason
        _touch(req, "doubt_reason")
        _audit(actor, "identity_doubt_recorded", req)
    return req


def upload_document(req: Request, content: bytes, *, file_name: str, content_type: str,
                    actor: str) -> IdentityDocument:
    """Keep an identity document sealed under the person's key until the check. Refused
    (PermissionDenied) unless a reason for doubt is recorded."""
    if not req.doubt_reason:
        raise PermissionDenied(_("An identity document may be asked for only when a reason "
                                 "for doubt is recorded."))
    _require_open(req)
    if not content or len(content) > MAX_DOCUMENT_BYTES:
        raise DeskError(_("Attach one file of at most 5 MB."), "document")
    if content_type not in DOCUMENT_TYPES:
        raise DeskError(_("Attach a PDF, JPEG or PNG file."), "document")
    if req.subject_id is None:
        raise DeskError(_("This person's data was erased: nothing can be attached."))
    with transaction.atomic():
        doc = IdentityDocument(request=req, subject_id=req.subject_id,
                               content_type=content_type, uploaded_at=now())
        doc.content = base64.b64encode(content).decode("ascii")
        doc.file_name = file_name[:200]
        doc.save()
        _audit(actor, "identity_document_received", req, size=len(content))
    return doc


def conclude_document_check(req: Request, *, accepted: bool, actor: str) -> Request:
    """The check is done: every document of the request is deleted at once (the bytes are
    gone from the database), and the identity is verified or stays in manual review."""
    _require_open(req)
    with transaction.atomic():
        deleted, _rows = IdentityDocument.objects.filter(request=req).delete()
        if accepted:
            req.identity_verified_at, req.identity_method = now(), IdentityMethod.DOCUMENT
            req.status = Status.IN_PROGRESS
        else:
            req.status = Status.MANUAL_REVIEW
        _touch(req, "identity_verified_at", "identity_method", "status")
        _audit(actor, "identity_document_checked", req, accepted=accepted,
               documents_deleted=deleted)
    return req


# --- Deadlines ---------------------------------------------------------------------------

def extend(req: Request, *, until: dt.date, reason: str, actor: str) -> Request:
    """Art. 12(3): up to two more months, with a reason, the person told before the
    original due date. The notice is queued here and ``extension_notified_at`` recorded."""
    _require_open(req)
    reason = reason.strip()
    if req.extended_until:
        raise DeskError(_("This request was already extended, to %(date)s.")
                        % {"date": req.extended_until.isoformat()})
    if deadlines.today() > req.due_on:
        raise DeskError(_("The due date (%(date)s) has passed: an extension must be decided "
                          "and told to the person within the first month (GDPR art. "
                          "12(3)). Answer now.") % {"date": req.due_on.isoformat()}, "until")
    if not reason:
        raise DeskError(_("Give the reason for the extension: the person is told it."),
                        "reason")
    latest = deadlines.latest_extension(req.received_on)
    if until <= req.due_on or until > latest:
        raise DeskError(_("Choose a date after %(due)s and no later than %(latest)s (two "
                          "more months at most).") % {"due": req.due_on.isoformat(),
                                                      "latest": latest.isoformat()}, "until")
    with transaction.atomic():
        req.extended_until, req.extension_reason = until, reason
        req.extension_notified_at = now()
        _touch(req, "extended_until", "extension_reason", "extension_notified_at")
        _mail_person(req, "extended",
                     gettext_lazy("Your request to %(controller)s: more time needed"),
                     "emails/desk_extended.txt", {"until": until, "reason": reason})
        _audit(actor, "request_extended", req, until=until.isoformat())
    return req


# --- Outcomes ----------------------------------------------------------------------------

def _response_channel(req: Request) -> str:
    # Art. 12(3): a request made electronically is answered electronically.
    return Channel.POST if req.channel == Channel.POST and not req.email else Channel.EMAIL


def refuse(req: Request, *, reason: str, actor: str) -> str:
    """Refuse with the reason and, always, the right to complain to the CNIL and to a
    court (art. 12(4)); the text sent is checked by ``validate_refusal_text``. Returns it."""
    _require_open(req)
    reason = reason.strip()
    if len(reason) < 10:
        raise DeskError(_("Give the reason for the refusal in a sentence: the person is "
                          "told it."), "reason")
    context = {"reason": reason, "cnil_name": CNIL_NAME, "cnil_address": CNIL_ADDRESS,
               "cnil_url": CNIL_URL}
    with translation.override(req.language or settings.LANGUAGE_CODE):
        text = render_to_string("emails/desk_refused.txt",
                                {"req": req, "name": req.name,
                                 "controller": _controller_name(req), **context})
    validate_refusal_text(text)
    with transaction.atomic():
        req.status, req.refusal_reason = Status.REFUSED, reason
        req.responded_at, req.response_channel = now(), _response_channel(req)
        _touch(req, "status", "refusal_reason", "responded_at", "response_channel")
        _mail_person(req, "refused", gettext_lazy("Your request to %(controller)s"),
                     "emails/desk_refused.txt", context)
        _audit(actor, "request_refused", req, response_channel=req.response_channel)
    return text


def complete(req: Request, *, actor: str, note: str = "",
             evidence: dict[str, Any] | None = None) -> Request:
    """Close the request as done and tell the person (electronically when they wrote
    electronically). Needs a verified identity."""
    _require_open(req)
    if req.identity_verified_at is None:
        raise DeskError(_("Verify the person's identity before answering."))
    with transaction.atomic():
        req.status = Status.DONE
        req.responded_at, req.response_channel = now(), _response_channel(req)
        _touch(req, "status", "responded_at", "response_channel")
        _mail_person(req, "done", gettext_lazy("Your request to %(controller)s was handled"),
                     "emails/desk_done.txt", {"note": note.strip()})
        _audit(actor, "request_done", req, response_channel=req.response_channel,
               **(evidence or {}))
    return req


def withdraw(req: Request, *, actor: str) -> Request:
    """The person withdrew the request."""
    _require_open(req)
    with transaction.atomic():
        req.status = Status.WITHDRAWN
        _touch(req, "status")
        IdentityCheck.objects.filter(request=req).delete()
        IdentityDocument.objects.filter(request=req).delete()
        _audit(actor, "request_withdrawn", req)
    return req


def close_forwarded(req: Request, *, actor: str) -> Request:
    """The operator's copy of a forwarded request is closed once the client answered."""
    if req.status != Status.AWAITING_CONTROLLER:
        raise DeskError(_("Only a forwarded request is closed this way."))
    with transaction.atomic():
        req.status, req.responded_at = Status.DONE, now()
        _touch(req, "status", "responded_at")
        _audit(actor, "forwarded_request_closed", req)
    return req


# --- Fulfilment (the same services as the personal space) --------------------------------

def _verified(req: Request, *types: str) -> None:
    _require_open(req)
    if types and req.type not in types:
        raise DeskError(_("This action does not answer a request of this type."))
    if req.identity_verified_at is None:
        raise DeskError(_("Verify the person's identity first."))


def account_of(req: Request) -> Any:
    """The platform account with the request's address, when there is one."""
    from livesession.accounts.models import User

    if req.subject_id is None:
        return None
    return User.objects.filter(subject_id=req.subject_id).first()


@dataclass
class Export:
    archive: bytes
    sha256: str
    file_name: str


def export_for_operator(req: Request, *, actor: str) -> Export:
    """Access, copy, portability of a platform account (P4.1): the same archive as the
    personal space (``access_export``). Staff download it and send it; the package's hash is
    recorded as evidence (R-13)."""
    from livesession.protection import access_export

    if req.client_id is not None:
        raise DeskError(_("The organizer exports its participants' data from its people "
                          "page."))
    _verified(req, *EXPORT_TYPES)
    user = account_of(req)
    if user is None:
        raise DeskError(_("No platform account has this address: the operator holds no "
                          "account data about it. Answer so and close the request."))
    with translation.override(req.language or settings.LANGUAGE_CODE):
        archive = access_export.build_zip(access_export.collect(user))
    digest = hashlib.sha256(archive).hexdigest()
    with transaction.atomic():
        _audit(actor, "export_prepared", req, sha256=digest, size=len(archive))
    return Export(archive=archive, sha256=digest,
                  file_name=f"livesession-data-{str(req.pk)[:8]}.zip")


def fulfil_erasure(req: Request, *, actor: str) -> dict[str, int]:
    """Erase the person (P4.3, P6.8): the platform account and everything held about its
    address at every client (``erase_everywhere``) for the operator; the person at this
    client (``erase_person``) for a client. Idempotent: an already erased person is done,
    with nothing more to erase. The request's own copy of the address is shredded too;
    the confirmation goes out under a fresh key (docs/request-desk.md)."""
    from livesession.protection import erasure

    _verified(req, RequestType.ERASURE)
    email, pk = req.email, req.pk
    with transaction.atomic():
        user = account_of(req)
        if req.client_id is None and user is not None:
            receipt = erasure.erase_everywhere(user, actor=actor)
        elif req.subject is not None:
            receipt = erasure.erase_person(req.subject, actor=actor)
        else:
            receipt = erasure.Receipt()
        req = Request.objects.get(pk=pk)  # the sweep changed the row under us
        req.status, req.responded_at = Status.DONE, now()
        req.response_channel = _response_channel(req)
        _touch(req, "status", "responded_at", "response_channel")
        _audit(actor, "erasure_done", req, counts=receipt.as_dict(),
               already_erased=receipt.nothing_done)
        if email:
            fresh = subject_for_email(email, req.client_id)
            _mail_person(req, "erased", gettext_lazy("Your data at %(controller)s was erased"),
                         "emails/desk_erased.txt", {"counts": receipt.as_dict()},
                         to=email, subject=fresh)
    return receipt.as_dict()


def rectify_account(req: Request, fields: dict[str, Any], *, actor: str) -> list[str]:
    """Rectification of a platform account's profile by staff, with the person's own
    service (``accounts.services.update_profile``). Returns the fields changed."""
    from livesession.accounts.services import update_profile

    if req.client_id is not None:
        raise DeskError(_("The organizer corrects its participants' data from its people "
                          "page."))
    _verified(req, RequestType.RECTIFICATION)
    user = account_of(req)
    if user is None:
        raise DeskError(_("No platform account has this address: nothing to correct."))
    with transaction.atomic():
        changed = update_profile(user, **fields)
        _audit(actor, "rectified", req, fields=changed)
    return changed


# --- Reads -------------------------------------------------------------------------------

def requests_of(client: Client | None) -> Any:
    """Requests of one controller: a client's, or the operator's (client null)."""
    return Request.objects.filter(client=client) if client else Request.objects.filter(
        client__isnull=True)


def open_requests(client: Client | None) -> Any:
    return requests_of(client).exclude(Q(status__in=CLOSED) | Q(
        status=Status.AWAITING_CONTROLLER))


def _subjects_for(req: Request) -> list[Any]:
    """The person's subject ids at the request's controller: for the operator the account's
    subject, for a client the participant's subject there."""
    return [req.subject_id] if req.subject_id else []


def fulfil_restriction(req: Request, *, actor: str) -> int:
    """Restriction of processing (art. 18) with helper A's service: the person is sent the
    restriction notice by it. Returns how many subjects changed (0: already restricted)."""
    from livesession.protection import restriction

    _verified(req, RequestType.RESTRICTION)
    with transaction.atomic():
        changed = restriction.restrict(_subjects_for(req), actor=actor, source="desk")
        _audit(actor, "restricted", req, changed=changed)
    return changed


def fulfil_objection(req: Request, purpose: str, *, actor: str) -> int:
    """Objection (art. 21) to one purpose (``protection.models.ObjectionPurpose``)."""
    from livesession.protection import objection

    _verified(req, RequestType.OBJECTION)
    if purpose not in objection.PURPOSES:
        raise DeskError(_("Choose what the person objects to."), "purpose")
    with transaction.atomic():
        changed = objection.object_to(_subjects_for(req), purpose, actor=actor, source="desk")
        _audit(actor, "objected", req, purpose=purpose, changed=changed)
    return changed


# --- Delivery of a copy through a link and a one-time code (R-06, R-07) ------------------

def _delivery_hash(delivery: Any, code: str) -> str:
    return salted_hmac("livesession.desk.delivery", f"{delivery.pk}:{code}").hexdigest()


def send_export_link(req: Request, *, actor: str) -> Any:
    """Answer an access, copy or portability request of a platform account electronically:
    the archive is kept sealed under the person's key and a link is mailed to the address on
    file; opening it needs a one-time code mailed at that moment. The link works once, for
    ``DESK_DELIVERY_DAYS``. Returns the ``Delivery`` (its raw token is only in the mail)."""
    from django.urls import reverse

    from livesession.desk.models import Delivery

    export = export_for_operator(req, actor=actor)
    if req.subject_id is None or not req.email:
        raise DeskError(_("This request has no address to send a link to: download the "
                          "archive and send it by post."))
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        Delivery.objects.filter(request=req).delete()  # one live link per request
        at = now()
        delivery = Delivery(request=req, subject_id=req.subject_id, sha256=export.sha256,
                            token_digest=crypto.token_digest(token), created_at=at,
                            expires_at=at + dt.timedelta(days=settings.DESK_DELIVERY_DAYS))
        delivery.archive = base64.b64encode(export.archive).decode("ascii")
        delivery.save()
        link = settings.SITE_URL + reverse("console:desk-delivery", kwargs={"token": token})
        _mail_person(req, "delivery", gettext_lazy("Your data from %(controller)s"),
                     "emails/desk_delivery.txt",
                     {"link": link, "days": settings.DESK_DELIVERY_DAYS})
        _audit(actor, "export_link_sent", req, sha256=export.sha256)
    delivery.raw_token = token  # type: ignore[attr-defined]  # for the caller's tests only
    return delivery


def delivery_for(token: str) -> Any:
    """The live delivery behind a link, or None (unknown, used, expired)."""
    from livesession.desk.models import Delivery

    found = Delivery.objects.select_related("request").filter(
        token_digest=crypto.token_digest(token or "")).first()
    if found is None or found.expires_at <= now():
        return None
    return found


def send_delivery_code(delivery: Any) -> str:
    """Mail the code that opens the delivery, to the address on file."""
    if delivery.code_expires_at and delivery.code_expires_at - dt.timedelta(hours=1) > now(
            ) - dt.timedelta(minutes=1):
        raise DeskError(_("A code was sent less than a minute ago: look in your mailbox, or "
                          "wait a minute."), "code")
    code = f"{secrets.randbelow(10 ** 8):08d}"
    req = delivery.request
    with transaction.atomic():
        delivery.code_hash = _delivery_hash(delivery, code)
        delivery.code_expires_at = now() + dt.timedelta(hours=1)
        delivery.save(update_fields=["code_hash", "code_expires_at"])
        _mail_person(req, "delivery_code", gettext_lazy("Your code to download your data"),
                     "emails/desk_code.txt", {"code": f"{code[:4]} {code[4:]}", "hours": 1})
        _audit(f"subject:{delivery.subject_id}", "export_code_sent", req)
    return code


def open_delivery(delivery: Any, code: str) -> bytes:
    """The archive, once, for the right code; the delivery is then deleted (so are its
    bytes). Too many wrong codes delete it too: staff send a new link."""
    req = delivery.request
    if not delivery.code_hash or (delivery.code_expires_at and
                                  delivery.code_expires_at <= now()):
        raise DeskError(_("Ask for a code first (it works for one hour)."), "code")
    if constant_time_compare(delivery.code_hash,
                             _delivery_hash(delivery, _normalize_code(code))):
        archive = base64.b64decode(delivery.archive)
        with transaction.atomic():
            delivery.delete()
            _audit(f"subject:{delivery.subject_id}", "export_delivered", req,
                   sha256=delivery.sha256)
        return archive
    with transaction.atomic():
        delivery.attempts += 1
        locked = delivery.attempts >= settings.DESK_CODE_MAX_ATTEMPTS
        if locked:
            subject_id = delivery.subject_id
            delivery.delete()
            _audit(f"subject:{subject_id}", "export_link_locked", req)
        else:
            delivery.save(update_fields=["attempts"])
    if locked:  # raised after the commit: the deletion stays
        raise DeskError(_("Too many wrong codes: this link no longer works. Write to us "
                          "again and we will send a new one."), "code")
    raise DeskError(_wrong_code(settings.DESK_CODE_MAX_ATTEMPTS - delivery.attempts), "code")


def purge_deliveries() -> int:
    """Expired deliveries go (periodic job)."""
    from livesession.desk.models import Delivery

    deleted, _rows = Delivery.objects.filter(expires_at__lte=now()).delete()
    return deleted
