"""Registration flow: capacity, waiting list, approval, double opt-in, deadline,
cancellation, consents (issue 3 §4–6; P0.3, P1.3, P2.3)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from livesession.access.services import resolve
from livesession.core.clock import freeze, now
from livesession.events.services import update_event
from livesession.messaging.models import OutboxMessage
from livesession.privacy.models import ConsentRecord
from livesession.privacy.services import current_consents, withdraw
from livesession.registrations import services as reg
from livesession.registrations.models import Registration
from livesession.registrations.models import RegistrationStatus as S


def _person(n: int, **extra: Any) -> dict[str, Any]:
    return {"email": f"p{n}@example.org", "first_name": f"P{n}", "last_name": "Test", **extra}


@pytest.fixture
def small_event(event_a: Any) -> Any:
    return update_event(event_a, actor="test", capacity=2)


def _statuses(event: Any) -> list[str]:
    return list(Registration.objects.filter(event=event).order_by("created_at")
                .values_list("status", flat=True))


def test_capacity_then_waiting_list_then_promotion(small_event: Any) -> None:
    made = [reg.register(small_event, _person(i)) for i in range(4)]
    assert _statuses(small_event) == [S.CONFIRMED, S.CONFIRMED, S.WAITLISTED, S.WAITLISTED]
    small_event.refresh_from_db()
    assert small_event.seats_taken == 2
    assert reg.waitlist_position(made[3].registration) == 2
    waitlisted_mail = OutboxMessage.objects.filter(kind="registration.waitlisted").count()
    assert waitlisted_mail == 2

    assert reg.cancel(made[0].registration, actor="t", by_participant=True)
    assert _statuses(small_event) == [S.CANCELLED, S.CONFIRMED, S.CONFIRMED, S.WAITLISTED]
    promoted = OutboxMessage.objects.get(kind="registration.promoted")
    assert made[2].token in promoted.body  # the same personal link, now opening the room
    small_event.refresh_from_db()
    assert small_event.seats_taken == 2
    # Cancelling twice changes nothing.
    assert not reg.cancel(made[0].registration, actor="t", by_participant=True)


def test_more_places_promote_the_waiting_list_at_once(small_event: Any) -> None:
    for i in range(3):
        reg.register(small_event, _person(i))
    update_event(small_event, actor="t", capacity=3)
    assert _statuses(small_event) == [S.CONFIRMED] * 3
    with pytest.raises(ValidationError):
        update_event(small_event, actor="t", capacity=1)


def test_full_without_waiting_list_refuses_and_stores_nothing(event_a: Any) -> None:
    event = update_event(event_a, actor="t", capacity=1, waitlist_enabled=False)
    reg.register(event, _person(1))
    with pytest.raises(reg.EventFull):
        reg.register(event, _person(2))
    assert Registration.objects.filter(event=event).count() == 1


def test_approval_then_deny_with_a_message(event_a: Any) -> None:
    event = update_event(event_a, actor="t", approval_required=True, capacity=5)
    first = reg.register(event, _person(1)).registration
    second = reg.register(event, _person(2)).registration
    assert first.status == second.status == S.PENDING_APPROVAL
    assert resolve(reg.access.current_token(first)).status == S.PENDING_APPROVAL
    assert reg.approve(first, actor="t") == S.CONFIRMED
    reg.deny(second, note="Réservé aux adhérents.", actor="t")
    second.refresh_from_db()
    assert second.status == S.DENIED
    denied_mail = OutboxMessage.objects.get(kind="registration.denied")
    assert "Réservé aux adhérents." in denied_mail.body
    with pytest.raises(reg.WrongStatus):
        reg.approve(second, actor="t")
    event.refresh_from_db()
    assert event.seats_taken == 1


def test_double_opt_in_holds_the_place_only_once_confirmed(event_a: Any) -> None:
    event = update_event(event_a, actor="t", double_opt_in=True, capacity=1)
    first = reg.register(event, _person(1))
    second = reg.register(event, _person(2))
    event.refresh_from_db()
    assert event.seats_taken == 0  # nothing held before the address is proven
    mail = (OutboxMessage.objects.filter(kind="registration.pending_confirmation")
            .order_by("id").first())
    assert mail is not None and first.token in mail.body
    assert reg.confirm_email(second.registration) == S.CONFIRMED
    assert reg.confirm_email(first.registration) == S.WAITLISTED
    assert reg.confirm_email(first.registration) == S.WAITLISTED  # idempotent


def test_deadline_closes_registrations(event_a: Any) -> None:
    event = update_event(event_a, actor="t", registration_deadline=now() + dt.timedelta(hours=1))
    reg.register(event, _person(1))
    with freeze(now() + dt.timedelta(hours=2)), pytest.raises(reg.RegistrationClosed):
        reg.register(event, _person(2))


def test_organizer_adds_by_hand_past_approval_but_within_capacity(event_a: Any) -> None:
    event = update_event(event_a, actor="t", approval_required=True, double_opt_in=True,
                         capacity=1)
    assert reg.register(event, _person(1), channel="manager").registration.status == S.CONFIRMED
    assert reg.register(event, _person(2), channel="manager").registration.status == \
        S.WAITLISTED


def test_cancelled_person_may_register_again_with_a_new_link(event_a: Any) -> None:
    first = reg.register(event_a, _person(1))
    reg.cancel(first.registration, actor="t", by_participant=True)
    again = reg.register(event_a, _person(1))
    assert again.registration.pk == first.registration.pk
    assert again.registration.status == S.CONFIRMED
    assert resolve(first.token) is None and resolve(again.token) is not None


def test_p2_3_registration_succeeds_with_every_box_unticked(event_a: Any) -> None:
    made = reg.register(event_a, _person(1))
    assert made.registration.status == S.CONFIRMED
    assert not ConsentRecord.objects.exists()
    assert current_consents(event_a.client_id, made.registration.subject_id) == {}


def test_p1_3_consent_is_recorded_with_text_version_time_and_channel(event_a: Any) -> None:
    made = reg.register(event_a, _person(1, consents=["organizer_news"]), language="en",
                        channel="api")
    record = ConsentRecord.objects.get()
    assert record.purpose.key == "organizer_news" and record.action == "given"
    assert record.language == "en" and record.channel == "api"
    import hashlib

    assert record.text_digest == hashlib.sha256(record.purpose.label_en.encode()).hexdigest()
    assert made.registration.notice_version  # the privacy notice version shown (P0.3)
    subject = made.registration.subject
    assert withdraw(client_id=event_a.client_id, subject=subject, purpose_key="organizer_news",
                    language="en", channel="web", actor="participant")
    assert current_consents(event_a.client_id, subject.pk) == {"organizer_news": False}
    assert ConsentRecord.objects.count() == 2  # append-only: withdrawal is a new row
    with pytest.raises(ValueError):
        record.save()


def test_p1_3_unknown_purpose_is_refused(event_a: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        reg.register(event_a, _person(1, consents=["sell_my_data"]))
    assert "consents" in exc.value.message_dict
    assert not Registration.objects.exists()


def test_already_registered_sends_the_state_again_without_a_second_row(event_a: Any) -> None:
    reg.register(event_a, _person(1))
    with pytest.raises(reg.AlreadyRegistered) as exc:
        reg.register(event_a, _person(1, email="  P1@EXAMPLE.org "))
    reg.send_link_again(exc.value.registration)
    assert Registration.objects.count() == 1
    assert OutboxMessage.objects.filter(kind="registration.confirmation").count() == 2


def test_p7_5_consent_withdrawn_from_the_personal_link(event_a: Any) -> None:
    from django.test import Client as Browser

    made = reg.register(event_a, _person(1, consents=["organizer_news", "attendee_list"]))
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
    page = browser.get(f"/j/{made.token}/").content.decode()
    assert "Your consents" in page and 'value="organizer_news"' in page
    browser.post(f"/j/{made.token}/withdraw/", {"purpose": "organizer_news"})
    state = current_consents(event_a.client_id, made.registration.subject_id)
    assert state == {"organizer_news": False, "attendee_list": True}
    assert 'value="organizer_news"' not in browser.get(f"/j/{made.token}/").content.decode()
