"""The console's form to record an incident by hand (source "staff")."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from livesession.core.models import Client
from livesession.incidents.models import Kind, Nature, Phase, Risk, Role

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


class _Described(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if field.help_text:
                field.widget.attrs["aria-describedby"] = f"id_{self.prefix}-{name}_helptext" \
                    if self.prefix else f"id_{name}_helptext"


_TEXT = {"rows": 3}
_NO_PERSONAL = _("No names, addresses or phone numbers.")


class AssessForm(_Described):
    """The risk assessment (GDPR art. 33.3, 33.5; B-01)."""

    natures = forms.MultipleChoiceField(
        label=_("Nature"), widget=forms.CheckboxSelectMultiple,
        choices=[c for c in Nature.choices if c[0] != Nature.UNKNOWN],
        help_text=_("Every one that applies."))
    data_categories = forms.MultipleChoiceField(
        label=_("Data categories"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("The kinds of personal data concerned, from the personal-data "
                    "registry."))
    people_approx = forms.IntegerField(label=_("Approximate number of people"),
                                       required=False, min_value=0)
    records_approx = forms.IntegerField(label=_("Approximate number of records"),
                                        required=False, min_value=0)
    likely_consequences = forms.CharField(
        label=_("Likely consequences for the people"), required=False,
        widget=forms.Textarea(attrs=_TEXT), help_text=_NO_PERSONAL)
    risk_level = forms.ChoiceField(label=_("Risk level"), choices=Risk.choices,
                                   widget=forms.RadioSelect)
    risk_reasoning = forms.CharField(label=_("Why this risk level"),
                                     widget=forms.Textarea(attrs=_TEXT), help_text=_NO_PERSONAL)
    measures_taken = forms.CharField(label=_("Measures taken"), required=False,
                                     widget=forms.Textarea(attrs=_TEXT))
    measures_proposed = forms.CharField(label=_("Measures proposed"), required=False,
                                        widget=forms.Textarea(attrs=_TEXT))
    role = forms.ChoiceField(label=_("Operator's role"), choices=Role.choices,
                             widget=forms.RadioSelect)
    clients = forms.ModelMultipleChoiceField(
        label=_("Clients affected"), queryset=Client.objects.order_by("name"), required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Required when the operator is processor: each is told within the "
                    "client deadline."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from livesession.incidents.breach import registry_categories

        self.fields["data_categories"].choices = registry_categories()  # type: ignore[attr-defined]  # a ChoiceField


class DecideForm(_Described):
    """The decision to notify or not, and why (art. 33.1, 34.1, 34.3)."""

    notify_cnil = forms.BooleanField(label=_("Notify the CNIL"), required=False)
    notify_people = forms.BooleanField(label=_("Notify the people concerned"),
                                       required=False)
    rationale = forms.CharField(
        label=_("Why notify, or why not"), widget=forms.Textarea(attrs=_TEXT),
        help_text=_("For a high risk without a notice to people, name the exemption of "
                    "GDPR art. 34.3."))
    complement_due = forms.DateTimeField(
        label=_("Complementary notification due"), required=False, input_formats=_DATETIME,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=_DATETIME[0]),
        help_text=_("When the initial notification is incomplete (art. 33.4)."))


class NotificationForm(_Described):
    """One notification made, one phase (art. 33.4), with its reference."""

    kind = forms.ChoiceField(label=_("Notified"), choices=Kind.choices)
    phase = forms.ChoiceField(label=_("Phase"), choices=Phase.choices, initial=Phase.INITIAL)
    client = forms.ModelChoiceField(label=_("Client told"), required=False,
                                    queryset=Client.objects.none(),
                                    empty_label=_("Not a client notice"))
    at = forms.DateTimeField(
        label=_("Notified at"), required=False, input_formats=_DATETIME,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=_DATETIME[0]),
        help_text=_("Empty: now."))
    reference = forms.CharField(label=_("Reference"), required=False, max_length=100,
                                help_text=_("The CNIL's reference once the notification is "
                                            "filed."))
    delay_reason = forms.CharField(
        label=_("Reason for the delay"), required=False, widget=forms.Textarea(attrs=_TEXT),
        help_text=_("Required after the deadline."))

    def __init__(self, *args: Any, clients: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if clients is not None:
            self.fields["client"].queryset = clients  # type: ignore[attr-defined]  # a ModelChoiceField
