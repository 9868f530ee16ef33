"""Objection to a purpose (GDPR art. 21, R-11; policy P4.1 "opposition").

Objectable purposes (``protection.models.ObjectionPurpose``), both processed on the
organizer's (or the operator's) legitimate interest:

- ``statistics``: attendance statistics, analytics and peer comparison. An objector's rows
  leave the statistics input at once (access/reports.py).
- ``reminders``: the reminders before a session starts (messaging/reminders.py). The
  confirmation, the access link and changes to the event are part of the registration itself
  and cannot be objected to; follow-ups and segment messages have their own unsubscribe link.

An objection is per subject (one person at one controller). Storage is a history
(``protection.Objection``): one open row per purpose at most; withdrawing closes it, objecting
again opens a new one. Every change is audited (``subject:<uuid>``, the purpose, the source).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.db import IntegrityError, transaction

from livesession.audit.services import record
from livesession.core.clock import now
from livesession.protection.models import Objection, ObjectionPurpose, Subject
from livesession.protection.restriction import SOURCES, UnknownSource, as_ids

PURPOSES = tuple(ObjectionPurpose.values)


class UnknownPurpose(ValueError):
    pass


def _check(purpose: str, source: str) -> None:
    if purpose not in PURPOSES:
        raise UnknownPurpose(f"unknown purpose {purpose!r}; one of {', '.join(PURPOSES)}")
    if source not in SOURCES:
        raise UnknownSource(f"unknown source {source!r}; one of {', '.join(SOURCES)}")


def object_to(subject_ids: Iterable[uuid.UUID], purpose: str, *, actor: str,
              source: str) -> int:
    """Record an objection to ``purpose`` for these subjects; returns how many changed
    (subjects who already object, and erased ones, are left as they are)."""
    _check(purpose, source)
    ids = as_ids(subject_ids)
    changed = 0
    with transaction.atomic():
        subjects = list(Subject.objects.select_for_update().filter(
            pk__in=ids, shredded_at__isnull=True).order_by("pk"))
        open_ = objecting_ids([s.pk for s in subjects], purpose)
        at = now()
        for subject in subjects:
            if subject.pk in open_:
                continue
            try:
                with transaction.atomic():
                    Objection.objects.create(subject=subject, purpose=purpose,
                                             objected_at=at, objected_source=source)
            except IntegrityError:  # another request opened it a moment ago
                continue
            record(actor, "subject.objected", target=f"subject:{subject.pk}",
                   client_id=subject.client_id, details={"purpose": purpose, "source": source})
            changed += 1
    return changed


def withdraw_objection(subject_ids: Iterable[uuid.UUID], purpose: str, *, actor: str,
                       source: str) -> int:
    """Withdraw the open objection to ``purpose``; returns how many changed."""
    _check(purpose, source)
    ids = as_ids(subject_ids)
    changed = 0
    with transaction.atomic():
        rows = list(Objection.objects.select_for_update().filter(
            subject_id__in=ids, purpose=purpose, withdrawn_at__isnull=True)
            .select_related("subject").order_by("subject_id"))
        at = now()
        for row in rows:
            row.withdrawn_at, row.withdrawn_source = at, source
            row.save(update_fields=["withdrawn_at", "withdrawn_source"])
            record(actor, "subject.objection_withdrawn", target=f"subject:{row.subject_id}",
                   client_id=row.subject.client_id,
                   details={"purpose": purpose, "source": source})
            changed += 1
    return changed


def objects_to(subject_id: uuid.UUID | str | None, purpose: str) -> bool:
    if subject_id is None:
        return False
    return Objection.objects.filter(subject_id=subject_id, purpose=purpose,
                                    withdrawn_at__isnull=True).exists()


def objecting_ids(subject_ids: Iterable[uuid.UUID], purpose: str) -> set[uuid.UUID]:
    """The subjects among ``subject_ids`` who object to ``purpose`` now."""
    ids = as_ids(subject_ids)
    if not ids:
        return set()
    return set(Objection.objects.filter(subject_id__in=ids, purpose=purpose,
                                        withdrawn_at__isnull=True)
               .values_list("subject_id", flat=True))


def objecting_filter(purpose: str, field: str = "subject") -> dict[str, object]:
    """Keyword arguments for ``qs.exclude(**objecting_filter("statistics"))``: leaves out the
    rows whose ``field`` (a path to a Subject) objects to ``purpose`` now."""
    return {f"{field}__in": Objection.objects.filter(
        purpose=purpose, withdrawn_at__isnull=True).values("subject_id")}


# --- consent given again (the ledger is privacy's; withdrawal is privacy.services.withdraw) --

def give_consent(*, client_id: int, subject: Subject, purpose_key: str, language: str,
                 channel: str, actor: str) -> bool:
    """Consent given again to an active purpose of the organizer, from the personal space
    (P2.3, P7.5: as easy to give as to withdraw). Appends to the ledger with the digest of
    the text shown in ``language``; audited. False when it already stands, or the purpose
    is unknown or no longer offered."""
    from livesession.privacy.models import ConsentPurpose
    from livesession.privacy.services import current_consents, record_consent

    with transaction.atomic():
        purpose = ConsentPurpose.objects.filter(client_id=client_id, key=purpose_key,
                                                active=True).first()
        if purpose is None or current_consents(client_id, subject.pk).get(purpose_key):
            return False
        record_consent(client_id=client_id, subject=subject, purpose=purpose, given=True,
                       language=language, channel=channel)
        record(actor, "consent.given", target=f"subject:{subject.pk}", client_id=client_id,
               details={"purpose": purpose_key, "channel": channel})
    return True
