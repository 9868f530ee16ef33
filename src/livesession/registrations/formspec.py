"""The registration form of one event, as data: which fields, in which order, required or
not, shown when (P1.1, P1.2). Pages, the API, the Manager and imports all clean answers
here, so a rule holds whichever way a registration comes in.

A submission is ``{"email": …, <standard key>: …, "answers": {<custom key>: …},
"consents": [<purpose key>, …]}``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from livesession.protection.crypto import normalize_email
from livesession.registrations import fieldkinds, scope
from livesession.registrations.models import CustomField

MAX_EMAIL = 254


@dataclass(frozen=True)
class FieldSpec:
    key: str            # the submission key; custom fields live under "answers"
    kind: str
    label: str
    help: str
    required: bool
    custom: bool
    options: list[tuple[str, str]] = field(default_factory=list)  # (value, label)
    rules: dict[str, Any] = field(default_factory=dict)
    show_if: tuple[str, str] | None = None
    autocomplete: str = ""
    purpose: str = ""

    @property
    def free_text(self) -> bool:
        return self.kind in fieldkinds.FREE_TEXT_KINDS


@dataclass(frozen=True)
class Cleaned:
    email: str
    standard: dict[str, str]
    answers: dict[str, Any]
    consents: list[str]


def fields_for(event: Any) -> list[FieldSpec]:
    """Enabled standard fields, then the event's custom fields, in their order."""
    specs: list[FieldSpec] = []
    effective = scope.effective(event)
    for std in scope.STANDARD_FIELDS:
        item = effective[std.key]
        if item["enabled"]:
            specs.append(FieldSpec(
                key=std.key, kind=std.kind, label=str(std.label), help="",
                required=item["required"], custom=False,
                rules={"max_length": std.max_length}, autocomplete=std.autocomplete,
                purpose=item["purpose"]))
    for custom in CustomField.objects.filter(event=event).order_by("position", "id"):
        specs.append(FieldSpec(
            key=custom.key, kind=custom.kind, label=custom.label(), help=custom.help(),
            required=custom.required, custom=True,
            options=[(v, custom.option_label(v)) for v in custom.option_values()],
            rules=dict(custom.rules),
            show_if=(custom.show_if_key, custom.show_if_value) if custom.show_if_key else None,
            purpose=custom.purpose))
    return specs


def _is_shown(spec: FieldSpec, answers: dict[str, Any], standard: dict[str, Any]) -> bool:
    if spec.show_if is None:
        return True
    key, expected = spec.show_if
    given = answers.get(key, standard.get(key))
    if isinstance(given, list):
        return expected in given
    if isinstance(given, bool):
        return str(given).lower() == expected.lower() or (given and expected in {"1", "yes"})
    return given is not None and str(given) == expected


def clean_submission(event: Any, data: dict[str, Any], purposes: list[str],
                     specs: list[FieldSpec] | None = None) -> Cleaned:
    """Check a whole submission; errors are keyed by field ("answers.<key>" for custom
    fields, "consents" for purposes). Answers to fields that are not on the form are
    refused: a field that is not enabled is never stored (P1.1). ``specs``: the event's
    ``fields_for``, when the caller checks many submissions (an import's lines)."""
    if not isinstance(data, dict):
        raise ValidationError({"detail": _("Send the registration as a JSON object.")})
    errors: dict[str, str] = {}
    if specs is None:
        specs = fields_for(event)
    standard_specs = {s.key: s for s in specs if not s.custom}
    custom_specs = {s.key: s for s in specs if s.custom}

    email = normalize_email(str(data.get("email") or ""))
    if not email:
        errors["email"] = _("Enter your email address: your personal link is sent there.")
    else:
        try:
            if len(email) > MAX_EMAIL:
                raise ValidationError("too long")
            validate_email(email)
        except ValidationError:
            errors["email"] = _("Enter a valid email address, such as name@example.org.")

    known = {"email", "answers", "consents", "sessions", *standard_specs}
    for key in data:
        if key in scope.BY_KEY and key not in standard_specs and not fieldkinds.is_empty(
                data[key]):
            errors[key] = _("This event does not collect this field: leave it out.")
        elif key not in known and key not in scope.BY_KEY:
            errors[key] = _("Unknown field: leave it out.")

    raw_answers = data.get("answers") or {}
    if not isinstance(raw_answers, dict):
        errors["answers"] = _("Send the answers as an object of question keys.")
        raw_answers = {}
    for key in raw_answers:
        if key not in custom_specs:
            errors[f"answers.{key}"] = _("This event has no such question: leave it out.")

    standard: dict[str, str] = {}
    for key, spec in standard_specs.items():
        value = data.get(key)
        if fieldkinds.is_empty(value) or (isinstance(value, str) and not value.strip()):
            if spec.required:
                errors[key] = _("This field is required.")
            continue
        try:
            standard[key] = str(fieldkinds.clean_value(spec.kind, value, rules=spec.rules))
        except ValidationError as exc:
            errors[key] = exc.messages[0]

    answers: dict[str, Any] = {}
    # Two passes: conditions may depend on any answer, whatever the order.
    pending = {k: raw_answers.get(k) for k in custom_specs}
    for key, spec in custom_specs.items():
        if not _is_shown(spec, pending, standard):
            continue  # hidden: not required, and an answer to it is not kept
        value = pending[key]
        if fieldkinds.is_empty(value) or (isinstance(value, str) and not value.strip()):
            if spec.required:
                errors[f"answers.{key}"] = (_("Tick this box to continue.")
                                            if spec.kind == "checkbox"
                                            else _("This field is required."))
            continue
        try:
            answers[key] = fieldkinds.clean_value(
                spec.kind, value, options=[v for v, _label in spec.options], rules=spec.rules)
        except ValidationError as exc:
            errors[f"answers.{key}"] = exc.messages[0]

    raw_consents = data.get("consents") or []
    if not isinstance(raw_consents, list | tuple):
        errors["consents"] = _("Send the consents as a list of purpose keys.")
        raw_consents = []
    consents = [str(c) for c in raw_consents]
    unknown = [c for c in consents if c not in purposes]
    if unknown:
        errors["consents"] = _("Unknown purpose: %(keys)s.") % {"keys": ", ".join(unknown)}

    if errors:
        raise ValidationError(errors)
    return Cleaned(email=email, standard=standard, answers=answers,
                   consents=sorted(set(consents)))


def shown_answers(registration: Any, event: Any = None) -> list[dict[str, Any]]:
    """A registration's fields as its form asks them: label and readable value (choices by
    their label, a checkbox as yes or no), for the Manager's pages."""
    from django.utils.translation import gettext as _

    answers = registration.answers
    out = []
    for spec in fields_for(event or registration.event):
        if spec.custom:
            value: Any = answers.get(spec.key, "")
            labels = dict(spec.options)
            if spec.kind == "checkbox":
                value = _("Yes") if value else _("No")
            elif isinstance(value, list):
                value = ", ".join(str(labels.get(v, v)) for v in value)
            elif spec.options:
                value = labels.get(str(value), value)
        else:
            value = getattr(registration, spec.key)
        out.append({"label": spec.label, "value": value})
    return out
