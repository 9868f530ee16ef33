"""Messages from the organizer to a segment of an event (issue 4 §7, §9).

Segments, among the event's confirmed registrations: ``registered`` (all of them),
``attended`` (an attendance recorded), ``absent`` (none). The campaign row is written with
its texts in both languages; a background job fans it out in batches, each recipient
through ``once.send_once`` (key ``segment:<id>``): exactly once per person even if the job
runs twice or the worker dies between batches. Unsubscribed people, shredded addresses and
revoked links are skipped and counted. People whose processing is restricted (GDPR art. 18,
R-10) are not in any segment: they are neither sent to nor counted.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from livesession.access.models import Attendance
from livesession.audit.services import record
from livesession.core import tasks
from livesession.core.clock import now
from livesession.events.models import Event
from livesession.messaging import compose, templating
from livesession.messaging.models import (
    Campaign,
    CampaignStatus,
    MessageKind,
    MessageOnce,
    Segment,
)
from livesession.messaging.once import send_once
from livesession.protection import keystore, restriction
from livesession.registrations.models import Registration, RegistrationStatus

BATCH = 200


def key_of(campaign: Campaign) -> str:
    return f"segment:{campaign.pk}"


def recipients(event: Event, segment: str) -> QuerySet[Registration]:
    rows = restriction.exclude_restricted(Registration.objects.filter(
        client_id=event.client_id, event=event, status=RegistrationStatus.CONFIRMED))
    came = Attendance.objects.filter(registration_id__in=rows.values("pk")).values(
        "registration_id")
    if segment == Segment.ATTENDED:
        return rows.filter(pk__in=came)
    if segment == Segment.ABSENT:
        return rows.exclude(pk__in=came)
    return rows


def create_campaign(event: Event, *, segment: str, subject_fr: str, body_fr: str,
                    subject_en: str, body_en: str, actor: str) -> Campaign:
    """Check both versions (placeholders of the ``segment`` kind), store the campaign and
    ring the job after commit. Raises ValidationError keyed by field."""
    errors: dict[str, list[str]] = {}
    if segment not in Segment.values:
        errors["segment"] = [_("Choose registered, attended or absent.")]
    texts = {"subject_fr": subject_fr.strip(), "body_fr": body_fr.replace("\r\n", "\n"),
             "subject_en": subject_en.strip(), "body_en": body_en.replace("\r\n", "\n")}
    for language in ("fr", "en"):
        try:
            templating.validate(MessageKind.SEGMENT, texts[f"subject_{language}"],
                                texts[f"body_{language}"])
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(f"{field}_{language}", []).extend(messages)
        if len(texts[f"subject_{language}"]) > 200:
            errors.setdefault(f"subject_{language}", []).append(_("At most 200 characters."))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        campaign = Campaign.objects.create(client_id=event.client_id, event=event,
                                           segment=segment, created_by=actor, **texts)
        record(actor, "campaign.created", target=f"campaign:{campaign.pk}",
               client_id=event.client_id,
               details={"event": str(event.pk), "segment": segment})
        from livesession.messaging.jobs import run_campaign

        tasks.enqueue_on_commit(run_campaign, campaign.pk)
    return campaign


def _wording(campaign: Campaign, registration: Registration) -> tuple[str, str]:
    if compose.language_of(registration) == "en":
        return campaign.subject_en, campaign.body_en
    return campaign.subject_fr, campaign.body_fr


def refresh_counts(campaign: Campaign) -> None:
    done = MessageOnce.objects.filter(client_id=campaign.client_id, key=key_of(campaign))
    campaign.queued = done.filter(outbox__isnull=False).count()
    campaign.skipped = done.filter(outbox__isnull=True).count()


def run_batch(campaign: Campaign, *, batch: int = BATCH) -> int:
    """Send to the next ``batch`` recipients not yet reached; returns how many were
    considered (0: the campaign is done)."""
    key = key_of(campaign)
    done = MessageOnce.objects.filter(client_id=campaign.client_id, key=key).values(
        "registration_id")
    chunk = list(recipients(campaign.event, campaign.segment).exclude(pk__in=done)
                 .select_related("event__client").order_by("pk")[:batch])
    with keystore.unit_of_work():
        keystore.preload({r.subject_id for r in chunk})
        for registration in chunk:
            send_once(registration, key, MessageKind.SEGMENT, outbox_kind="segment",
                      wording=_wording(campaign, registration))
    return len(chunk)


def run(campaign_id: int, *, batch: int = BATCH) -> Campaign | None:
    """Fan the campaign out to the end; safe to run twice, or after a crash."""
    campaign = Campaign.objects.select_related("event").filter(pk=campaign_id).first()
    if campaign is None or campaign.status == CampaignStatus.DONE:
        return campaign
    if campaign.status == CampaignStatus.QUEUED:
        # The segment is fixed when the fan-out starts: its size is the progress's total.
        campaign.total = recipients(campaign.event, campaign.segment).count()
        campaign.status = CampaignStatus.RUNNING
        campaign.save(update_fields=["total", "status"])
    while run_batch(campaign, batch=batch):
        refresh_counts(campaign)
        campaign.save(update_fields=["queued", "skipped"])
    refresh_counts(campaign)
    campaign.status = CampaignStatus.DONE
    campaign.finished_at = now()
    campaign.total = max(campaign.total, campaign.queued + campaign.skipped)
    campaign.save(update_fields=["queued", "skipped", "status", "finished_at", "total"])
    return campaign


def unfinished() -> list[int]:
    return list(Campaign.objects.exclude(status=CampaignStatus.DONE).values_list("pk",
                                                                                 flat=True))


def progress(campaign: Campaign) -> dict[str, Any]:
    return {"total": campaign.total, "queued": campaign.queued, "skipped": campaign.skipped,
            "status": campaign.status}
