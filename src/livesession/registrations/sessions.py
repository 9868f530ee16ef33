"""Places in the sessions of an event with several dates (issue 3 §10).

A registration asks for sessions (the whole series, or the participant's choice); its
places are given when the registration is confirmed, session by session, with the same
conditional UPDATE as event places, and a waiting list per session.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Greatest
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from livesession.audit.services import record
from livesession.events.models import Event, Session
from livesession.registrations.models import Registration, SeatStatus, SessionSeat


def sessions_of(event: Event) -> list[Session]:
    return list(Session.objects.filter(event=event).order_by("starts_at", "id"))


def clean_choice(event: Event, raw: Any) -> list[int]:
    """The session ids a submission asks for: every session of a series; at least one
    of the offered sessions when the participant chooses."""
    sessions = sessions_of(event)
    if not sessions:
        if raw:
            raise ValidationError({"sessions": _("This event has no sessions to choose.")})
        return []
    ids = [s.pk for s in sessions]
    if event.session_mode != "choose":
        return ids
    values = raw if isinstance(raw, list | tuple) else ([raw] if raw else [])
    try:
        chosen = sorted({int(v) for v in values})
    except (TypeError, ValueError) as exc:
        raise ValidationError({"sessions": _("Choose sessions from the list.")}) from exc
    if not chosen:
        raise ValidationError({"sessions": _("Choose at least one session.")})
    if set(chosen) - set(ids):
        raise ValidationError({"sessions": _("Choose sessions from the list.")})
    return chosen


def request_seats(registration: Registration, session_ids: list[int]) -> None:
    """Record the sessions asked for; places come with confirmation (allocate)."""
    wanted = set(session_ids)
    existing = {s.session_id: s for s in SessionSeat.objects.filter(registration=registration)}
    for session_id in wanted:
        seat = existing.get(session_id)
        if seat is None:
            SessionSeat.objects.create(registration=registration, session_id=session_id,
                                       client_id=registration.client_id)
        elif seat.status == SeatStatus.CANCELLED:
            SessionSeat.objects.filter(pk=seat.pk).update(status=SeatStatus.REQUESTED)


def _take(session_id: int) -> bool:
    return bool(Session.objects.filter(pk=session_id).filter(
        Q(capacity__isnull=True) | Q(seats_taken__lt=F("capacity"))
    ).update(seats_taken=F("seats_taken") + 1))


def _release(session_id: int) -> None:
    Session.objects.filter(pk=session_id, seats_taken__gt=0).update(
        seats_taken=F("seats_taken") - 1)


def allocate(registration: Registration) -> None:
    """Give the confirmed registration a place, or a waiting position, in each session it
    asked for."""
    for seat in SessionSeat.objects.filter(registration=registration,
                                           status=SeatStatus.REQUESTED):
        status = SeatStatus.CONFIRMED if _take(seat.session_id) else SeatStatus.WAITLISTED
        SessionSeat.objects.filter(pk=seat.pk).update(status=status)


def release_all(registration: Registration) -> None:
    """Cancel every place of the registration; each freed place goes to the session's
    waiting list."""
    seats = list(SessionSeat.objects.filter(registration=registration).exclude(
        status=SeatStatus.CANCELLED))
    for seat in seats:
        SessionSeat.objects.filter(pk=seat.pk).update(status=SeatStatus.CANCELLED)
        if seat.status == SeatStatus.CONFIRMED:
            _release(seat.session_id)
            promote(seat.session_id)


def release_many(registration_ids: list[Any]) -> None:
    """``release_all`` for several registrations at once (an erased person's): every place
    cancelled in one statement, each session's counter moved back once per distinct number
    of places freed, then the waiting lists of those sessions promoted. A person's own
    waiting seats are cancelled before any promotion, so none is given to them."""
    seats = list(SessionSeat.objects.filter(registration_id__in=registration_ids).exclude(
        status=SeatStatus.CANCELLED).values_list("pk", "session_id", "status"))
    if not seats:
        return
    SessionSeat.objects.filter(pk__in=[pk for pk, _s, _st in seats]).update(
        status=SeatStatus.CANCELLED)
    freed = Counter(session_id for _pk, session_id, status in seats
                    if status == SeatStatus.CONFIRMED)
    by_number: dict[int, list[int]] = defaultdict(list)
    for session_id, number in freed.items():
        by_number[number].append(session_id)
    for number, session_ids in by_number.items():
        # Never below zero, as _release guards it.
        Session.objects.filter(pk__in=session_ids).update(
            seats_taken=Greatest(F("seats_taken") - number, Value(0)))
    waiting = set(SessionSeat.objects.filter(
        session_id__in=list(freed), status=SeatStatus.WAITLISTED).values_list(
        "session_id", flat=True).distinct())
    for session_id in sorted(waiting):
        promote(session_id)


def promote(session_id: int) -> int:
    """First come, first served: the oldest waiting seat of a confirmed registration."""
    from livesession.registrations.models import RegistrationStatus

    promoted = 0
    while True:
        seat = (SessionSeat.objects.filter(
            session_id=session_id, status=SeatStatus.WAITLISTED,
            registration__status=RegistrationStatus.CONFIRMED).order_by("created_at", "id")
            .first())
        if seat is None or not _take(session_id):
            return promoted
        changed = SessionSeat.objects.filter(pk=seat.pk, status=SeatStatus.WAITLISTED).update(
            status=SeatStatus.CONFIRMED)
        if not changed:
            _release(session_id)
            continue
        record("system", "session_seat.promoted", target=f"registration:{seat.registration_id}",
               client_id=seat.client_id, details={"session": session_id})
        promoted += 1


def confirmed_sessions(registration: Registration) -> list[Session]:
    return [seat.session for seat in SessionSeat.objects.select_related("session__event")
            .filter(registration=registration, status=SeatStatus.CONFIRMED)
            .order_by("session__starts_at")]


def seats_by_session(registration: Registration) -> list[SessionSeat]:
    return list(SessionSeat.objects.select_related("session").filter(
        registration=registration).order_by("session__starts_at"))


def current_or_next(registration: Registration) -> Session | None:
    """The session the personal link leads to: the one open now, else the next one."""
    sessions = confirmed_sessions(registration)
    for session in sessions:
        if session.access_state() == "open":
            return session
    for session in sessions:
        if session.access_state() == "before":
            return session
    return None


# --- organizer writes ----------------------------------------------------------------------

def _validate(data: dict[str, Any]) -> None:
    errors = {}
    if not str(data.get("title", "")).strip():
        errors["title"] = _("Give the session a title.")
    starts, ends = data.get("starts_at"), data.get("ends_at")
    if starts is None:
        errors["starts_at"] = _("Enter when the session starts.")
    if ends is None:
        errors["ends_at"] = _("Enter when the session ends.")
    if starts is not None and ends is not None and ends <= starts:
        errors["ends_at"] = _("The end must come after the start. Check the dates and times.")
    capacity = data.get("capacity")
    if capacity is not None and (not isinstance(capacity, int) or capacity < 1):
        errors["capacity"] = _("Give a number of places of at least 1, or leave it empty for "
                               "no limit.")
    if errors:
        raise ValidationError(errors)


SESSION_FIELDS = ("title", "starts_at", "ends_at", "room_url", "capacity")


@transaction.atomic
def add_session(event: Event, *, actor: str, **data: Any) -> Session:
    values = {k: data.get(k) for k in SESSION_FIELDS}
    values["room_url"] = values["room_url"] or ""
    _validate(values)
    session = Session.objects.create(event=event, client_id=event.client_id, **values)
    # A series: everyone already confirmed asks for the new date too.
    if event.session_mode == "series":
        from livesession.registrations.models import RegistrationStatus

        for registration in Registration.objects.filter(
                event=event, status=RegistrationStatus.CONFIRMED):
            request_seats(registration, [session.pk])
            allocate(registration)
    record(actor, "session.added", target=f"session:{session.pk}", client_id=event.client_id)
    return session


@transaction.atomic
def update_session(session: Session, *, actor: str, **data: Any) -> Session:
    values = {k: data.get(k, getattr(session, k)) for k in SESSION_FIELDS}
    values["room_url"] = values["room_url"] or ""
    _validate(values)
    taken = Session.objects.values_list("seats_taken", flat=True).get(pk=session.pk)
    if values["capacity"] is not None and values["capacity"] < taken:
        raise ValidationError({"capacity": ngettext(
            "%(n)d place is already taken: the capacity cannot be lower.",
            "%(n)d places are already taken: the capacity cannot be lower.", taken)
            % {"n": taken}})
    for name, value in values.items():
        setattr(session, name, value)
    session.save(update_fields=list(values))
    promote(session.pk)
    record(actor, "session.updated", target=f"session:{session.pk}",
           client_id=session.client_id)
    return session


@transaction.atomic
def remove_session(session: Session, *, actor: str) -> None:
    record(actor, "session.removed", target=f"session:{session.pk}",
           client_id=session.client_id)
    session.delete()
