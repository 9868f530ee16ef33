"""Messages to a segment of an event: registered, attended, absent (issue 4 §7, §9)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client as Browser

from livesession.core.clock import freeze
from livesession.messaging import segments
from livesession.messaging.jobs import send_scheduled_messages
from livesession.messaging.models import Campaign, CampaignStatus, OutboxMessage
from livesession.messaging.unsubscribe import unsubscribe
from livesession.registrations import services as reg

TEXTS = {"subject_fr": "Merci {{ first_name }}", "body_fr": "Bonjour {{ first_name }}, "
         "le support : https://x.example/s\n{{ unsubscribe_link }}",
         "subject_en": "Thanks {{ first_name }}", "body_en": "Hello {{ first_name }}, "
         "the slides: https://x.example/s\n{{ unsubscribe_link }}"}


@pytest.fixture
def people(event_a: Any) -> dict[str, Any]:
    made = {name: reg.register(event_a, email=f"{name}@example.org", first_name=name.title(),
                               last_name="X", language=lang)
            for name, lang in (("came", "en"), ("absent", "fr"), ("late", "en"),
                               ("gone", "fr"))}
    reg.cancel(made["gone"].registration, actor="t", by_participant=True)
    with freeze(event_a.starts_at + dt.timedelta(minutes=5)):
        for name in ("came", "late"):
            assert Browser().get(f"/j/{made[name].token}/").status_code < 400
    return made


@pytest.mark.parametrize(("segment", "expected"), [
    ("registered", {"came", "absent", "late"}), ("attended", {"came", "late"}),
    ("absent", {"absent"})])
def test_issue4_9_segments_reach_exactly_their_people(
        event_a: Any, people: dict[str, Any], segment: str, expected: set[str],
        django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        campaign = segments.create_campaign(event_a, segment=segment, actor="t", **TEXTS)
    campaign.refresh_from_db()  # the job ran after commit (immediate queue in tests)
    assert campaign.status == CampaignStatus.DONE
    assert (campaign.total, campaign.queued, campaign.skipped) == (len(expected),
                                                                    len(expected), 0)
    rows = OutboxMessage.objects.filter(kind="segment")
    reached = {people_name for people_name, made in people.items()
               if rows.filter(registration=made.registration).exists()}
    assert reached == expected and rows.count() == len(expected)


def test_issue4_9_each_recipient_in_their_language_once(event_a: Any,
                                                        people: dict[str, Any]) -> None:
    campaign = segments.create_campaign(event_a, segment="registered", actor="t", **TEXTS)
    segments.run(campaign.pk)  # run again: nothing more
    send_scheduled_messages.call_local()
    rows = list(OutboxMessage.objects.filter(kind="segment"))
    assert len(rows) == 3
    by_person = {r.registration_id: r for r in rows}
    english = by_person[people["came"].registration.pk]
    french = by_person[people["absent"].registration.pk]
    assert english.subject_line == "Thanks Came" and "the slides" in english.body
    assert french.subject_line == "Merci Absent" and "le support" in french.body
    assert english.unsubscribe_url and english.unsubscribe_url in english.body


def test_issue4_9_unsubscribed_people_are_skipped_and_counted(
        event_a: Any, people: dict[str, Any], django_capture_on_commit_callbacks: Any) -> None:
    unsubscribe(event_a.client_id, people["came"].registration.subject_id, channel="test")
    with django_capture_on_commit_callbacks(execute=True):
        campaign = segments.create_campaign(event_a, segment="registered", actor="t",
                                            **TEXTS)
    campaign.refresh_from_db()
    assert (campaign.total, campaign.queued, campaign.skipped) == (3, 2, 1)
    assert not OutboxMessage.objects.filter(kind="segment",
                                            registration=people["came"].registration).exists()


def test_issue4_9_batches_after_a_crash_reach_everyone_once(
        event_a: Any, people: dict[str, Any], django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=False):  # the doorbell is lost
        campaign = segments.create_campaign(event_a, segment="registered", actor="t",
                                            **TEXTS)
    assert segments.run_batch(campaign, batch=1) == 1  # one batch, then the worker died
    assert OutboxMessage.objects.filter(kind="segment").count() == 1
    send_scheduled_messages.call_local()  # the sweeper picks the campaign up again
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DONE and campaign.queued == 3
    assert OutboxMessage.objects.filter(kind="segment").count() == 3
    assert len({m.registration_id for m in OutboxMessage.objects.filter(kind="segment")}) == 3


def test_issue4_9_bad_placeholders_refused_per_language(event_a: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        segments.create_campaign(event_a, segment="everyone", actor="t",
                                 **{**TEXTS, "body_en": "{{ note }}", "subject_fr": "{{ x"})
    assert set(exc.value.message_dict) == {"segment", "body_en", "subject_fr"}
    assert not Campaign.objects.exists()
