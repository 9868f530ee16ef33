"""The public registration form, built from the event's form spec (registrations.formspec).

The form only shapes the page: every rule is checked again by the registration service,
which is where the API and imports are checked too.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from livesession.privacy.models import ConsentPurpose
from livesession.registrations import scope
from livesession.registrations.formspec import FieldSpec, fields_for

STANDARD_KEYS = tuple(scope.BY_KEY)
ANSWER = "answer_"
CONSENT = "consent_"
# Bot checks (portal/bots.py, core/pow.py): never part of the submission.
HONEYPOT = "website"
STAMP = "form_stamp"
POW_CHALLENGE = "pow_challenge"
POW_SOLUTION = "pow_solution"
GUARD_FIELDS = (HONEYPOT, STAMP, POW_CHALLENGE, POW_SOLUTION)


def _field(spec: FieldSpec) -> forms.Field:
    common: dict[str, Any] = {"label": spec.label, "required": False,
                              "help_text": spec.help}
    attrs: dict[str, str] = {}
    if spec.autocomplete:
        attrs["autocomplete"] = spec.autocomplete
    if spec.required:
        attrs["aria-required"] = "true"
    kind = spec.kind
    if kind == "long_text":
        return forms.CharField(widget=forms.Textarea(attrs={**attrs, "rows": 4}), **common)
    if kind == "number":
        return forms.CharField(widget=forms.TextInput(attrs={**attrs, "inputmode": "decimal"}),
                               **common)
    if kind == "date":
        return forms.CharField(widget=forms.DateInput(attrs={**attrs, "type": "date"}),
                               **common)
    if kind == "single_choice":
        if len(spec.options) <= 5:
            return forms.ChoiceField(choices=spec.options, widget=forms.RadioSelect, **common)
        return forms.ChoiceField(choices=[("", "—"), *spec.options], **common)
    if kind == "multiple_choice":
        return forms.MultipleChoiceField(choices=spec.options,
                                         widget=forms.CheckboxSelectMultiple, **common)
    if kind == "checkbox":
        return forms.BooleanField(**common)
    if kind == "phone":
        return forms.CharField(widget=forms.TextInput(attrs={**attrs, "type": "tel"}), **common)
    if kind == "postal_code_fr":
        return forms.CharField(widget=forms.TextInput(
            attrs={**attrs, "inputmode": "numeric", "maxlength": "5"}), **common)
    if kind == "country":
        return forms.ChoiceField(choices=[("", "—"), *countries], **common)
    return forms.CharField(widget=forms.TextInput(attrs=attrs), **common)


class RegistrationForm(forms.Form):
    email = forms.CharField(
        label=_("Email"), max_length=320, required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "aria-required": "true"}),
    )
    # The honeypot: hidden from people (template), plausible to robots.
    website = forms.CharField(
        label=_("Website"), required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    form_stamp = forms.CharField(required=False, widget=forms.HiddenInput)
    pow_challenge = forms.CharField(required=False, widget=forms.HiddenInput)
    pow_solution = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, event: Any, purposes: list[ConsentPurpose], *args: Any,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.event = event
        self.specs = fields_for(event)
        self.purposes = purposes
        for spec in self.specs:
            name = ANSWER + spec.key if spec.custom else spec.key
            self.fields[name] = _field(spec)
            self.fields[name].spec = spec  # type: ignore[attr-defined]
        from livesession.registrations.sessions import sessions_of

        self.event_sessions = sessions_of(event)
        if self.event_sessions and event.session_mode == "choose":
            self.fields["sessions"] = forms.MultipleChoiceField(
                label=_("Sessions"), required=False, widget=forms.CheckboxSelectMultiple,
                choices=[(str(s.pk), s.title) for s in self.event_sessions])
        for purpose in purposes:
            # Never pre-ticked (P2.3): the initial value is False and stays so.
            self.fields[CONSENT + purpose.key] = forms.BooleanField(
                label=purpose.label(), required=False, initial=False)

    def submission(self) -> dict[str, Any]:
        data: Any = self.data  # a QueryDict (getlist) from the page
        out: dict[str, Any] = {"email": data.get("email", ""), "answers": {}, "consents": []}
        for spec in self.specs:
            if spec.custom:
                name = ANSWER + spec.key
                value: Any = (data.getlist(name) if spec.kind == "multiple_choice"
                              else data.get(name, ""))
                if spec.kind == "checkbox":
                    value = name in data
                out["answers"][spec.key] = value
            else:
                out[spec.key] = data.get(spec.key, "")
        out["consents"] = [p.key for p in self.purposes if data.get(CONSENT + p.key)]
        # A standard field this form does not collect, sent anyway, goes to the service,
        # which refuses it by name: it is never stored, never silently (P1.1).
        for key in STANDARD_KEYS:
            if key not in out and str(data.get(key, "")).strip():
                out[key] = data.get(key)
        if "sessions" in self.fields:
            out["sessions"] = data.getlist("sessions")
        return out

    def guard(self, name: str) -> str:
        """A bot-check value as sent (empty when the form is not bound)."""
        return str(self.data.get(name, "")) if self.is_bound else ""

    def set_guard(self, *, stamp: str, challenge: str) -> None:
        """The form stamp and proof-of-work challenge the page carries next."""
        values = {STAMP: stamp, POW_CHALLENGE: challenge, POW_SOLUTION: ""}
        if self.is_bound:
            sent: Any = self.data  # a QueryDict from the page
            data = sent.copy()
            for name, value in values.items():
                data[name] = value
            self.data = data
        else:
            self.initial.update(values)

    @property
    def chosen_sessions(self) -> set[int]:
        """Sessions ticked in the submitted form, kept when the page comes back."""
        getlist = getattr(self.data, "getlist", None)
        values = getlist("sessions") if getlist else []
        return {int(v) for v in values if str(v).isdigit()}

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        for key, messages in errors.items():
            name = ANSWER + key.split(".", 1)[1] if key.startswith("answers.") else key
            if name in self.fields:
                for message in messages:
                    self.add_error(name, message)
            else:
                for message in messages:
                    self.add_error(None, message)

    def rows(self) -> list[dict[str, Any]]:
        """Fields with what the template needs (required mark, condition, notice)."""
        out = []
        for name in self.fields:
            if name.startswith(CONSENT) or name in GUARD_FIELDS or name == "sessions":
                continue
            bound = self[name]
            spec: FieldSpec | None = getattr(self.fields[name], "spec", None)
            out.append({
                "field": bound,
                "required": name == "email" or (spec is not None and spec.required),
                "show_if": (ANSWER + spec.show_if[0] if spec and spec.show_if else ""),
                "show_value": spec.show_if[1] if spec and spec.show_if else "",
                "free_text": bool(spec and spec.free_text),
                "purpose": spec.purpose if spec else "",
            })
        return out

    def consent_fields(self) -> list[Any]:
        return [self[name] for name in self.fields if name.startswith(CONSENT)]


def initial_for(registration: Any, event: Any = None) -> dict[str, Any]:
    """A ``RegistrationForm``'s initial values from a stored registration (its standard
    fields and its answers), for the edit pages of the Manager and the personal space."""
    from livesession.registrations.formspec import fields_for

    answers = registration.answers
    initial: dict[str, Any] = {}
    for spec in fields_for(event or registration.event):
        if spec.custom:
            initial[ANSWER + spec.key] = answers.get(
                spec.key, [] if spec.kind == "multiple_choice" else "")
        else:
            initial[spec.key] = getattr(registration, spec.key)
    return initial
