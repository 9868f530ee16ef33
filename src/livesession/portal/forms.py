from django import forms
from django.utils.translation import gettext_lazy as _


class RegistrationForm(forms.Form):
    email = forms.EmailField(
        label=_("Email"), max_length=254,
        error_messages={"invalid": _("Enter a valid email address, such as name@example.org."),
                        "required": _("Enter your email address: your link is sent there.")},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    first_name = forms.CharField(
        label=_("First name"), max_length=150,
        error_messages={"required": _("Enter your first name.")},
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Last name"), max_length=150,
        error_messages={"required": _("Enter your last name.")},
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
