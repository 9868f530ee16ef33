"""Forms of the account pages. They parse what was typed; the rules (password strength,
profile checks) live in ``accounts.services`` and come back as field errors."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.password_validation import password_validators_help_texts
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from livesession.accounts.models import PROFILE_FIELDS
from livesession.accounts.services import clean_profile, clean_sign_up
from livesession.core.models import Client

PROFILE_LABELS = {
    "first_name": gettext_lazy("First name"),
    "last_name": gettext_lazy("Last name"),
    "mobile_phone": gettext_lazy("Mobile phone"),
    "city": gettext_lazy("City"),
    "postal_code": gettext_lazy("Postal code"),
    "job_function": gettext_lazy("Job function"),
}
_AUTOCOMPLETE = {"first_name": "given-name", "last_name": "family-name",
                 "mobile_phone": "tel", "city": "address-level2",
                 "postal_code": "postal-code", "job_function": "organization-title"}
# Generous limits at the form; the precise ones are the service's, with their own message.
_MAX_INPUT = 300


def _password_field(label: Any, autocomplete: str, help_text: Any = "") -> forms.CharField:
    return forms.CharField(label=label, strip=False, max_length=_MAX_INPUT, help_text=help_text,
                           widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}))


def _rules() -> str:
    return " ".join(password_validators_help_texts())


class NewPasswordForm(forms.Form):
    password = _password_field(gettext_lazy("Password"), "new-password")
    password2 = _password_field(gettext_lazy("Password again"), "new-password")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password"].help_text = _rules()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password2") is not None and (
                data["password"] != data["password2"]):
            self.add_error("password2", _("The two passwords differ. Type the same one twice."))
        return data


class SignUpForm(NewPasswordForm):
    email = forms.CharField(label=gettext_lazy("Email"), max_length=_MAX_INPUT,
                            widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    first_name = forms.CharField(label=PROFILE_LABELS["first_name"], max_length=_MAX_INPUT,
                                 widget=forms.TextInput(attrs={"autocomplete": "given-name"}))
    last_name = forms.CharField(label=PROFILE_LABELS["last_name"], max_length=_MAX_INPUT,
                                widget=forms.TextInput(attrs={"autocomplete": "family-name"}))

    field_order = ["email", "first_name", "last_name", "password", "password2"]

    def clean(self) -> dict[str, Any]:
        """Every rule at once (the service's), so one answer names every problem."""
        data = super().clean() or {}
        try:
            clean_sign_up(str(self.data.get("email", "")), str(self.data.get("password", "")),
                          str(self.data.get("first_name", "")),
                          str(self.data.get("last_name", "")))
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                if field not in self.errors:
                    self.add_error(field, errors)
        return data


class LoginForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Email"),
                             widget=forms.EmailInput(attrs={"autocomplete": "username"}))
    password = forms.CharField(label=gettext_lazy("Password"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete":
                                                                 "current-password"}))


class EmailForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Email"), max_length=_MAX_INPUT,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))


class ProfileForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in PROFILE_FIELDS:
            self.fields[name] = forms.CharField(
                label=PROFILE_LABELS[name], required=name in ("first_name", "last_name"),
                max_length=_MAX_INPUT,
                widget=forms.TextInput(attrs={"autocomplete": _AUTOCOMPLETE[name]}))

    def clean(self) -> dict[str, Any]:
        """The service's rules too, so one answer names every problem."""
        data = super().clean() or {}
        try:
            clean_profile({name: str(self.data.get(name, "")) for name in PROFILE_FIELDS})
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                if field not in self.errors:
                    self.add_error(field, errors)
        return data


class SharingForm(forms.Form):
    """One group of boxes per organizer: the fields shared with it."""

    def __init__(self, *args: Any, clients: list[Client], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(name, PROFILE_LABELS[name]) for name in PROFILE_FIELDS]
        self.clients = clients
        for client in clients:
            self.fields[f"client_{client.pk}"] = forms.MultipleChoiceField(
                label=client.name, choices=choices, required=False,
                widget=forms.CheckboxSelectMultiple)

    def chosen(self) -> list[tuple[Client, list[str]]]:
        return [(client, self.cleaned_data.get(f"client_{client.pk}", []))
                for client in self.clients]


class PasswordCheckForm(forms.Form):
    password = _password_field(gettext_lazy("Your current password"), "current-password")
