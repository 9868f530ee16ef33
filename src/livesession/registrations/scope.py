"""Which standard fields a registration form collects (P1.1).

A scope maps each optional standard field to ``{"enabled": bool, "required": bool,
"purpose": str}``. The email is always collected and required: it carries the personal link.
The platform default is email, first name and last name. A client sets its own default
(``Client.form_defaults``) and an event may override it (``Event.form_scope``). A field
that is not enabled is never stored: ``registrations.services.register`` refuses an answer
to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


@dataclass(frozen=True)
class StandardField:
    key: str
    label: str | Promise
    kind: str  # a kind of registrations.fieldkinds
    max_length: int
    autocomplete: str
    default_purpose: str | Promise = ""


STANDARD_FIELDS: tuple[StandardField, ...] = (
    StandardField("first_name", gettext_lazy("First name"), "short_text", 150, "given-name",
                  gettext_lazy("identify you in the list of participants")),
    StandardField("last_name", gettext_lazy("Last name"), "short_text", 150, "family-name",
                  gettext_lazy("identify you in the list of participants")),
    StandardField("mobile_phone", gettext_lazy("Mobile phone"), "phone", 30, "tel"),
    StandardField("city", gettext_lazy("City"), "short_text", 120, "address-level2"),
    StandardField("postal_code", gettext_lazy("Postal code"), "postal_code_fr", 5,
                  "postal-code"),
    StandardField("job_function", gettext_lazy("Job function"), "short_text", 150,
                  "organization-title"),
)
BY_KEY = {f.key: f for f in STANDARD_FIELDS}
DEFAULT_ENABLED = ("first_name", "last_name")


def platform_default() -> dict[str, dict[str, Any]]:
    return {
        f.key: {"enabled": f.key in DEFAULT_ENABLED, "required": f.key in DEFAULT_ENABLED,
                "purpose": str(f.default_purpose)}
        for f in STANDARD_FIELDS
    }


def normalize(raw: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """Fill a stored scope with the platform default for keys it does not mention."""
    scope = platform_default()
    for key, value in (raw or {}).items():
        if key in scope and isinstance(value, dict):
            scope[key] = {
                "enabled": bool(value.get("enabled")),
                "required": bool(value.get("enabled")) and bool(value.get("required")),
                "purpose": str(value.get("purpose", "")).strip(),
            }
    return scope


def validate(raw: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Check a scope a person submitted: unknown keys are refused, and enabling a field
    needs its purpose, which feeds the privacy notice and the register (P1.1, P3.2)."""
    errors: dict[str, str] = {}
    for key, value in raw.items():
        if key not in BY_KEY:
            errors[key] = _("Unknown standard field. Use one of: %(keys)s.") % {
                "keys": ", ".join(BY_KEY)}
        elif not isinstance(value, dict):
            errors[key] = _("Give enabled, required and purpose for this field.")
    if errors:
        raise ValidationError(errors)
    scope = normalize(raw)
    for key, item in scope.items():
        if item["enabled"] and not item["purpose"]:
            errors[key] = _("Say why you collect this field: the purpose is shown to "
                            "participants in the privacy notice.")
        if len(item["purpose"]) > 300:
            errors[key] = _("Keep the purpose under 300 characters.")
    if errors:
        raise ValidationError(errors)
    return scope


def effective(event: Any) -> dict[str, dict[str, Any]]:
    """The scope in force for an event: its override, else its client's default."""
    if event.form_scope is not None:
        return normalize(event.form_scope)
    return normalize(event.client.form_defaults)


def enabled_keys(event: Any) -> list[str]:
    scope = effective(event)
    return [f.key for f in STANDARD_FIELDS if scope[f.key]["enabled"]]
