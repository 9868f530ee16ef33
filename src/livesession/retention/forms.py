from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from livesession.core.models import Client
from livesession.retention.categories import CLIENT_ADJUSTABLE, RULES_BY_CATEGORY


class PeriodForm(forms.Form):
    category = forms.ChoiceField(label=_("Data"), choices=[
        (key, RULES_BY_CATEGORY[key].label) for key in CLIENT_ADJUSTABLE])
    period_days = forms.IntegerField(
        label=_("Keep for (days)"), required=False, min_value=1,
        help_text=_("Fewer days than the platform's bound. Leave empty to use the bound."))


class HoldForm(forms.Form):
    client = forms.ModelChoiceField(label=_("Client"), queryset=Client.objects.none(),
                                    to_field_name="slug")
    event = forms.UUIDField(label=_("Event id (optional)"), required=False,
                            help_text=_("Only this event of the client."))
    subject = forms.UUIDField(label=_("Person id (optional)"), required=False,
                              help_text=_("The pseudonymous id shown on the person's page "
                                          "(subject:…), without the prefix."))
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
        help_text=_("The legal ground: proceedings, an authority's request, a reference. "
                    "No names or addresses."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = Client.objects.order_by("name")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("event") and data.get("subject"):
            self.add_error("subject", _("Choose an event or a person, not both."))
        return data


class LiftForm(forms.Form):
    reason = forms.CharField(label=_("Why the hold ends"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))
