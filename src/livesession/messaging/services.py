"""Queue an email in the caller's transaction (delivery.py sends it from the worker)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from livesession.audit.services import record, record_change
from livesession.core.clock import now
from livesession.core.models import Client
from livesession.events.models import Event
from livesession.messaging.models import Language, MessageTemplate, OutboxMessage
from livesession.protection.models import Subject

if TYPE_CHECKING:
    from livesession.registrations.models import Registration


class Attachment(NamedTuple):
    """One text attachment: file name, MIME type ("text/calendar"), content."""

    name: str
    type: str
    content: str


def queue_email(*, subject: Subject, to: str, subject_line: str, body: str, kind: str,
                client_id: int | None, registration: Registration | None = None,
                event: Event | None = None, unsubscribe_url: str = "",
                attachment: Attachment | None = None) -> OutboxMessage | None:
    """Write the message row; must run inside the transaction of the change that causes it,
    so a rolled-back change sends nothing (DESIGN rule 5). ``registration``/``event`` let the
    organizer see the message's status; ``unsubscribe_url`` (non-transactional messages)
    becomes the List-Unsubscribe header; ``attachment`` is sent as a MIME part.

    Returns None, writing nothing, when the person's processing is restricted (GDPR art. 18,
    protection/restriction.py) and ``kind`` is not one a restricted person still receives
    (the restriction notice, account security mails, the request desk's messages)."""
    from livesession.core import tasks
    from livesession.messaging.jobs import deliver
    from livesession.protection import restriction

    if not restriction.may_message(subject.pk, kind):
        return None
    # A client whose contract ended gets no message but the contract's own (issue 6 §2).
    from livesession.contracts.guard import may_message as contract_may_message

    if not contract_may_message(client_id, kind):
        return None

    message = OutboxMessage(subject=subject, kind=kind, client_id=client_id,
                            registration=registration, event=event, next_attempt_at=now())
    message.to = to
    # A header is one line: a line break (say, from an event title) would make every build
    # of this message fail.
    message.subject_line = " ".join(subject_line.split())
    message.body = body
    message.unsubscribe_url = unsubscribe_url
    if attachment is not None:
        message.attachment_name = attachment.name
        message.attachment_type = attachment.type
        message.attachment = attachment.content
    message.save()
    tasks.enqueue_on_commit(deliver, message.pk)
    return message


# --- organizer writes: templates, reminder settings (issue 4 §7) ----------------------------

def save_template(client: Client, kind: str, language: str, *, subject: str, body: str,
                  actor: str) -> MessageTemplate:
    """Create or replace the client's wording of ``kind`` in ``language``. Raises
    ValidationError naming unknown placeholders and stray braces; stores nothing then."""
    from livesession.messaging import templating

    if language not in Language.values:
        raise ValidationError({"language": [_("French or English only.")]})
    subject = subject.strip()
    body = body.replace("\r\n", "\n").strip()
    templating.validate(kind, subject, body)
    if len(subject) > 200:
        raise ValidationError({"subject": [_("At most 200 characters.")]})
    with transaction.atomic():
        stored = MessageTemplate.objects.filter(client=client, kind=kind, language=language)
        before: dict[str, Any] = dict(stored.values("subject", "body").first() or {})
        row, _created = MessageTemplate.objects.update_or_create(
            client=client, kind=kind, language=language,
            defaults={"subject": subject, "body": body})
        # The wording is the client's: its diff shows digests, not the text (P3.4, P6.6).
        record_change(actor, "message_template.saved", before,
                      {"subject": subject, "body": body},
                      target=f"message_template:{row.pk}", client_id=client.pk,
                      opaque=("subject", "body"), details={"kind": kind, "language": language})
    return row


def reset_template(client: Client, kind: str, language: str, *, actor: str) -> bool:
    """Back to the built-in wording; True when the client had its own."""
    with transaction.atomic():
        deleted, _rows = MessageTemplate.objects.filter(client=client, kind=kind,
                                                        language=language).delete()
        if deleted:
            record(actor, "message_template.reset", client_id=client.pk,
                   details={"kind": kind, "language": language})
    return bool(deleted)


MAX_OFFSET_MINUTES = 60 * 24 * 30


def set_message_settings(event: Event, *, reminder_offsets: list[int],
                         followup_enabled: bool, actor: str) -> Event:
    """Reminder offsets (minutes before each start) and the follow-up switch of an event."""
    offsets = sorted({int(v) for v in reminder_offsets}, reverse=True)
    if len(offsets) > 5 or any(v < 5 or v > MAX_OFFSET_MINUTES for v in offsets):
        raise ValidationError({"reminder_offsets": [_(
            "Up to five reminders, each between 5 minutes and 30 days before the start.")]})
    with transaction.atomic():
        event.reminder_offsets = offsets
        event.followup_enabled = followup_enabled
        event.save(update_fields=["reminder_offsets", "followup_enabled"])
        record(actor, "event.messages_set", target=f"event:{event.pk}",
               client_id=event.client_id,
               details={"reminder_offsets": offsets, "followup_enabled": followup_enabled})
    return event
