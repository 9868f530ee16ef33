from django.utils.translation import gettext_lazy as _

from livesession.events.models import Event
from livesession.protection.registry import Basis, Controller, Erase, Personal, declare

declare(
    Event,
    personal={
        "created_by": Personal(Controller.CLIENT, _("know who created an event"),
                               Basis.LEGITIMATE_INTEREST, _("event lifetime"), Erase.CLEAR),
    },
    not_personal=["id", "client", "title", "description", "starts_at", "ends_at", "time_zone",
                  "room_url", "opens_minutes_before", "status", "created_at", "published_at",
                  "capacity", "seats_taken", "waitlist_enabled", "approval_required",
                  "double_opt_in", "registration_deadline", "form_scope", "session_mode",
                  "reminder_offsets", "followup_enabled", "room_kind", "room_config",
                  "room_secret_enc", "replay_url", "replay_expires_at", "one_device_only",
                  "modification_deadline"],
)

from livesession.events.models import Session  # noqa: E402

declare(Session, not_personal=["id", "event", "client", "title", "starts_at", "ends_at",
                               "room_url", "capacity", "seats_taken", "created_at",
                               "room_kind", "room_config", "room_secret_enc", "replay_url",
                               "replay_expires_at"])
