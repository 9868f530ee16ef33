from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from livesession.events.models import Event, time_zone_choices

LOCAL_INPUT = "%Y-%m-%dT%H:%M"


class EventForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200,
                            error_messages={"required": _("Give the event a title.")})
    description = forms.CharField(label=_("Description"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 5}))
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=time_zone_choices,
                                  initial="Europe/Paris")
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
    room_url = forms.URLField(
        label=_("Room URL"), max_length=500, assume_scheme="https",
        help_text=_("The address of the live room (Zoom, Teams, BigBlueButton…). Participants "
                    "are sent there through their personal link."),
        error_messages={"invalid": _("Enter a full address starting with https://."),
                        "required": _("Enter the address of the live room.")})

    @classmethod
    def for_event(cls, event: Event) -> EventForm:
        return cls(initial={
            "title": event.title, "description": event.description,
            "time_zone": event.time_zone, "room_url": event.room_url,
            "starts_at": event.local_start().replace(tzinfo=None),
            "ends_at": event.local_end().replace(tzinfo=None),
        })

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        tz_name = data.get("time_zone")
        if tz_name:
            tz = zoneinfo.ZoneInfo(tz_name)
            for name in ("starts_at", "ends_at"):
                value = data.get(name)
                if isinstance(value, dt.datetime):
                    # The browser sends wall-clock time; it means that time in the chosen zone.
                    data[name] = value.replace(tzinfo=None).replace(tzinfo=tz)
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The end must come after the start. "
                                        "Check the dates and times."))
        return data


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=100,
                           help_text=_("What it is for, such as \"CRM sync\"."),
                           error_messages={"required": _("Name the token.")})
