"""Consent ledger writes and the current privacy notice version (P0.3, P1.3, P2.3, P7.5)."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import Any

from django.db import transaction
from django.utils import translation

from livesession.audit.services import record
from livesession.core.clock import now
from livesession.core.models import Client
from livesession.privacy.models import (
    ConsentAction,
    ConsentPurpose,
    ConsentRecord,
    NoticeVersion,
)
from livesession.protection.models import Subject

BUILTIN_PURPOSES = (
    (ConsentPurpose.NEWS,
     "Recevoir par e-mail les actualités et les prochains événements de l'organisateur.",
     "Receive the organizer's news and upcoming events by email."),
    (ConsentPurpose.ATTENDEE_LIST,
     "Apparaître (nom et prénom) dans la liste des participants visible des autres "
     "participants.",
     "Appear (first and last name) in the list of participants that other participants "
     "can see."),
)


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _notice_text(language: str) -> str:
    from django.template.loader import render_to_string

    from livesession.protection.registry import register_of_processing

    with translation.override(language):
        return render_to_string("portal/privacy_text.txt", {"rows": register_of_processing()})


@lru_cache(maxsize=1)
def _current_texts() -> tuple[str, str, str]:
    text_fr, text_en = _notice_text("fr"), _notice_text("en")
    return digest(text_fr + "\n---\n" + text_en), text_fr, text_en


def current_notice() -> NoticeVersion:
    """The notice in force; a new version row appears whenever its text changes."""
    key, text_fr, text_en = _current_texts()
    notice, _created = NoticeVersion.objects.get_or_create(
        digest=key, defaults={"text_fr": text_fr, "text_en": text_en})
    return notice


def ensure_builtin_purposes(client: Client) -> None:
    for position, (key, label_fr, label_en) in enumerate(BUILTIN_PURPOSES):
        ConsentPurpose.objects.get_or_create(
            client=client, key=key,
            defaults={"label_fr": label_fr, "label_en": label_en, "position": position})


def purposes_for(client: Client) -> list[ConsentPurpose]:
    """One query on the hot path; the built-in purposes are created on first use."""
    rows = list(ConsentPurpose.objects.filter(client=client))
    if not rows:
        ensure_builtin_purposes(client)
        rows = list(ConsentPurpose.objects.filter(client=client))
    return [row for row in rows if row.active]


@transaction.atomic
def add_purpose(client: Client, key: str, label_fr: str, label_en: str, *,
                actor: str) -> ConsentPurpose:
    from django.core.exceptions import ValidationError
    from django.utils.text import slugify
    from django.utils.translation import gettext as _

    from livesession.protection.sensitive import validate_field_texts

    errors = {}
    if not label_fr.strip():
        errors["label_fr"] = _("Write the purpose in French.")
    if not label_en.strip():
        errors["label_en"] = _("Write the purpose in English.")
    slug = slugify(key or label_en)[:50]
    if ConsentPurpose.objects.filter(client=client, key=slug).exists():
        errors["key"] = _("A purpose with this key exists already. Choose another key.")
    if errors:
        raise ValidationError(errors)
    validate_field_texts(label_fr, label_en)
    purpose = ConsentPurpose.objects.create(
        client=client, key=slug, label_fr=label_fr.strip(), label_en=label_en.strip(),
        position=ConsentPurpose.objects.filter(client=client).count())
    record(actor, "consent_purpose.created", target=f"consent_purpose:{purpose.pk}",
           client_id=client.pk)
    return purpose


def record_consent(*, client_id: int, subject: Subject, purpose: ConsentPurpose, given: bool,
                   language: str, channel: str, registration_id: Any = None) -> ConsentRecord:
    """Append one consent action with the hash of the exact text shown (P1.3)."""
    return ConsentRecord.objects.create(
        client_id=client_id, subject=subject, purpose=purpose,
        registration_id=registration_id,
        action=ConsentAction.GIVEN if given else ConsentAction.WITHDRAWN,
        text_digest=digest(purpose.label(language)), language=language, channel=channel,
        at=now(),
    )


def current_consents(client_id: int, subject_id: Any) -> dict[str, bool]:
    """Purpose key -> whether consent stands now (the latest action wins)."""
    state: dict[str, bool] = {}
    rows = (ConsentRecord.objects.filter(client_id=client_id, subject_id=subject_id)
            .select_related("purpose").order_by("at", "id"))
    for row in rows:
        state[row.purpose.key] = row.action == ConsentAction.GIVEN
    return state


@transaction.atomic
def withdraw(*, client_id: int, subject: Subject, purpose_key: str, language: str,
             channel: str, actor: str) -> bool:
    """Withdrawal takes effect at once (P7.5); returns False when nothing stood."""
    if not current_consents(client_id, subject.pk).get(purpose_key):
        return False
    purpose = ConsentPurpose.objects.get(client_id=client_id, key=purpose_key)
    record_consent(client_id=client_id, subject=subject, purpose=purpose, given=False,
                   language=language, channel=channel)
    record(actor, "consent.withdrawn", target=f"subject:{subject.pk}", client_id=client_id,
           details={"purpose": purpose_key})
    return True


@transaction.atomic
def deactivate_purpose(purpose: ConsentPurpose, *, actor: str) -> ConsentPurpose:
    """Stop offering a purpose on registration forms (P2.3). Consents already given stay in
    the ledger (P1.3), and a participant can still withdraw them."""
    if purpose.active:
        purpose.active = False
        purpose.save(update_fields=["active"])
        record(actor, "consent_purpose.deactivated", target=f"consent_purpose:{purpose.pk}",
               client_id=purpose.client_id)
    return purpose


@transaction.atomic
def reactivate_purpose(purpose: ConsentPurpose, *, actor: str) -> ConsentPurpose:
    """Offer a deactivated purpose again, with its same texts."""
    if not purpose.active:
        purpose.active = True
        purpose.save(update_fields=["active"])
        record(actor, "consent_purpose.reactivated", target=f"consent_purpose:{purpose.pk}",
               client_id=purpose.client_id)
    return purpose
