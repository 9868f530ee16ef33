"""Writes on an event's form: standard-field scope and custom fields (P1.1, P1.2, P1.4).

Every text a client writes for a question passes the sensitive-data guard (P1.4, P6.2)
before it is stored, whether it comes from the Manager or the API.
"""

from __future__ import annotations

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
from livesession.registrations.fieldkeys import (
    KEY_PATTERN,
    RESERVED,
    moved,
    unique_key,
    unique_value,
)
from livesession.registrations.models import CustomField, Registration

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


def _clean_options(kind: str, options: Any,
                   previous: list[dict[str, Any]] | None = None) -> list[dict[str, str]]:
    """Options as ``{"value", "label_fr", "label_en"}``. A plain string is all three; an
    option given without a value (the Manager's new rows, or the API) gets one made from its
    French label, unique among this question's values, old ones included: a value names
    answers already given, so it never changes once made."""
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
    given = [o for o in options if isinstance(o, str) or not isinstance(o, dict)
             or str(o.get("value") or "").strip()]
    taken = {str(o.get("value")) for o in previous or [] if isinstance(o, dict)}
    taken |= {str(o if isinstance(o, str) else o.get("value") or "").strip()[:200]
              for o in given if isinstance(o, str | dict)}
    cleaned: list[dict[str, str]] = []
    seen: set[str] = set()
    new_labels: set[str] = set()
    for position, option in enumerate(options, start=1):
        if isinstance(option, str):
            option = {"value": option, "label_fr": option, "label_en": option}
        if not isinstance(option, dict):
            raise ValidationError({"options": _("Option %(n)d: give a value and labels.")
                                   % {"n": position}})
        label_fr = str(option.get("label_fr") or option.get("value") or "").strip()[:200]
        value = str(option.get("value") or "").strip()[:200]
        if not value and label_fr:
            if label_fr in new_labels:
                raise ValidationError({"options": _(
                    "Option %(n)d: another option already reads «%(label)s»; give each "
                    "option its own French label.") % {"n": position, "label": label_fr}})
            new_labels.add(label_fr)
            value = unique_value(label_fr, taken)
            taken.add(value)
        label_fr = label_fr or value
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


def answers_possible(field: CustomField) -> bool:
    """Whether a registration may hold an answer under this question's key and values.
    Answers are sealed, so they are not read here: any registration of the event made or
    changed since the question was added counts."""
    return Registration.objects.filter(event_id=field.event_id,
                                       updated_at__gte=field.created_at).exists()


def key_dependents(field: CustomField) -> list[CustomField]:
    """The event's other questions shown only after an answer to this one."""
    return list(CustomField.objects.filter(event_id=field.event_id, show_if_key=field.key)
                .exclude(pk=field.pk).order_by("position", "id"))


def _option_value(target: CustomField, written: str) -> str:
    """The value of the option of ``target`` that ``written`` names, by value or by either
    label (people write what they read); ``written`` itself when none matches."""
    folded = written.casefold()
    for option in target.options:
        if written == str(option.get("value")):
            return written
    for option in target.options:
        if folded in {str(option.get("label_fr", "")).casefold(),
                      str(option.get("label_en", "")).casefold()}:
            return str(option.get("value"))
    return written


def clean_custom_field(event: Event, data: dict[str, Any],
                       instance: CustomField | None = None) -> dict[str, Any]:
    errors: dict[str, str] = {}
    kind = str(data.get("kind", instance.kind if instance else ""))
    if kind not in fieldkinds.KINDS:
        errors["kind"] = _("Choose a kind of question: %(k)s.") % {
            "k": ", ".join(fieldkinds.KINDS)}
    own_pk = instance.pk if instance is not None and instance.pk is not None else -1
    others = CustomField.objects.filter(event=event).exclude(pk=own_pk)
    # No key given: a new question gets one made from its label, an existing one keeps its
    # own (a key names answers, so it never follows a reworded label).
    key = str(data.get("key") or "").strip()
    if not key and instance is not None:
        key = instance.key
    if not key:
        label = str(data.get("label_fr") or data.get("label_en") or "")
        key = unique_key(label, others.values_list("key", flat=True))
    if not KEY_PATTERN.match(key) or key in RESERVED:
        errors["key"] = _("Use a short key of lowercase letters, digits and _, starting "
                          "with a letter, and not a standard field name.")
    elif others.filter(key=key).exists():
        errors["key"] = _("This event already has a question with this key.")
    elif instance is not None and key != instance.key and answers_possible(instance):
        errors["key"] = _("Participants have registered since this question was added: "
                          "their answers are stored under «%(key)s», so it can no longer "
                          "change.") % {"key": instance.key}
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
        else:
            show_if_value = _option_value(others.get(key=show_if_key), show_if_value)
    if errors:
        raise ValidationError(errors)
    options = _clean_options(kind, data.get("options", instance.options if instance else []),
                             instance.options if instance else None)
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
    if values["key"] != field.key:
        # The conditions of other questions follow the renamed key.
        CustomField.objects.filter(event_id=field.event_id, show_if_key=field.key).exclude(
            pk=field.pk).update(show_if_key=values["key"])
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


@transaction.atomic
def move_custom_field(field: CustomField, direction: str, *, actor: str) -> bool:
    """Move a question one place ``"up"`` or ``"down"`` in its event's form and renumber
    the positions 0, 1, 2…; False when it is already at that end. Only positions change, so
    a question written before a rule existed does not block the others from moving."""
    if direction not in {"up", "down"}:
        raise ValidationError({"direction": _("Choose up or down.")})
    rows = list(CustomField.objects.select_for_update().filter(event_id=field.event_id)
                .order_by("position", "id"))
    index = next(i for i, row in enumerate(rows) if row.pk == field.pk)
    reordered = moved(rows, index, direction)
    if reordered == rows:
        return False
    for position, row in enumerate(reordered):
        if row.position != position:
            CustomField.objects.filter(pk=row.pk).update(position=position)
    field.position = reordered.index(rows[index])
    record(actor, "form.custom_field_moved", target=f"custom_field:{field.pk}",
           client_id=field.client_id, details={"direction": direction})
    return True
