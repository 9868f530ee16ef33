"""Forms of the Manager's form builder: standard-field scope, custom questions and consent
purposes (issue 3 points 2–4; P1.1, P1.2, P1.4, P2.3, P6.2).

These forms only shape the pages and parse what a person typed (rules as numbers; the options
are rows, ``option_rows``); every rule is checked by the services of ``registrations`` and
``privacy``, whose errors are put back next to the input they are about.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from livesession.registrations import fieldkinds, scope
from livesession.registrations.models import CustomField

MAX_PURPOSE = 300


def _messages(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return exc.message_dict
    return {"__all__": exc.messages}


# --- Standard fields (P1.1) -------------------------------------------------------------------


class ScopeForm(forms.Form):
    """One row per optional standard field: collected, required, and why (its purpose)."""

    def __init__(self, *args: Any, current: dict[str, dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for std in scope.STANDARD_FIELDS:
            item = current[std.key]
            self.fields[f"{std.key}-enabled"] = forms.BooleanField(
                label=gettext_lazy("collected"), required=False, initial=item["enabled"])
            self.fields[f"{std.key}-required"] = forms.BooleanField(
                label=gettext_lazy("required"), required=False, initial=item["required"])
            self.fields[f"{std.key}-purpose"] = forms.CharField(
                label=gettext_lazy("Purpose"), required=False, max_length=MAX_PURPOSE,
                initial=item["purpose"],
                widget=forms.TextInput(attrs={"maxlength": str(MAX_PURPOSE)}))

    def rows(self) -> list[dict[str, Any]]:
        return [{"std": std, "enabled": self[f"{std.key}-enabled"],
                 "required": self[f"{std.key}-required"],
                 "purpose": self[f"{std.key}-purpose"]} for std in scope.STANDARD_FIELDS]

    def to_raw(self) -> dict[str, dict[str, Any]]:
        data = self.cleaned_data
        return {std.key: {"enabled": bool(data.get(f"{std.key}-enabled")),
                          "required": bool(data.get(f"{std.key}-required")),
                          "purpose": str(data.get(f"{std.key}-purpose") or "")}
                for std in scope.STANDARD_FIELDS}

    def add_service_errors(self, exc: ValidationError) -> None:
        """The scope service keys its errors by standard field; each one is about the
        purpose of that field (missing or too long)."""
        for key, messages in _messages(exc).items():
            name = f"{key}-purpose"
            self.add_error(name if name in self.fields else None, messages)


# --- Custom questions (P1.2, P1.4, P6.2) ------------------------------------------------------

RULE_FIELDS = ("rule_min", "rule_max", "rule_min_length", "rule_max_length", "rule_max_choices")
# Which rule inputs apply to which kind (registrations.fields_services._clean_rules).
RULES_BY_KIND: dict[str, tuple[str, ...]] = {
    "short_text": ("rule_min_length", "rule_max_length"),
    "long_text": ("rule_min_length", "rule_max_length"),
    "number": ("rule_min", "rule_max"),
    "date": ("rule_min", "rule_max"),
    "multiple_choice": ("rule_max_choices",),
}
_RULE_NAMES = {"rule_min": "min", "rule_max": "max", "rule_min_length": "min_length",
               "rule_max_length": "max_length", "rule_max_choices": "max_choices"}


class QuestionForm(forms.Form):
    # Shown only under "Advanced" when something depends on it (``key_dependents``,
    # ``answers_possible``); otherwise the service makes it from the label and keeps it.
    key = forms.CharField(
        label=gettext_lazy("Technical name"), max_length=50, required=False,
        help_text=gettext_lazy("Names the answers in exports, imports, the API and the "
                               "conditions of other questions: lowercase letters, digits "
                               "and _."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    kind = forms.ChoiceField(label=gettext_lazy("Kind of answer"),
                             choices=list(fieldkinds.KINDS.items()))
    label_fr = forms.CharField(label=gettext_lazy("Question in French"), max_length=200,
                               required=False)
    label_en = forms.CharField(label=gettext_lazy("Question in English"), max_length=200,
                               required=False)
    help_fr = forms.CharField(label=gettext_lazy("Help text in French (optional)"),
                              max_length=500, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))
    help_en = forms.CharField(label=gettext_lazy("Help text in English (optional)"),
                              max_length=500, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))
    required = forms.BooleanField(label=gettext_lazy("An answer is required"), required=False)
    rule_min = forms.CharField(
        label=gettext_lazy("Minimum"), required=False, max_length=20,
        help_text=gettext_lazy("Number: the smallest number accepted. Date: the earliest "
                               "date, as YYYY-MM-DD."))
    rule_max = forms.CharField(
        label=gettext_lazy("Maximum"), required=False, max_length=20,
        help_text=gettext_lazy("Number: the largest number accepted. Date: the latest date, "
                               "as YYYY-MM-DD."))
    rule_min_length = forms.IntegerField(
        label=gettext_lazy("Minimum length (characters)"), required=False, min_value=1,
        max_value=fieldkinds.LONG_MAX)
    rule_max_length = forms.IntegerField(
        label=gettext_lazy("Maximum length (characters)"), required=False, min_value=1,
        max_value=fieldkinds.LONG_MAX,
        help_text=gettext_lazy("At most 200 for a short text and 5000 for a long text."))
    rule_max_choices = forms.IntegerField(
        label=gettext_lazy("Maximum number of options ticked"), required=False, min_value=1,
        max_value=100)
    show_if_key = forms.ChoiceField(
        label=gettext_lazy("Show this question only when the question"), required=False)
    show_if_value = forms.CharField(
        label=gettext_lazy("has the answer"), max_length=200, required=False,
        help_text=gettext_lazy("As participants read it: for a choice question, one of its "
                               "options; for a checkbox, yes."))
    purpose = forms.CharField(
        label=gettext_lazy("Purpose"), max_length=MAX_PURPOSE, required=False,
        help_text=gettext_lazy("Why you ask this question. Participants read it in the "
                               "privacy notice."))

    def __init__(self, *args: Any, others: list[CustomField], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["show_if_key"]
        field.choices = [("", _("— always shown —")),
                         *((q.key, q.label()) for q in others)]
        self.rules_errors: list[str] = []
        self.options_errors: list[str] = []

    @classmethod
    def for_field(cls, question: CustomField, *, others: list[CustomField]) -> QuestionForm:
        rules = question.rules or {}
        shown_when = question.show_if_value
        target = next((q for q in others if q.key == question.show_if_key), None)
        if target is not None and target.options:
            # Shown as the organizer wrote it; the service finds the value again.
            shown_when = target.option_label(shown_when)
        return cls(others=others, initial={
            "key": question.key, "kind": question.kind, "label_fr": question.label_fr,
            "label_en": question.label_en, "help_fr": question.help_fr,
            "help_en": question.help_en, "required": question.required,
            "show_if_key": question.show_if_key, "show_if_value": shown_when,
            "purpose": question.purpose,
            **{name: rules.get(rule) for name, rule in _RULE_NAMES.items()
               if rules.get(rule) is not None},
        })

    @classmethod
    def as_typed(cls, data: Any, *, others: list[CustomField]) -> QuestionForm:
        """An unbound form showing what was typed, for the page shown again after an option
        row button: nothing is being saved, so nothing is checked or flagged yet."""
        return cls(others=others, initial={
            name: (bool(data.get(name)) if name == "required" else data.get(name, ""))
            for name in cls.base_fields if name in data or name == "required"})

    def _decimal(self, name: str) -> Decimal | None:
        text = str(self.cleaned_data.get(name) or "").strip().replace(",", ".")
        if not text:
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = Decimal("NaN")
        if not number.is_finite():
            self.add_error(name, _("Enter a number, such as 12 or 3.5."))
            return None
        return number

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        if kind == "number":
            low, high = self._decimal("rule_min"), self._decimal("rule_max")
            if low is not None and high is not None and low > high:
                self.add_error("rule_max", _("The maximum must be at least the minimum."))
        elif kind == "date":
            days = {}
            for name in ("rule_min", "rule_max"):
                text = str(data.get(name) or "").strip()
                if text:
                    try:
                        days[name] = data[name] = fieldkinds.clean_value("date", text)
                    except ValidationError as exc:
                        self.add_error(name, exc.messages)
            if len(days) == 2 and days["rule_min"] > days["rule_max"]:
                self.add_error("rule_max", _("The latest date must come after the earliest."))
        low_len, high_len = data.get("rule_min_length"), data.get("rule_max_length")
        if low_len and high_len and low_len > high_len:
            self.add_error("rule_max_length",
                           _("The maximum length must be at least the minimum length."))
        return data

    def to_data(self, options: list[dict[str, str]]) -> dict[str, Any]:
        """The definition as ``fields_services`` reads it, with the option rows."""
        data = self.cleaned_data
        kind = data["kind"]
        rules: dict[str, Any] = {}
        for name, rule in _RULE_NAMES.items():
            value = data.get(name)
            if value is None or value == "":
                continue
            if name in ("rule_min", "rule_max"):
                value = str(value).strip()
                if kind == "number":
                    value = format(Decimal(value.replace(",", ".")).normalize(), "f")
            rules[rule] = value
        return {
            "key": data.get("key", "").strip(), "kind": kind,
            "label_fr": data.get("label_fr", ""), "label_en": data.get("label_en", ""),
            "help_fr": data.get("help_fr", ""), "help_en": data.get("help_en", ""),
            "required": bool(data.get("required")),
            "options": options if kind in fieldkinds.CHOICE_KINDS else [],
            "rules": rules, "show_if_key": data.get("show_if_key", ""),
            "show_if_value": data.get("show_if_value", ""), "purpose": data.get("purpose", ""),
        }

    def add_service_errors(self, exc: ValidationError) -> None:
        for key, messages in _messages(exc).items():
            if key == "rules":
                self.rules_errors.extend(messages)
            elif key == "options":
                self.options_errors.extend(m for m in messages if m not in self.options_errors)
            elif key in self.fields:
                for message in messages:
                    if message not in self.errors.get(key, []):
                        self.add_error(key, message)
            else:
                self.add_error(None, messages)

    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("kind", "label_fr", "label_en", "help_fr",
                                        "help_en", "required")]

    def rule_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in RULE_FIELDS]


# --- Consent purposes (P2.3) ------------------------------------------------------------------


class PurposeForm(forms.Form):
    label_fr = forms.CharField(
        label=gettext_lazy("What the participant agrees to, in French"), max_length=300,
        required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Shown next to an unticked box on the registration form, such "
                               "as «Recevoir le programme de la prochaine saison»."))
    label_en = forms.CharField(
        label=gettext_lazy("What the participant agrees to, in English"), max_length=300,
        required=False, widget=forms.Textarea(attrs={"rows": 2}))
    key = forms.SlugField(
        label=gettext_lazy("Key (optional)"), max_length=50, required=False,
        help_text=gettext_lazy("A short name for exports. Left empty, it is made from the "
                               "English text."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))

    def add_service_errors(self, exc: ValidationError) -> None:
        for key, messages in _messages(exc).items():
            self.add_error(key if key in self.fields else None, messages)
