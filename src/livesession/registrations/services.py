"""Registration writes: the only place where a registration changes (DESIGN rule 1).

``register`` cleans a submission against the event's form (P1.1, P1.2), records consents
(P1.3, P2.3), takes a place or a waiting-list position, issues the personal link and queues
the email, in one transaction. Pages, the API, the Manager and imports call it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from livesession.access import services as access
from livesession.audit.services import record
from livesession.core.clock import now
from livesession.events.models import Event
from livesession.privacy import services as consents
from livesession.protection import keystore
from livesession.protection.crypto import email_index
from livesession.protection.services import subject_for_email
from livesession.registrations import capacity, sessions
from livesession.registrations.formspec import Cleaned, clean_submission
from livesession.registrations.models import (
    ACTIVE,
    HOLDS_SEAT,
    Registration,
)
from livesession.registrations.models import RegistrationStatus as S
from livesession.registrations.scope import STANDARD_FIELDS

# Channels where the organizer itself enters the person: no double opt-in, no approval.
ORGANIZER_CHANNELS = {"manager", "import"}


class RegistrationClosed(Exception):
    """The event is not published, past its deadline, or over."""


class EventFull(Exception):
    """No place left and no waiting list."""


class AlreadyRegistered(Exception):
    def __init__(self, registration: Registration) -> None:
        super().__init__("already registered")
        self.registration = registration


class WrongStatus(Exception):
    """The action does not apply to the registration's current status."""


@dataclass(frozen=True)
class Registered:
    registration: Registration
    token: str


def clean_registration(event: Event, data: dict[str, Any]) -> Cleaned:
    return clean_with_sessions(event, data)[0]


def clean_with_sessions(event: Event, data: dict[str, Any]) -> tuple[Cleaned, list[int]]:
    """Answers and session choice checked together, so every error shows at once."""
    purposes = [p.key for p in consents.purposes_for(event.client)]
    errors: dict[str, list[str]] = {}
    cleaned: Cleaned | None = None
    session_ids: list[int] = []
    try:
        cleaned = clean_submission(event, data, purposes)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        session_ids = sessions.clean_choice(event, data.get("sessions") if isinstance(
            data, dict) else None)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors or cleaned is None:
        raise ValidationError(errors)
    return cleaned, session_ids


def register(event: Event, data: dict[str, Any] | None = None, *, language: str = "fr",
             channel: str = "web", actor: str = "public", **fields: Any) -> Registered:
    """Register one person to ``event`` (P0.1). ``data`` is a submission (see formspec);
    keyword fields (``email=…, first_name=…``) are merged into it. Raises ValidationError
    (field errors), RegistrationClosed, EventFull or AlreadyRegistered; stores nothing in
    those cases."""
    cleaned, session_ids = clean_with_sessions(event, {**(data or {}), **fields})
    if not event.accepts_registrations and channel not in ORGANIZER_CHANNELS:
        raise RegistrationClosed(str(event.pk))
    index = email_index(cleaned.email)
    existing = Registration.objects.filter(event=event, email_index=index).first()
    if existing is not None and existing.status != S.CANCELLED:
        raise AlreadyRegistered(existing)
    if _full_already(event, channel):
        raise EventFull(str(event.pk))
    # One unit of work: the person's data key is read and unwrapped once for the sealed
    # fields, the link and the consents, not once per field (issue 9).
    with keystore.unit_of_work():
        return _register(event, cleaned, session_ids, index, existing, language=language,
                         channel=channel, actor=actor)


def _register(event: Event, cleaned: Cleaned, session_ids: list[int], index: str,
              existing: Registration | None, *, language: str, channel: str,
              actor: str) -> Registered:
    subject = subject_for_email(cleaned.email, event.client_id)
    notice_digest = consents.current_notice_digest()
    try:
        with transaction.atomic():
            registration = existing or Registration(
                client_id=event.client_id, event=event, subject=subject, email_index=index)
            registration.subject = subject
            _fill(registration, cleaned)
            registration.language = language
            registration.channel = channel
            registration.notice_version = notice_digest
            registration.cancelled_at = None
            registration.status = _initial_status(event, channel)
            if registration.status == S.CONFIRMED:
                registration.confirmed_at = now()
            registration.save()
            if existing is not None:
                access.revoke(registration)
            # A new registration without sessions (the event has none: clean_choice asks
            # for every session of a series, or at least one) has no places to ask for,
            # allocate or list: three statements fewer on the rush path (issue 9, S2).
            seatless = existing is None and not session_ids
            if not seatless:
                sessions.request_seats(registration, session_ids)
                if registration.status == S.CONFIRMED:
                    sessions.allocate(registration)
            token = access.issue_link(registration)
            _record_consents(registration, cleaned.consents, language, channel)
            _notify(registration, token, sessions=[] if seatless else None,
                    event_has_sessions=bool(session_ids) if existing is None else None)
            record(actor, "registration.created", target=f"registration:{registration.pk}",
                   client_id=event.client_id,
                   details={"event": str(event.pk), "status": registration.status,
                            "channel": channel})
    except IntegrityError as exc:
        # A concurrent submit of the same address won the unique constraint.
        winner = Registration.objects.filter(event=event, email_index=index).first()
        if winner is None:
            raise
        raise AlreadyRegistered(winner) from exc
    return Registered(registration=registration, token=token)


def _fill(registration: Registration, cleaned: Cleaned) -> None:
    registration.email = cleaned.email
    for std in STANDARD_FIELDS:
        setattr(registration, std.key, cleaned.standard.get(std.key, ""))
    registration.answers = cleaned.answers


def _initial_status(event: Event, channel: str) -> str:
    if channel not in ORGANIZER_CHANNELS:
        if event.double_opt_in:
            return S.PENDING_CONFIRMATION
        if event.approval_required:
            return S.PENDING_APPROVAL
    return _seat_or_wait(event)


def _full_already(event: Event, channel: str) -> bool:
    """This attempt would need a place now (no double opt-in or approval first), there is
    no waiting list, and no place is left: refused before the person's subject and data
    key are created, so a refused attempt writes nothing (issue 9: less work during a rush,
    and no personal data kept for nobody). ``event.seats_taken`` as loaded by the caller
    only says when to look; the fresh read decides. The conditional UPDATE of
    ``capacity.take_seat`` still decides every place: this refuses early only what it
    would refuse."""
    if event.capacity is None or event.waitlist_enabled:
        return False
    if channel not in ORGANIZER_CHANNELS and (event.double_opt_in or event.approval_required):
        return False
    if event.seats_taken < event.capacity:
        return False  # places seemed left when the event was read: the UPDATE decides
    return Event.objects.filter(pk=event.pk, capacity__isnull=False,
                                seats_taken__gte=F("capacity")).exists()


def _seat_or_wait(event: Event) -> str:
    if capacity.take_seat(event.pk):
        return S.CONFIRMED
    if event.waitlist_enabled:
        return S.WAITLISTED
    raise EventFull(str(event.pk))


def _record_consents(registration: Registration, given: list[str], language: str,
                     channel: str) -> None:
    """One record per purpose ticked; an unticked box records nothing (no consent)."""
    if not given:
        return
    for purpose in consents.purposes_for(registration.event.client):
        if purpose.key in given:
            consents.record_consent(
                client_id=registration.client_id, subject=registration.subject,
                purpose=purpose, given=True, language=language, channel=channel,
                registration_id=registration.pk)


@transaction.atomic
def update_answers(registration: Registration, data: dict[str, Any], *, actor: str) -> None:
    """Rectify a registration with the same checks as at registration time (P4.1)."""
    merged = {"email": registration.email, **data}
    cleaned = clean_registration(registration.event, merged)
    if email_index(cleaned.email) != registration.email_index:
        raise ValidationError({"email": _("The email address cannot be changed here: "
                                          "cancel and register the new address.")})
    _fill(registration, cleaned)
    registration.save()
    record(actor, "registration.updated", target=f"registration:{registration.pk}",
           client_id=registration.client_id)


@transaction.atomic
def confirm_email(registration: Registration) -> str:
    """Double opt-in: the place is looked for once the address is proven (issue 3 §5)."""
    row = Registration.objects.select_related("event").get(pk=registration.pk)
    if row.status != S.PENDING_CONFIRMATION:
        return row.status
    row.status = S.PENDING_APPROVAL if row.event.approval_required else _seat_or_wait_quiet(
        row.event)
    if row.status == S.CONFIRMED:
        row.confirmed_at = now()
    row.save(update_fields=["status", "confirmed_at", "updated_at"])
    if row.status == S.CONFIRMED:
        sessions.allocate(row)
    _notify(row, access.current_token(row) or "")
    record("participant", "registration.email_confirmed", target=f"registration:{row.pk}",
           client_id=row.client_id, details={"status": row.status})
    return row.status


def _seat_or_wait_quiet(event: Event) -> str:
    try:
        return _seat_or_wait(event)
    except EventFull:
        return S.WAITLISTED  # the address was confirmed: keep the person, in line


@transaction.atomic
def approve(registration: Registration, *, actor: str) -> str:
    row = Registration.objects.select_related("event").get(pk=registration.pk)
    if row.status == S.CONFIRMED:
        return row.status  # approving twice changes nothing
    if row.status != S.PENDING_APPROVAL:
        raise WrongStatus(row.status)
    row.status = _seat_or_wait(row.event)
    if row.status == S.CONFIRMED:
        row.confirmed_at = now()
    row.save(update_fields=["status", "confirmed_at", "updated_at"])
    if row.status == S.CONFIRMED:
        sessions.allocate(row)
    _notify(row, access.current_token(row) or "", approved=True)
    record(actor, "registration.approved", target=f"registration:{row.pk}",
           client_id=row.client_id, details={"status": row.status})
    return row.status


@transaction.atomic
def deny(registration: Registration, *, note: str = "", actor: str) -> None:
    row = Registration.objects.select_related("event").get(pk=registration.pk)
    if row.status not in {S.PENDING_APPROVAL, S.WAITLISTED, S.CONFIRMED,
                          S.PENDING_CONFIRMATION}:
        raise WrongStatus(row.status)
    held = row.status in HOLDS_SEAT
    row.status = S.DENIED
    row.decision_note = note.strip()[:1000]
    row.save(update_fields=["status", "decision_note", "updated_at"])
    access.revoke(row)
    sessions.release_all(row)
    _notify(row, "")
    if held:
        capacity.release_seat(row.event_id)
        promote_waitlist(row.event)
    record(actor, "registration.denied", target=f"registration:{row.pk}",
           client_id=row.client_id)


@transaction.atomic
def cancel(registration: Registration, *, actor: str, by_participant: bool) -> bool:
    """Cancel and free the place; the first person waiting gets it (issue 3 §5)."""
    row = Registration.objects.select_related("event").get(pk=registration.pk)
    if row.status not in ACTIVE:
        return False
    held = row.status in HOLDS_SEAT
    row.status = S.CANCELLED
    row.cancelled_at = now()
    row.save(update_fields=["status", "cancelled_at", "updated_at"])
    sessions.release_all(row)
    _notify(row, "", cancelled_by_participant=by_participant)
    if held:
        capacity.release_seat(row.event_id)
        promote_waitlist(row.event)
    record(actor, "registration.cancelled", target=f"registration:{row.pk}",
           client_id=row.client_id, details={"by_participant": by_participant})
    return True


def promote_waitlist(event: Event) -> int:
    """Give freed places to the waiting list, first come first served, each with an
    email. Runs inside the caller's transaction."""
    promoted = 0
    while True:
        candidate = (Registration.objects.filter(event=event, status=S.WAITLISTED)
                     .order_by("created_at", "id").first())
        if candidate is None or not capacity.take_seat(event.pk):
            return promoted
        changed = Registration.objects.filter(pk=candidate.pk, status=S.WAITLISTED).update(
            status=S.CONFIRMED, confirmed_at=now())
        if not changed:
            capacity.release_seat(event.pk)
            continue
        candidate.refresh_from_db()
        sessions.allocate(candidate)
        _notify(candidate, access.current_token(candidate) or "", promoted=True)
        record("system", "registration.promoted", target=f"registration:{candidate.pk}",
               client_id=candidate.client_id)
        promoted += 1


def waitlist_position(registration: Registration) -> int | None:
    if registration.status != S.WAITLISTED:
        return None
    ahead = Registration.objects.filter(
        event_id=registration.event_id, status=S.WAITLISTED,
        created_at__lt=registration.created_at).count()
    return ahead + 1


@transaction.atomic
def send_link_again(registration: Registration, *, actor: str = "public") -> None:
    """Mail the registration's current state and personal link to the registered address
    only. Pages answer the same whether or not an address is registered (issue 3 §6)."""
    _notify(registration, access.current_token(registration) or "", again=True)
    record(actor, "registration.link_resent", target=f"registration:{registration.pk}",
           client_id=registration.client_id)


def _notify(registration: Registration, token: str, *, sessions: list[Any] | None = None,
            event_has_sessions: bool | None = None, **flags: bool) -> None:
    """Queue the email that matches the registration's status, in its language, worded by
    the client's template or the built-in one (messaging/compose.py). ``sessions`` (the
    confirmed ones) and ``event_has_sessions``, when the caller knows them, spare reads."""
    from livesession.messaging import compose

    kind = _template_kind(registration.status, flags)
    with keystore.unit_of_work():
        composed = compose.compose(
            registration, kind, token=token, position=waitlist_position(registration),
            cancelled_by_participant=flags.get("cancelled_by_participant", True),
            sessions=sessions, known=compose.Known(event_has_sessions=event_has_sessions))
        compose.queue(registration, composed, outbox_kind=_kind(registration.status, flags))


def _template_kind(status: str, flags: dict[str, bool]) -> str:
    if status == S.CONFIRMED:
        if flags.get("promoted"):
            return "promoted"
        return "approved" if flags.get("approved") else "confirmation"
    return str(status)


def _kind(status: str, flags: dict[str, bool]) -> str:
    """The outbox row's kind: registration.<template kind>."""
    return f"registration.{_template_kind(status, flags)}"
