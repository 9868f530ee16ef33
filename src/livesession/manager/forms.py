from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from livesession.events import zones
from livesession.events.models import Event, RoomKind

LOCAL_INPUT = "%Y-%m-%dT%H:%M"


class ZoneField(forms.ChoiceField):
    """A time zone from the grouped list (``events.zones``); any zone Python knows is
    accepted, so an event saved on an old alias saves again unchanged."""

    def valid_value(self, value: Any) -> bool:
        return zones.is_known(str(value))


class EventForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200,
                            error_messages={"required": _("Give the event a title.")})
    description = forms.CharField(label=_("Description"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 5}))
    time_zone = ZoneField(label=_("Time zone"), choices=zones.choices, initial="Europe/Paris")
    starts_at = forms.DateTimeField(
        label=_("Start"), input_formats=[LOCAL_INPUT],
        help_text=_("Date and time in the event's time zone."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_INPUT),
        error_messages={"invalid": _("Enter a date and time, such as 2026-12-01 14:00."),
                        "required": _("Enter when the event starts.")})
    ends_at = forms.DateTimeField(
        label=_("End"), input_formats=[LOCAL_INPUT],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_INPUT),
        error_messages={"invalid": _("Enter a date and time, such as 2026-12-01 15:00."),
                        "required": _("Enter when the event ends.")})
    # The provider (issue 4 §3); BigBlueButton and Jitsi need no address here: their
    # details are on the event's room page, checked by access.rooms when saved.
    room_kind = forms.ChoiceField(
        label=_("Room provider"), choices=RoomKind.choices, required=False,
        initial=RoomKind.EXTERNAL,
        help_text=_("BigBlueButton and Jitsi rooms are set on the event's room page."))
    room_url = forms.URLField(
        label=_("Room URL"), max_length=500, assume_scheme="https", required=False,
        help_text=_("The address of the live room (Zoom, Teams…), or of the stream for the "
                    "embedded player. Participants are sent there through their personal "
                    "link."),
        error_messages={"invalid": _("Enter a full address starting with https://."),
                        "required": _("Enter the address of the live room.")})
    # Registration settings (issue 3 §5): shown together in their own group.
    capacity = forms.IntegerField(
        label=_("Capacity (places)"), required=False, min_value=1, max_value=1_000_000,
        help_text=_("Leave empty for no limit."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "invalid": _("Give a whole number of places, such as 100, or leave it empty for "
                         "no limit."),
            "min_value": _("Give at least 1 place, or leave it empty for no limit."),
            "max_value": _("Give at most 1,000,000 places, or leave it empty for no limit."),
        })
    waitlist_enabled = forms.BooleanField(
        label=_("Waiting list when full"), required=False, initial=True,
        help_text=_("When every place is taken, new registrants wait in line and get a place, "
                    "in order, when someone cancels."))
    approval_required = forms.BooleanField(
        label=_("Approve each registration"), required=False,
        help_text=_("A registration holds a place only once you have approved it."))
    double_opt_in = forms.BooleanField(
        label=_("Confirm the email address first"), required=False,
        help_text=_("Registrants open a link sent to their address before their registration "
                    "counts (double opt-in)."))
    registration_deadline = forms.DateTimeField(
        label=_("Registration deadline"), required=False, input_formats=[LOCAL_INPUT],
        help_text=_("Date and time in the event's time zone. Leave empty to accept "
                    "registrations until the end of the event."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_INPUT),
        error_messages={"invalid": _("Enter a date and time, such as 2026-11-30 18:00.")})

    modification_deadline = forms.DateTimeField(
        label=_("Modification deadline"), required=False, input_formats=[LOCAL_INPUT],
        help_text=_("Until when participants may change their answers from their personal "
                    "space. Date and time in the event's time zone. Leave empty to allow "
                    "changes until the start."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_INPUT),
        error_messages={"invalid": _("Enter a date and time, such as 2026-11-30 18:00.")})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The zone shown (the event's, or the one just sent) is offered even when it is an
        # alias left out of the list.
        shown = self.data.get("time_zone") if self.is_bound else self.initial.get("time_zone")
        field: Any = self.fields["time_zone"]
        field.choices = zones.choices(current=[str(shown or "")])

    REGISTRATION_FIELDS = ("capacity", "waitlist_enabled", "approval_required",
                           "double_opt_in", "registration_deadline", "modification_deadline")

    @classmethod
    def for_event(cls, event: Event) -> EventForm:
        return cls(initial={
            "title": event.title, "description": event.description,
            "time_zone": event.time_zone, "room_url": event.room_url,
            "room_kind": event.room_kind,
            "starts_at": event.local_start().replace(tzinfo=None),
            "ends_at": event.local_end().replace(tzinfo=None),
            "capacity": event.capacity, "waitlist_enabled": event.waitlist_enabled,
            "approval_required": event.approval_required,
            "double_opt_in": event.double_opt_in,
            "registration_deadline": None if event.registration_deadline is None else
            event.registration_deadline.astimezone(zoneinfo.ZoneInfo(event.time_zone))
            .replace(tzinfo=None),
            "modification_deadline": None if event.modification_deadline is None else
            event.modification_deadline.astimezone(zoneinfo.ZoneInfo(event.time_zone))
            .replace(tzinfo=None),
        })

    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name not in self.REGISTRATION_FIELDS]

    def registration_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.REGISTRATION_FIELDS]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        tz_name = data.get("time_zone")
        if tz_name:
            tz = zoneinfo.ZoneInfo(tz_name)
            for name in ("starts_at", "ends_at", "registration_deadline",
                         "modification_deadline"):
                value = data.get(name)
                if isinstance(value, dt.datetime):
                    # The browser sends wall-clock time; it means that time in the chosen zone.
                    data[name] = value.replace(tzinfo=None).replace(tzinfo=tz)
        data["room_kind"] = data.get("room_kind") or RoomKind.EXTERNAL
        if data["room_kind"] in (RoomKind.EXTERNAL, RoomKind.EMBED) and not data.get("room_url") \
                and "room_url" not in self.errors:
            self.add_error("room_url", _("Enter the address of the live room."))
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The end must come after the start. "
                                        "Check the dates and times."))
        deadline = data.get("registration_deadline")
        if deadline and ends and deadline > ends:
            self.add_error("registration_deadline", _(
                "The registration deadline must come before the end of the event."))
        changes = data.get("modification_deadline")
        if changes and ends and changes > ends:
            self.add_error("modification_deadline", _(
                "The modification deadline must come before the end of the event."))
        return data


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=100,
                           help_text=_("What it is for, such as \"CRM sync\"."),
                           error_messages={"required": _("Name the token.")})
