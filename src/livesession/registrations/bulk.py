"""The bulk path of a confirmed import (issue 9, S7): per batch, what
``registrations.services.register(channel="import")`` does per line, with set-based
queries.

For a batch of lines already cleaned (``Ready``), in the caller's transaction:

1. the places: one compare-and-set UPDATE of the event's ``seats_taken`` takes as many
   places as are left, up to the lines (``take_seats``): never over capacity, the same
   guarantee as ``capacity.take_seat``; the lines beyond go to the waiting list, or are
   reported full (no person, no key created for them, as ``register`` refuses early);
2. the persons: subjects found by ``(controller, email_index)`` in one query, the missing
   ones created in one INSERT; their data keys created in one INSERT in the keystore and
   read back (unwrapped) in one query, so each field is sealed with a key read once;
3. registrations, search tokens, session places, personal links, outbox messages and
   audit entries (one ``registration.created`` per registration, as ``register`` writes:
   the person's access export finds it by the registration's id) in one INSERT each.

Consents: an import line carries none (``imports.submission`` gives an empty list); should
one ever do, it goes through ``privacy.services.record_consent`` like ``register``.

``tests/registrations/test_import_bulk.py`` imports the same file through this path and
through ``register`` line by line and compares every stored value.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import F

from livesession.access import services as access
from livesession.access.models import AccessLink
from livesession.audit.services import record_many
from livesession.core.clock import now
from livesession.events.models import Event, Session
from livesession.messaging import compose
from livesession.messaging.models import OutboxMessage
from livesession.privacy import services as consents
from livesession.protection import crypto, keystore, restriction
from livesession.protection.models import DataKey, Subject, controller_key_for
from livesession.registrations import search
from livesession.registrations.formspec import Cleaned
from livesession.registrations.models import (
    Registration,
    SearchToken,
    SeatStatus,
    SessionSeat,
)
from livesession.registrations.models import RegistrationStatus as S
from livesession.registrations.scope import STANDARD_FIELDS

CHANNEL = "import"


@dataclass
class Ready:
    """A line that passed every check and will be registered unless the event is full."""

    line: int
    index: str
    cleaned: Cleaned
    language: str
    status: str = ""
    registration: Registration | None = None
    token: str = ""
    sessions: list[int] = field(default_factory=list)  # sessions where a place was given

    def saved(self) -> Registration:
        if self.registration is None:
            raise RuntimeError(f"line {self.line}: no registration written")
        return self.registration


@dataclass
class Context:
    """What every line of an import shares, read once per run."""

    event: Event
    purposes: list[Any]
    session_ids: list[int]
    sessions: dict[int, Session]
    # The privacy notice in force: computing it renders the whole notice (1.7 s per call
    # in the S7 profile), so once per run, not per batch nor per line.
    notice: str


def context(event: Event, session_ids: list[int]) -> Context:
    sessions = {s.pk: s for s in Session.objects.filter(event=event)}
    return Context(event=event, purposes=consents.purposes_for(event.client),
                   session_ids=session_ids, sessions=sessions,
                   notice=consents.current_notice().digest)


# --- places -----------------------------------------------------------------------------

def take_seats(model: type[Event] | type[Session], pk: Any, wanted: int) -> int:
    """Take up to ``wanted`` places at once; how many were taken. A compare-and-set on
    ``seats_taken`` (retried when another writer moved it), so the count never passes the
    capacity whatever runs beside it, on PostgreSQL as on SQLite. Without a capacity every
    place is taken and counted, as ``capacity.take_seat`` counts them."""
    while wanted > 0:
        capacity, taken = model.objects.filter(pk=pk).values_list(
            "capacity", "seats_taken").get()
        granted = wanted if capacity is None else max(0, min(wanted, capacity - taken))
        if granted == 0:
            return 0
        if model.objects.filter(pk=pk, seats_taken=taken).update(
                seats_taken=F("seats_taken") + granted):
            return granted
    return 0


# --- persons and keys -----------------------------------------------------------------

def subjects_for(indexes: list[str], client_id: int) -> dict[str, uuid.UUID]:
    """``protection.services.subject_for_email`` for many addresses: email index -> subject
    id, each with a data key ready (and loaded in the unit of work's cache)."""
    controller = controller_key_for(client_id)
    found = dict(Subject.objects.filter(controller=controller, email_index__in=indexes)
                 .values_list("email_index", "id"))
    missing = [index for index in dict.fromkeys(indexes) if index not in found]
    if missing:
        Subject.objects.bulk_create(
            [Subject(controller=controller, client_id=client_id, email_index=index)
             for index in missing], ignore_conflicts=True)
        # Read back: a row created concurrently stands instead of ours.
        found.update(Subject.objects.filter(controller=controller, email_index__in=missing)
                     .values_list("email_index", "id"))
    ids = list(found.values())
    keyed = set(DataKey.objects.filter(subject_id__in=ids).values_list("subject_id", flat=True))
    fresh = [DataKey(subject_id=sid, controller=controller,
                     wrapped=crypto.wrap_key(crypto.new_data_key(), str(sid)))
             for sid in ids if sid not in keyed]
    if fresh:
        with transaction.atomic(using="keystore"):
            DataKey.objects.bulk_create(fresh, ignore_conflicts=True)
    keystore.preload(ids)  # the first writer's key, read once per subject
    return found


# --- messages ---------------------------------------------------------------------------

class Composer:
    """``messaging.compose.compose`` for the registrations of one batch: the same values and
    wording, with the templates, the sessions and the replay state read once."""

    def __init__(self, ctx: Context) -> None:
        self.event = ctx.event
        self.sessions = ctx.sessions
        self.known = compose.Known(event_has_sessions=bool(ctx.sessions))

    def compose(self, ready: Ready, kind: str, position: int | None) -> compose.Composed:
        if self.known.replay is None:
            self.known.replay = compose.has_replay(self.event)
        sessions = sorted((self.sessions[pk] for pk in ready.sessions),
                          key=lambda s: (s.starts_at, s.pk))
        return compose.compose(ready.saved(), kind, token=ready.token, position=position,
                               sessions=sessions, known=self.known)


def _messages(ctx: Context, written: list[Ready], subjects: dict[str, uuid.UUID]
              ) -> list[OutboxMessage]:
    """The email of each registration, as ``services._notify`` queues it (one each;
    none to a restricted person, none once the client's contract ended)."""
    from livesession.contracts.guard import may_message as contract_may_message

    composer = Composer(ctx)
    event = ctx.event
    restricted = restriction.restricted_ids(subjects.values())
    allowed_kind: dict[str, bool] = {}
    waiting = Registration.objects.filter(event=event, status=S.WAITLISTED).count() - sum(
        1 for r in written if r.status == S.WAITLISTED)
    moment = now()
    out: list[OutboxMessage] = []
    for ready in written:
        registration = ready.saved()
        if ready.status == S.WAITLISTED:
            waiting += 1
            kind, position = "waitlisted", waiting
        else:
            kind, position = "confirmation", None
        outbox_kind = f"registration.{kind}"
        if outbox_kind not in allowed_kind:
            allowed_kind[outbox_kind] = contract_may_message(event.client_id, outbox_kind)
        if not allowed_kind[outbox_kind]:
            continue
        if registration.subject_id in restricted and not restriction.may_message(
                registration.subject_id, outbox_kind):
            continue
        composed = composer.compose(ready, kind, position)
        message = OutboxMessage(subject_id=registration.subject_id, kind=outbox_kind,
                                client_id=event.client_id, registration=registration,
                                event=event, next_attempt_at=moment)
        message.to = ready.cleaned.email
        message.subject_line = " ".join(composed.subject.split())
        message.body = composed.body
        message.unsubscribe_url = composed.unsubscribe_url
        if composed.attachment is not None:
            message.attachment_name = composed.attachment.name
            message.attachment_type = composed.attachment.type
            message.attachment = composed.attachment.content
        out.append(message)
    return out


# --- the batch ----------------------------------------------------------------------------

def register_many(ctx: Context, lines: list[Ready], *, actor: str) -> list[Ready]:
    """Register ``lines`` (distinct addresses, none registered to the event yet) in the
    caller's transaction. Sets each line's ``status`` (confirmed, waitlisted, or "" when
    the event is full and has no waiting list). Raises IntegrityError when an address was
    registered meanwhile (the caller replays the batch line by line)."""
    from livesession.core.tasks import enqueue_on_commit
    from livesession.messaging.jobs import deliver_many

    event = ctx.event
    if not lines:
        return lines
    granted = take_seats(Event, event.pk, len(lines))
    for position, ready in enumerate(lines):
        if position < granted:
            ready.status = S.CONFIRMED
        elif event.waitlist_enabled:
            ready.status = S.WAITLISTED
        else:
            ready.status = ""
    written = [r for r in lines if r.status]
    if not written:
        return lines
    with keystore.unit_of_work():
        subjects = subjects_for([r.index for r in written], event.client_id)
        moment = now()
        registrations = []
        for ready in written:
            registration = Registration(client_id=event.client_id, event=event,
                                        subject_id=subjects[ready.index],
                                        email_index=ready.index)
            registration.email = ready.cleaned.email
            for std in STANDARD_FIELDS:
                setattr(registration, std.key, ready.cleaned.standard.get(std.key, ""))
            registration.answers = ready.cleaned.answers
            registration.language = ready.language
            registration.channel = CHANNEL
            registration.notice_version = ctx.notice
            registration.status = ready.status
            if ready.status == S.CONFIRMED:
                registration.confirmed_at = moment
            ready.registration = registration
            registrations.append(registration)
        Registration.objects.bulk_create(registrations)
        SearchToken.objects.bulk_create([
            SearchToken(registration_id=r.saved().pk, client_id=event.client_id,
                        event_id=event.pk, token=token)
            for r in written
            for token in sorted(search.tokens_for(event.client_id, r.cleaned.email,
                                                  r.cleaned.standard.get("first_name", ""),
                                                  r.cleaned.standard.get("last_name", "")))])
        _seats(ctx, written)
        links = []
        for ready in written:
            registration = ready.saved()
            ready.token = access.new_token()
            link = AccessLink(registration=registration, client_id=event.client_id,
                              subject_id=registration.subject_id,
                              token_digest=crypto.token_digest(ready.token))
            link.token = ready.token
            links.append(link)
        AccessLink.objects.bulk_create(links)
        for ready in written:
            if ready.cleaned.consents:
                _consents(ctx, ready)
        messages = OutboxMessage.objects.bulk_create(_messages(ctx, written, subjects))
        if messages:
            # One doorbell for the batch's mails, not one per mail (a queue write each).
            enqueue_on_commit(deliver_many, [message.pk for message in messages])
        record_many(
            (actor, "registration.created", f"registration:{r.saved().pk}",
             event.client_id, {"event": str(event.pk), "status": r.status,
                               "channel": CHANNEL})
            for r in written)
    return lines


def _seats(ctx: Context, written: list[Ready]) -> None:
    """``sessions.request_seats`` then ``sessions.allocate`` for the batch: a confirmed
    registration gets a place, or a waiting position, in each session (first lines first);
    a waitlisted one keeps its request."""
    if not ctx.session_ids:
        return
    wanted = set(ctx.session_ids)
    confirmed = [r for r in written if r.status == S.CONFIRMED]
    given = {sid: take_seats(Session, sid, len(confirmed)) for sid in wanted}
    rank = {id(r): n for n, r in enumerate(confirmed)}
    seats = []
    for ready in written:
        registration = ready.saved()
        for sid in wanted:
            if ready.status != S.CONFIRMED:
                status = SeatStatus.REQUESTED
            elif rank[id(ready)] < given[sid]:
                status = SeatStatus.CONFIRMED
                ready.sessions.append(sid)
            else:
                status = SeatStatus.WAITLISTED
            seats.append(SessionSeat(registration=registration, session_id=sid,
                                     client_id=registration.client_id, status=status))
    SessionSeat.objects.bulk_create(seats)


def _consents(ctx: Context, ready: Ready) -> None:
    registration = ready.saved()
    for purpose in ctx.purposes:
        if purpose.key in ready.cleaned.consents:
            consents.record_consent(
                client_id=registration.client_id, subject=registration.subject,
                purpose=purpose, given=True, language=ready.language, channel=CHANNEL,
                registration_id=registration.pk)
