"""Restriction of processing (GDPR art. 18, R-10; policy P4.1 "limitation").

A restricted person's data is only *stored*: no message but the notice of the restriction
(and the account's security mails), no place in exports, attendee lists, message segments,
reminders or statistics. The flag lives on ``protection.Subject`` (one person at one
controller: the platform account, or the participant at one organizer), so restricting at one
organizer leaves the others untouched.

Every write goes through :func:`restrict` and :func:`lift`: one transaction, one audit entry
per subject that changed (pseudonymous: ``subject:<uuid>``), the notice queued in the same
transaction. Readers ask :func:`is_restricted`, :func:`restricted_ids` or filter their query
sets with :func:`exclude_restricted`.

Messages: ``messaging.services.queue_email`` asks :func:`may_message` and *skips* (returns
``None``, writes nothing) a message to a restricted subject whose kind is not in
:data:`ALLOWED_KINDS` (or starts with one of :data:`ALLOWED_PREFIXES`). Callers never crash;
the ones that care read the ``None``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any, TypeVar

from django.conf import settings
from django.db import models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from livesession.audit.services import record
from livesession.core.clock import now
from livesession.protection.models import Subject

SOURCES = ("space", "desk", "manager", "api")

NOTICE_KIND = "restriction.notice"
LIFTED_KIND = "restriction.lifted"

# What a restricted person may still receive: the notices of the restriction itself and the
# mails that keep their account safe and reachable (password reset, "that was not me",
# lock-out, password changed, address verification).
ALLOWED_KINDS = frozenset({
    NOTICE_KIND, LIFTED_KIND,
    "account.reset", "account.not_me", "account.password_changed", "account.locked",
    "account.verify", "account.exists",
    # A breach notice (GDPR art. 34, P5.1) reaches every person concerned, restricted or not.
    "breach.participant",
})
# Kinds by prefix: the request desk's messages (one-time codes, answers to the person's own
# rights requests) must reach a restricted person, who may be asking to lift it.
ALLOWED_PREFIXES = ("desk.",)

QS = TypeVar("QS", bound=models.QuerySet[Any])


class UnknownSource(ValueError):
    pass


def as_ids(subject_ids: Iterable[uuid.UUID | str]) -> set[uuid.UUID]:
    return {s if isinstance(s, uuid.UUID) else uuid.UUID(str(s)) for s in subject_ids}


def _check(source: str) -> None:
    if source not in SOURCES:
        raise UnknownSource(f"unknown source {source!r}; one of {', '.join(SOURCES)}")


def restrict(subject_ids: Iterable[uuid.UUID], *, actor: str, source: str) -> int:
    """Restrict processing for these subjects; returns how many changed (already restricted
    and erased subjects are left as they are). Audited; the person is sent the notice."""
    _check(source)
    ids = as_ids(subject_ids)
    with transaction.atomic():
        subjects = list(Subject.objects.select_for_update().filter(
            pk__in=ids, restricted_at__isnull=True, shredded_at__isnull=True).order_by("pk"))
        at = now()
        for subject in subjects:
            Subject.objects.filter(pk=subject.pk).update(restricted_at=at,
                                                         restricted_source=source)
            subject.restricted_at, subject.restricted_source = at, source
            record(actor, "subject.restricted", target=f"subject:{subject.pk}",
                   client_id=subject.client_id, details={"source": source})
            _notify(subject, NOTICE_KIND)
    return len(subjects)


def lift(subject_ids: Iterable[uuid.UUID], *, actor: str, source: str) -> int:
    """Lift the restriction; returns how many changed. Audited; the person is told (art.
    18(3)), in the same transaction."""
    _check(source)
    ids = as_ids(subject_ids)
    with transaction.atomic():
        subjects = list(Subject.objects.select_for_update().filter(
            pk__in=ids, restricted_at__isnull=False).order_by("pk"))
        for subject in subjects:
            Subject.objects.filter(pk=subject.pk).update(restricted_at=None,
                                                         restricted_source="")
            subject.restricted_at, subject.restricted_source = None, ""
            record(actor, "subject.restriction_lifted", target=f"subject:{subject.pk}",
                   client_id=subject.client_id, details={"source": source})
            if subject.shredded_at is None:
                _notify(subject, LIFTED_KIND)
    return len(subjects)


class ProcessingRestricted(Exception):
    """An action that would process a restricted person's data (anything but storage)."""


def ensure_not_restricted(subject_id: uuid.UUID | str | None) -> None:
    """Services call this before an action that processes the person's data (R-10)."""
    if is_restricted(subject_id):
        raise ProcessingRestricted(str(subject_id))


def is_restricted(subject_id: uuid.UUID | str | None) -> bool:
    if subject_id is None:
        return False
    return Subject.objects.filter(pk=subject_id, restricted_at__isnull=False).exists()


def restricted_ids(subject_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    """The restricted ones among ``subject_ids``."""
    ids = as_ids(subject_ids)
    if not ids:
        return set()
    return set(Subject.objects.filter(pk__in=ids, restricted_at__isnull=False)
               .values_list("pk", flat=True))


def exclude_restricted(qs: QS, field: str = "subject") -> QS:
    """``qs`` without the rows whose ``field`` (a path to a Subject) is restricted:
    ``exclude_restricted(Registration.objects.all())``,
    ``exclude_restricted(Attendance.objects.all(), "registration__subject")``."""
    return qs.exclude(**{f"{field}__restricted_at__isnull": False})


def may_message(subject_id: uuid.UUID | str | None, kind: str) -> bool:
    """False when ``subject_id`` is restricted and ``kind`` is not allowed to reach them."""
    if kind in ALLOWED_KINDS or kind.startswith(ALLOWED_PREFIXES):
        return True
    return not is_restricted(subject_id)


# --- the notice --------------------------------------------------------------------------

def _address(subject: Subject) -> tuple[str, str, str, int | None] | None:
    """(email, language, controller name, client id) of the person, or None."""
    if subject.client_id is None:
        from livesession.accounts.models import User

        user = User.objects.filter(subject=subject).first()
        if user is None or not user.email:
            return None
        return user.email, user.language or settings.LANGUAGE_CODE, \
            settings.PLATFORM_OPERATOR_NAME, None
    from livesession.core.models import Client
    from livesession.registrations.models import Registration

    client = Client.objects.get(pk=subject.client_id)
    for registration in Registration.objects.filter(subject=subject).order_by("-created_at"):
        if registration.email:
            return registration.email, registration.language, client.name, client.pk
    return None


def _notify(subject: Subject, kind: str) -> None:
    from livesession.messaging.services import queue_email

    found = _address(subject)
    if found is None:
        return
    email, language, controller, client_id = found
    with translation.override(language):
        template = ("emails/restriction_notice.txt" if kind == NOTICE_KIND
                    else "emails/restriction_lifted.txt")
        body = render_to_string(template, {
            "controller": controller,
            "choices_link": settings.SITE_URL + reverse("accounts:choices"),
        })
        line = (_("Processing of your data is restricted: %(name)s") if kind == NOTICE_KIND
                else _("The restriction of your data is lifted: %(name)s")) % {
                    "name": controller}
    queue_email(subject=subject, to=email, subject_line=line, body=body, kind=kind,
                client_id=client_id)
