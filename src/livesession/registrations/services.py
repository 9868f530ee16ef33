"""``register``: the one way a registration is written (pages, API, CLI call it)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from livesession.access import services as access
from livesession.audit.services import record
from livesession.events.models import Event
from livesession.messaging.services import queue_email
from livesession.protection.crypto import email_index, normalize_email
from livesession.protection.services import subject_for_email
from livesession.registrations.models import Registration

MAX_NAME = 150


class RegistrationClosed(Exception):
    """The event is not published, or already over."""


class AlreadyRegistered(Exception):
    def __init__(self, registration: Registration) -> None:
        super().__init__("already registered")
        self.registration = registration


@dataclass(frozen=True)
class Registered:
    registration: Registration
    token: str


def clean_registration(email: str, first_name: str, last_name: str) -> dict[str, str]:
    """Field errors named and explained; nothing is stored before they are fixed (P0.3)."""
    errors: dict[str, str] = {}
    email = normalize_email(email or "")
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = _("Enter a valid email address, such as name@example.org.")
    cleaned = {"email": email}
    for field, value in (("first_name", first_name), ("last_name", last_name)):
        value = (value or "").strip()
        if not value:
            errors[field] = _("This field is required.")
        elif len(value) > MAX_NAME:
            errors[field] = _("Use at most %(max)d characters.") % {"max": MAX_NAME}
        cleaned[field] = value
    if errors:
        raise ValidationError(errors)
    return cleaned


def register(event: Event, *, email: str, first_name: str, last_name: str,
             language: str = "fr", actor: str = "public") -> Registered:
    """Register a participant, issue the personal link and queue the confirmation, all in
    one transaction (P0.1, P1.3). The client is the controller of these fields (P0.2)."""
    data = clean_registration(email, first_name, last_name)
    if not event.accepts_registrations:
        raise RegistrationClosed(str(event.pk))
    index = email_index(data["email"])
    existing = Registration.objects.filter(event=event, email_index=index).first()
    if existing is not None:
        raise AlreadyRegistered(existing)
    subject = subject_for_email(data["email"], event.client_id)
    try:
        with transaction.atomic():
            registration = Registration(client_id=event.client_id, event=event, subject=subject,
                                        email_index=index, language=language)
            registration.email = data["email"]
            registration.first_name = data["first_name"]
            registration.last_name = data["last_name"]
            registration.save()
            token = access.issue_link(registration)
            _queue_confirmation(registration, event, token)
            record(actor, "registration.created", target=f"registration:{registration.pk}",
                   client_id=event.client_id, details={"event": str(event.pk)})
    except IntegrityError as exc:
        # A concurrent submit of the same address won the unique constraint.
        existing = Registration.objects.filter(event=event, email_index=index).first()
        if existing is None:
            raise
        raise AlreadyRegistered(existing) from exc
    return Registered(registration=registration, token=token)


@transaction.atomic
def send_link_again(registration: Registration, *, actor: str = "public") -> None:
    """Mail the current personal link to the registered address only. Pages answer the same
    whether or not an address is registered, so nobody learns who is (issue 4)."""
    token = access.current_token(registration)
    if token is None:
        return
    _queue_confirmation(registration, registration.event, token)
    record(actor, "registration.link_resent", target=f"registration:{registration.pk}",
           client_id=registration.client_id)


def _queue_confirmation(registration: Registration, event: Event, token: str) -> None:
    with translation.override(registration.language):
        context = {
            "first_name": registration.first_name,
            "event": event,
            "start": event.local_start(),
            "end": event.local_end(),
            "link": access.link_url(token),
        }
        subject_line = _("Your registration: %(title)s") % {"title": event.title}
        body = render_to_string("emails/confirmation.txt", context)
    queue_email(subject=registration.subject, to=registration.email, subject_line=subject_line,
                body=body, kind="registration.confirmation", client_id=event.client_id)
