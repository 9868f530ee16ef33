"""The kinds of answer a registration field can take, and how each is checked (P1.2).

Every check returns the cleaned value or raises ``ValidationError`` with a message that says
what to fix. The same code checks the page form, the API and imports.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django_countries import countries

KINDS = {
    "short_text": gettext_lazy("Short text"),
    "long_text": gettext_lazy("Long text"),
    "number": gettext_lazy("Number"),
    "date": gettext_lazy("Date"),
    "single_choice": gettext_lazy("Single choice"),
    "multiple_choice": gettext_lazy("Multiple choice"),
    "checkbox": gettext_lazy("Checkbox"),
    "phone": gettext_lazy("Phone"),
    "postal_code_fr": gettext_lazy("French postal code"),
    "country": gettext_lazy("Country"),
}
CHOICE_KINDS = {"single_choice", "multiple_choice"}
FREE_TEXT_KINDS = {"long_text"}
SHORT_MAX, LONG_MAX = 200, 5000
_POSTAL_FR = re.compile(r"^(?:0[1-9]|[1-8]\d|9[0-8])\d{3}$")


def _text(value: Any, rules: dict[str, Any], limit: int) -> str:
    text = str(value).strip()
    maximum = min(int(rules.get("max_length") or limit), limit)
    minimum = int(rules.get("min_length") or 0)
    if len(text) > maximum:
        raise ValidationError(ngettext(
            "Use at most %(n)d character.",
            "Use at most %(n)d characters.", maximum) % {"n": maximum})
    if minimum and len(text) < minimum:
        raise ValidationError(ngettext(
            "Use at least %(n)d character.",
            "Use at least %(n)d characters.", minimum) % {"n": minimum})
    return text


def _number(value: Any, rules: dict[str, Any]) -> str:
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation as exc:
        raise ValidationError(_("Enter a number, such as 12 or 3.5.")) from exc
    if not number.is_finite():
        raise ValidationError(_("Enter a number, such as 12 or 3.5."))
    low, high = rules.get("min"), rules.get("max")
    if low is not None and number < Decimal(str(low)):
        raise ValidationError(_("Enter a number of at least %(n)s.") % {"n": low})
    if high is not None and number > Decimal(str(high)):
        raise ValidationError(_("Enter a number of at most %(n)s.") % {"n": high})
    return format(number.normalize(), "f")


def _date(value: Any, rules: dict[str, Any]) -> str:
    try:
        day = dt.date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise ValidationError(_("Enter a date as YYYY-MM-DD, such as 2026-12-01.")) from exc
    low, high = rules.get("min"), rules.get("max")
    if low and day < dt.date.fromisoformat(str(low)):
        raise ValidationError(_("Enter a date on or after %(d)s.") % {"d": low})
    if high and day > dt.date.fromisoformat(str(high)):
        raise ValidationError(_("Enter a date on or before %(d)s.") % {"d": high})
    return day.isoformat()


def _choice(value: Any, options: list[str]) -> str:
    text = str(value).strip()
    if text not in options:
        raise ValidationError(_("Choose one of the options offered."))
    return text


def _choices(value: Any, options: list[str], rules: dict[str, Any]) -> list[str]:
    values = value if isinstance(value, list | tuple) else [value]
    picked = [str(v).strip() for v in values if str(v).strip()]
    unknown = [v for v in picked if v not in options]
    if unknown:
        raise ValidationError(_("Choose only among the options offered."))
    most = rules.get("max_choices")
    if most and len(picked) > int(most):
        raise ValidationError(ngettext(
            "Choose at most %(n)d option.",
            "Choose at most %(n)d options.", int(most)) % {"n": int(most)})
    return sorted(set(picked), key=options.index)


def _checkbox(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "on", "yes", "oui"}:
        return True
    if text in {"", "0", "false", "off", "no", "non"}:
        return False
    raise ValidationError(_("Tick the box or leave it empty."))


def _phone(value: Any) -> str:
    text = str(value).strip()
    try:
        number = phonenumbers.parse(text, "FR")
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(_("Enter a phone number, such as 06 12 34 56 78 or "
                                "+33 6 12 34 56 78.")) from exc
    if not phonenumbers.is_possible_number(number):
        raise ValidationError(_("Enter a phone number, such as 06 12 34 56 78 or "
                                "+33 6 12 34 56 78."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _postal_code_fr(value: Any) -> str:
    text = re.sub(r"\s", "", str(value))
    if not _POSTAL_FR.match(text):
        raise ValidationError(_("Enter a French postal code of 5 digits, such as 75011."))
    return text


def _country(value: Any) -> str:
    code = str(value).strip().upper()
    if code not in dict(countries):
        raise ValidationError(_("Choose a country from the list."))
    return code


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value is False


def clean_value(kind: str, value: Any, *, options: list[str] | None = None,
                rules: dict[str, Any] | None = None) -> Any:
    rules = rules or {}
    options = options or []
    cleaners: dict[str, Callable[[], Any]] = {
        "short_text": lambda: _text(value, rules, SHORT_MAX),
        "long_text": lambda: _text(value, rules, LONG_MAX),
        "number": lambda: _number(value, rules),
        "date": lambda: _date(value, rules),
        "single_choice": lambda: _choice(value, options),
        "multiple_choice": lambda: _choices(value, options, rules),
        "checkbox": lambda: _checkbox(value),
        "phone": lambda: _phone(value),
        "postal_code_fr": lambda: _postal_code_fr(value),
        "country": lambda: _country(value),
    }
    if kind not in cleaners:
        raise ValidationError(_("Unknown kind of field."))
    if isinstance(value, dict):
        raise ValidationError(_("Send a single value, not an object."))
    return cleaners[kind]()
