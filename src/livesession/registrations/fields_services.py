"""Writes on an event's form: standard-field scope and custom fields (P1.1, P1.2, P1.4).

Every text a client writes for a question passes the sensitive-data guard (P1.4, P6.2)
before it is stored, whether it comes from the Manager or the API.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from livesession.audit.services import record
from livesession.core.models import Client
from livesession.events.models import Event
from livesession.protection.sensitive import validate_field_texts
from livesession.registrations import fieldkinds, scope
from livesession.registrations.models import CustomField

RESERVED = {"email", "answers", "consents", "language", *scope.BY_KEY}
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
MAX_OPTIONS = 100


@transaction.atomic
def set_client_scope(client: Client, raw: dict[str, Any], *, actor: str) -> None:
    client.form_defaults = scope.validate(raw)
    client.save(update_fields=["form_defaults"])
    record(actor, "form.client_scope_set", target=f"client:{client.pk}", client_id=client.pk)


@transaction.atomic
def set_event_scope(event: Event, raw: dict[str, Any] | None, *, actor: str) -> None:
    """``None`` returns the event to its client's default."""
    event.form_scope = None if raw is None else scope.validate(raw)
    event.save(update_fields=["form_scope"])
    record(actor, "form.event_scope_set", target=f"event:{event.pk}", client_id=event.client_id)


def _clean_options(kind: str, options: Any) -> list[dict[str, str]]:
    if kind not in fieldkinds.CHOICE_KINDS:
        if options:
            raise ValidationError({"options": _("Only choice questions have options.")})
        return []
    if not isinstance(options, list) or len(options) < 2:
        raise ValidationError({"options": _("Give at least two options.")})
    if len(options) > MAX_OPTIONS:
        raise ValidationError({"options": ngettext(
            "Give at most %(n)d option.", "Give at most %(n)d options.", MAX_OPTIONS)
            % {"n": MAX_OPTIONS}})
    cleaned, seen = [], set()
    for position, option in enumerate(options, start=1):
        if isinstance(option, str):
            option = {"value": option, "label_fr": option, "label_en": option}
        if not isinstance(option, dict):
            raise ValidationError({"options": _("Option %(n)d: give a value and labels.")
                                   % {"n": position}})
        value = str(option.get("value") or option.get("label_fr") or "").strip()[:200]
        label_fr = str(option.get("label_fr") or value).strip()[:200]
        label_en = str(option.get("label_en") or label_fr).strip()[:200]
        if not value or value in seen:
            raise ValidationError({"options": _("Option %(n)d: each option needs its own "
                                                "value.") % {"n": position}})
        seen.add(value)
        cleaned.append({"value": value, "label_fr": label_fr, "label_en": label_en})
    return cleaned


def _clean_rules(kind: str, rules: Any) -> dict[str, Any]:
    if not rules:
        return {}
    if not isinstance(rules, dict):
        raise ValidationError({"rules": _("Give the rules as an object.")})
    allowed = {
        "short_text": {"min_length", "max_length"}, "long_text": {"min_length", "max_length"},
        "number": {"min", "max"}, "date": {"min", "max"},
        "multiple_choice": {"max_choices"},
    }.get(kind, set())
    unknown = set(rules) - allowed
    if unknown:
        raise ValidationError({"rules": _("These rules do not apply to this kind of "
                                          "question: %(r)s.") % {"r": ", ".join(sorted(unknown))}})
    for name, value in rules.items():
        try:
            if kind == "date":
                fieldkinds.clean_value("date", value)
            else:
                float(value)
        except (TypeError, ValueError, ValidationError) as exc:
            raise ValidationError({"rules": _("Rule %(r)s: give a valid value.")
                                   % {"r": name}}) from exc
    return dict(rules)


def clean_custom_field(event: Event, data: dict[str, Any],
                       instance: CustomField | None = None) -> dict[str, Any]:
    errors: dict[str, str] = {}
    kind = str(data.get("kind", instance.kind if instance else ""))
    if kind not in fieldkinds.KINDS:
        errors["kind"] = _("Choose a kind of question: %(k)s.") % {
            "k": ", ".join(fieldkinds.KINDS)}
    key = str(data.get("key", instance.key if instance else "")).strip()
    own_pk = instance.pk if instance is not None and instance.pk is not None else -1
    if not _KEY.match(key) or key in RESERVED:
        errors["key"] = _("Use a short key of lowercase letters, digits and _, starting "
                          "with a letter, and not a standard field name.")
    elif CustomField.objects.filter(event=event, key=key).exclude(pk=own_pk).exists():
        errors["key"] = _("This event already has a question with this key.")
    texts = {}
    for name, limit in (("label_fr", 200), ("label_en", 200), ("help_fr", 500),
                        ("help_en", 500), ("purpose", 300)):
        value = str(data.get(name, getattr(instance, name, "") if instance else "")).strip()
        if len(value) > limit:
            errors[name] = ngettext("Use at most %(n)d character.",
                                    "Use at most %(n)d characters.", limit) % {"n": limit}
        texts[name] = value
    for name in ("label_fr", "label_en"):
        if not texts[name] and name not in errors:
            errors[name] = _("Write the question in French and in English.")
    if not texts["purpose"]:
        errors["purpose"] = _("Say why you ask this question: the purpose is shown to "
                              "participants in the privacy notice.")
    show_if_key = str(data.get("show_if_key", instance.show_if_key if instance else "")).strip()
    show_if_value = str(data.get("show_if_value",
                                 instance.show_if_value if instance else "")).strip()
    if show_if_key:
        if show_if_key == key or not CustomField.objects.filter(
                event=event, key=show_if_key).exclude(pk=own_pk).exists():
            errors["show_if_key"] = _("Show this question only after another question of "
                                      "this event: give that question's key.")
        elif not show_if_value:
            errors["show_if_value"] = _("Give the answer that shows this question.")
    if errors:
        raise ValidationError(errors)
    options = _clean_options(kind, data.get("options", instance.options if instance else []))
    rules = _clean_rules(kind, data.get("rules", instance.rules if instance else {}))
    # The guard reads every text a participant will see (P1.4, P6.2).
    validate_field_texts(texts["label_fr"], texts["label_en"], texts["help_fr"],
                         texts["help_en"],
                         [o["label_fr"] for o in options] + [o["label_en"] for o in options])
    position = data.get("position", instance.position if instance else None)
    if position is None:
        position = CustomField.objects.filter(event=event).count()
    return {"key": key, "kind": kind, **texts, "required": bool(data.get(
        "required", instance.required if instance else False)), "options": options,
        "rules": rules, "show_if_key": show_if_key, "show_if_value": show_if_value,
        "position": int(position)}


@transaction.atomic
def add_custom_field(event: Event, data: dict[str, Any], *, actor: str,
                     created_by_id: int | None = None) -> CustomField:
    values = clean_custom_field(event, data)
    field = CustomField.objects.create(client_id=event.client_id, event=event,
                                       created_by_id=created_by_id, **values)
    record(actor, "form.custom_field_added", target=f"custom_field:{field.pk}",
           client_id=event.client_id)
    return field


@transaction.atomic
def update_custom_field(field: CustomField, data: dict[str, Any], *, actor: str) -> CustomField:
    values = clean_custom_field(field.event, data, instance=field)
    for name, value in values.items():
        setattr(field, name, value)
    field.save()
    record(actor, "form.custom_field_updated", target=f"custom_field:{field.pk}",
           client_id=field.client_id)
    return field


@transaction.atomic
def remove_custom_field(field: CustomField, *, actor: str) -> None:
    """Answers already given stay in the registrations (sealed) until their retention."""
    CustomField.objects.filter(event=field.event, show_if_key=field.key).update(
        show_if_key="", show_if_value="")
    record(actor, "form.custom_field_removed", target=f"custom_field:{field.pk}",
           client_id=field.client_id)
    field.delete()
