"""Writes on subjects: find-or-create a person for a controller, and shred one (P6.8)."""

from __future__ import annotations

import uuid

from django.db import IntegrityError, transaction
from django.utils import timezone

from livesession.protection import crypto, keystore
from livesession.protection.models import Subject, controller_key_for


def subject_for_email(email: str, client_id: int | None) -> Subject:
    """The person behind ``email`` for that controller, with a data key ready."""
    controller = controller_key_for(client_id)
    index = crypto.email_index(email)
    subject = Subject.objects.filter(controller=controller, email_index=index).first()
    created = False
    if subject is None:
        try:
            with transaction.atomic():
                subject = Subject.objects.create(
                    controller=controller, client_id=client_id, email_index=index
                )
            created = True
        except IntegrityError:
            subject = Subject.objects.get(controller=controller, email_index=index)
    keystore.ensure_key(subject.id, controller, new_subject=created)
    return subject


def shred_subject(subject: Subject) -> None:
    """Destroy the person's data key: every encrypted copy, backups included, is unreadable."""
    keystore.destroy_key(subject.id)
    # Search tokens are keyed hashes of names: with the key gone they must go too, or a
    # shredded person could still be found by name (registry: Erase.DELETE_ROW).
    from django.apps import apps

    apps.get_model("registrations", "SearchToken").objects.filter(
        registration__subject_id=subject.id).delete()
    mark_shredded(subject.id)


def mark_shredded(subject_id: uuid.UUID) -> None:
    """The subject row's part of shredding: the keyed hash is replaced too, so nothing
    links the husk to the address any more and the same person may register again with a
    fresh key."""
    Subject.objects.filter(pk=subject_id).update(
        shredded_at=timezone.now(), email_index=f"shredded:{subject_id.hex}")
