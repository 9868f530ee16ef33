"""Retention services: the rules (seeded, shortened by a client), legal holds (P2.5, P3.8,
P4.4, P6.10; docs/retention.md). The purge itself is in ``retention.purge``."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from livesession.audit.services import record
from livesession.core.clock import now
from livesession.retention.categories import (
    CLIENT_ADJUSTABLE,
    PLATFORM_RULES,
    RULES_BY_CATEGORY,
)
from livesession.retention.models import ClientPeriod, LegalHold, RetentionRule

MAX_REASON = 2000


def ensure_rules() -> int:
    """Seed the platform rules (idempotent; run after every ``migrate`` by the app's
    post_migrate receiver). A rule whose bound changed in the code is updated to the code:
    the code is the policy's promise. A client period longer than a lowered bound is
    brought down to it. Returns the number of rows created or changed."""
    changed = 0
    with transaction.atomic():
        for rule in PLATFORM_RULES:
            values = {"trigger": str(rule.trigger), "period_days": rule.period_days,
                      "action": str(rule.action), "clause": rule.clause,
                      "applier": str(rule.applier)}
            row, created = RetentionRule.objects.get_or_create(category=rule.category,
                                                               defaults=values)
            if created:
                changed += 1
                continue
            if any(getattr(row, key) != value for key, value in values.items()):
                for key, value in values.items():
                    setattr(row, key, value)
                row.save()
                changed += 1
            ClientPeriod.objects.filter(category=rule.category,
                                        period_days__gt=rule.period_days).update(
                period_days=rule.period_days)
    return changed


def rules() -> list[RetentionRule]:
    ensure_rules_once()
    return list(RetentionRule.objects.all())


def ensure_rules_once() -> None:
    """Seed when rows are missing (a database flushed after its migrate, as in tests)."""
    if RetentionRule.objects.count() != len(PLATFORM_RULES):
        ensure_rules()


def bound(category: str) -> int:
    """The platform bound (days) of a category."""
    ensure_rules_once()
    row = RetentionRule.objects.filter(category=category).first()
    if row is None:
        return RULES_BY_CATEGORY[category].period_days
    return row.period_days


def period_for(category: str, client: Any = None) -> int:
    """The period (days) that applies to ``category`` for ``client`` (a Client, its id, or
    None for the platform's own data): the client's shorter period if it set one, else the
    platform bound. Raises KeyError for an unknown category."""
    if category not in RULES_BY_CATEGORY:
        raise KeyError(category)
    platform = bound(category)
    client_id = getattr(client, "pk", client)
    if client_id is None:
        return platform
    own = (ClientPeriod.objects.filter(client_id=client_id, category=category)
           .values_list("period_days", flat=True).first())
    return platform if own is None else min(own, platform)


def client_periods(client_id: int) -> dict[str, int]:
    return dict(ClientPeriod.objects.filter(client_id=client_id)
                .values_list("category", "period_days"))


def set_client_period(client: Any, category: str, period_days: int | None, *,
                      actor: str) -> int:
    """A client shortens the period of one of its categories (D-02), or goes back to the
    platform bound (``None``). Longer than the bound is refused with a message naming it;
    so is less than a day. Audited with the old and new periods. Returns the period."""
    if category not in CLIENT_ADJUSTABLE:
        raise ValidationError(_("This category's period cannot be changed by a client."))
    limit = bound(category)
    if period_days is not None:
        if period_days < 1:
            raise ValidationError(_("The period must be at least 1 day."))
        if period_days > limit:
            raise ValidationError(
                " ".join([
                    ngettext("%(days)s day is longer than the platform's bound for this "
                             "category.",
                             "%(days)s days is longer than the platform's bound for this "
                             "category.", period_days) % {"days": period_days},
                    ngettext("Choose %(bound)s day or fewer.", "Choose %(bound)s days or fewer.",
                             limit) % {"bound": limit}]))
    with transaction.atomic():
        old = (ClientPeriod.objects.filter(client=client, category=category)
               .values_list("period_days", flat=True).first())
        if period_days is None or period_days == limit:
            ClientPeriod.objects.filter(client=client, category=category).delete()
            new = limit
        else:
            ClientPeriod.objects.update_or_create(client=client, category=category,
                                                  defaults={"period_days": period_days})
            new = period_days
        if old != (None if new == limit else new):
            record(actor, "retention.period_changed", target=f"client:{client.pk}",
                   client_id=client.pk,
                   details={"category": category, "before": old if old is not None else limit,
                            "after": new, "bound": limit})
    return new


# --- Legal holds -----------------------------------------------------------------------

def active_holds(client_id: int | None = None) -> Any:
    rows = LegalHold.objects.filter(lifted_at__isnull=True)
    return rows.filter(client_id=client_id) if client_id is not None else rows


def is_held(client_id: int | None = None, event_id: Any = None,
            subject_id: Any = None) -> bool:
    """True if an active legal hold covers this scope. Asked about a whole client (only
    ``client_id``), any hold at that client counts: deleting all of a client's data would
    reach the held event or person too (contract end). Asked about one event or person, a
    hold on that event, that person, or the whole client counts. Every deleter asks first
    (P4.4: "unless law requires longer")."""
    rows = active_holds()
    if client_id is not None and event_id is None and subject_id is None:
        return bool(rows.filter(client_id=client_id).exists())
    q = Q()
    if client_id is not None:
        q |= Q(client_id=client_id, event__isnull=True, subject_id__isnull=True)
    if event_id is not None:
        q |= Q(event_id=event_id)
    if subject_id is not None:
        q |= Q(subject_id=subject_id)
    if not q:
        return False
    return bool(rows.filter(q).exists())


def _clean_reason(reason: str, message: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(message)
    if len(reason) > MAX_REASON:
        raise ValidationError(ngettext(
            "The reason is too long (%(max)s character at most).",
            "The reason is too long (%(max)s characters at most).", MAX_REASON)
            % {"max": MAX_REASON})
    return reason


def place_hold(client: Any, *, reason: str, actor: str, event: Any = None,
               subject_id: uuid.UUID | str | None = None) -> LegalHold:
    """Suspend deletion for a client, one of its events, or one of its people, for a named
    reason (refused without one). Audited (P4.4)."""
    reason = _clean_reason(reason, _("Name the reason for the hold (for example the legal "
                                     "proceedings or the authority's request)."))
    if event is not None and event.client_id != client.pk:
        raise ValidationError(_("This event does not belong to this client."))
    if subject_id is not None:
        from livesession.protection.models import Subject

        try:
            subject_id = uuid.UUID(str(subject_id))
        except ValueError as exc:
            raise ValidationError(_("The person identifier is not valid.")) from exc
        if not Subject.objects.filter(pk=subject_id, client=client).exists():
            raise ValidationError(_("No person with this identifier at this client."))
    with transaction.atomic():
        hold = LegalHold.objects.create(client=client, event=event, subject_id=subject_id,
                                        reason=reason, created_by=actor, created_at=now())
        record(actor, "retention.hold_placed", target=f"hold:{hold.pk}", client_id=client.pk,
               details={"scope": hold.scope,
                        "event": str(event.pk) if event is not None else "",
                        "subject": f"subject:{subject_id}" if subject_id else ""})
    return hold


def lift_hold(hold: LegalHold, *, reason: str, actor: str) -> LegalHold:
    """End a hold (with a reason); audited. Lifting a lifted hold is refused."""
    reason = _clean_reason(reason, _("Say why the hold ends."))
    if hold.lifted_at is not None:
        raise ValidationError(_("This hold was already lifted."))
    with transaction.atomic():
        hold.lifted_at = now()
        hold.lifted_by = actor
        hold.lift_reason = reason
        hold.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
        record(actor, "retention.hold_lifted", target=f"hold:{hold.pk}",
               client_id=hold.client_id, details={"scope": hold.scope})
    return hold
