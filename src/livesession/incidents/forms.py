"""The console's form to record an incident by hand (source "staff")."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from livesession.core.models import Client
from livesession.incidents.models import Nature

_DATETIME = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


class IncidentForm(forms.Form):
    summary = forms.CharField(
        label=_("What happened"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000,
        help_text=_("No names, addresses or phone numbers: refer to people by their "
                    "reference below."))
    nature = forms.ChoiceField(label=_("Nature"), choices=Nature.choices,
                               initial=Nature.UNKNOWN)
    detected_at = forms.DateTimeField(
        label=_("Detected at"), required=False, input_formats=_DATETIME,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=_DATETIME[0]),
        help_text=_("Empty: now."))
    aware_at = forms.DateTimeField(
        label=_("Operator aware at"), required=False, input_formats=_DATETIME,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=_DATETIME[0]),
        help_text=_("When the operator became reasonably sure something happened: the "
                    "72-hour clock starts here. Empty: the detection time."))
    client = forms.ModelChoiceField(
        label=_("Client whose data is concerned"), queryset=Client.objects.order_by("name"),
        required=False, empty_label=_("None, or not known yet"))
    refs = forms.CharField(
        label=_("References"), required=False,
        help_text=_("Who and what is concerned, separated by spaces or commas, for "
                    "example account:12 registration:… event:…"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if field.help_text:
                field.widget.attrs["aria-describedby"] = f"id_{name}_helptext"

    def ref_list(self) -> list[str]:
        return [part for part in re.split(r"[\s,;]+", self.cleaned_data.get("refs") or "")
                if part]
