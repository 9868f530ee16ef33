"""Forms of the request desk's pages (console and Manager)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from livesession.accounts.models import PROFILE_FIELDS
from livesession.desk.models import Channel, RequestType
from livesession.protection.models import ObjectionPurpose

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class NewRequestForm(forms.Form):
    type = forms.ChoiceField(label=_("Type of request"), choices=RequestType.choices)
    channel = forms.ChoiceField(label=_("Received by"), choices=[
        (Channel.EMAIL, Channel.EMAIL.label), (Channel.POST, Channel.POST.label)])
    received_on = forms.DateField(label=_("Date received"), widget=DATE,
                                  help_text=_("The deadline is one calendar month from this "
                                              "date."))
    email = forms.EmailField(label=_("Person's email address"),
                             help_text=_("The identity code and the answer go to this "
                                         "address."))
    name = forms.CharField(label=_("Name given"), max_length=200, required=False)
    postal_address = forms.CharField(label=_("Postal address (post requests)"),
                                     widget=forms.Textarea(attrs={"rows": 3}), required=False,
                                     max_length=500)
    language = forms.ChoiceField(label=_("Language of the answer"),
                                 choices=[("fr", "Français"), ("en", "English")])
    details = forms.CharField(label=_("What the person asks"), required=False,
                              widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)


class CodeForm(forms.Form):
    code = forms.CharField(label=_("Code given back by the person"), max_length=20,
                           widget=forms.TextInput(attrs={"autocomplete": "off",
                                                         "inputmode": "numeric"}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}),
                             max_length=2000)


class ExtendForm(forms.Form):
    until = forms.DateField(label=_("New deadline"), widget=DATE)
    reason = forms.CharField(label=_("Reason told to the person"),
                             widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class DocumentForm(forms.Form):
    document = forms.FileField(label=_("Identity document (PDF, JPEG or PNG, 5 MB at most)"))


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note to the person (optional)"), required=False,
                           widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class ObjectionForm(forms.Form):
    purpose = forms.ChoiceField(label=_("The person objects to"),
                                choices=ObjectionPurpose.choices)


class ForwardForm(forms.Form):
    client: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Organizer (controller of the data)"), queryset=None)

    def __init__(self, *args: object, **kwargs: object) -> None:
        from livesession.core.models import Client

        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["client"].queryset = Client.objects.filter(  # type: ignore[attr-defined]
            is_active=True).order_by("name")


class RectifyForm(forms.Form):
    """Profile fields of a platform account; only the filled ones are changed."""

    first_name = forms.CharField(label=_("First name"), required=False, max_length=100)
    last_name = forms.CharField(label=_("Last name"), required=False, max_length=100)
    mobile_phone = forms.CharField(label=_("Mobile phone"), required=False, max_length=40)
    city = forms.CharField(label=_("City"), required=False, max_length=100)
    postal_code = forms.CharField(label=_("Postal code"), required=False, max_length=20)
    job_function = forms.CharField(label=_("Job function"), required=False, max_length=100)

    def changes(self) -> dict[str, str]:
        return {name: value for name in PROFILE_FIELDS
                if (value := self.cleaned_data.get(name, "").strip())}
