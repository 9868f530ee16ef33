"""Forms of the comparison's configuration (Manager, console)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from livesession.core.models import Client
from livesession.registrations.models import CustomField


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class SettingsForm(forms.Form):
    enabled = forms.BooleanField(
        label=_("Offer the comparison to my participants"), required=False,
        help_text=_("In their personal space, each participant sees their own attendance "
                    "against participants of the same category, from anonymous figures "
                    "(groups of at least 10 people, rounded)."))
    allow_pooling = forms.BooleanField(
        label=_("Allow pooling with other organizers"), required=False,
        help_text=_("Your participants are then also compared with participants of the "
                    "same job function at other organizers that allow it, when the platform "
                    "operator runs pooling. For the pooled figures the operator is the "
                    "controller."))


class GroupForm(forms.Form):
    name = forms.CharField(label=_("Name of the group"), max_length=100)
    job_functions = forms.CharField(
        label=_("Job functions in this group"), required=False, widget=forms.Textarea(
            attrs={"rows": 4}),
        help_text=_("One per line, as participants write them; case, accents and punctuation "
                    "do not matter."))
    field_key = forms.ChoiceField(
        label=_("Or a question of your forms"), required=False,
        help_text=_("A person belongs to the group when their answer to this question is "
                    "one of the answers below."))
    field_values = forms.CharField(
        label=_("Answers that place a person in the group"), required=False,
        widget=forms.Textarea(attrs={"rows": 3}), help_text=_("One per line."))

    def __init__(self, *args: Any, client: Client, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        keys = sorted(set(CustomField.objects.filter(client=client)
                          .values_list("key", flat=True)))
        choices: list[tuple[str, Any]] = [("", _("(none)")), *((k, k) for k in keys)]
        field = self.fields["field_key"]
        if isinstance(field, forms.ChoiceField):
            field.choices = choices

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"name": data["name"], "job_functions": _lines(data["job_functions"]),
                "field_key": data["field_key"], "field_values": _lines(data["field_values"])}


class PoolingForm(forms.Form):
    enabled = forms.BooleanField(label=_("Pool the clients that allow it"), required=False)
