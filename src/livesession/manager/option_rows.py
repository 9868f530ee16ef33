"""The options of a choice question, edited as rows: one row per option with its French and
English labels, its stored value carried along hidden and never typed.

The rows are a Django formset (prefix ``option``). Adding, removing and moving a row are
submit buttons of the question form itself (``option_action`` = ``add``, ``remove-<i>``,
``up-<i>``, ``down-<i>``): the server answers with the same page, every typed value kept,
the rows changed, and nothing saved until the organizer saves the question. So the page
works without JavaScript and every button is a real, keyboard-reachable button.
"""

from __future__ import annotations

import re
from typing import Any, cast

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from livesession.registrations.fieldkeys import moved
from livesession.registrations.fields_services import MAX_OPTIONS

PREFIX = "option"
ACTION = "option_action"
# A new choice question starts with this many empty rows: two options at least, and a third
# so that the usual small list needs no extra click.
EMPTY_ROWS = 3
_ACTION = re.compile(r"^(up|down|remove)-(\d{1,3})$")
_FIELDS = ("value", "label_fr", "label_en")


class OptionForm(forms.Form):
    value = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)
    label_fr = forms.CharField(label=gettext_lazy("In French"), required=False,
                               max_length=200)
    label_en = forms.CharField(label=gettext_lazy("In English (optional)"), required=False,
                               max_length=200)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not str(data.get("label_fr") or "").strip() and str(
                data.get("label_en") or "").strip():
            self.add_error("label_fr", _("Write this option in French too."))
        return data


class BaseOptionRows(forms.BaseFormSet):
    def rows(self) -> list[dict[str, str]]:
        """The filled rows, in order, as ``fields_services`` reads options; empty rows are
        left out (a new question shows a few)."""
        rows = []
        for form in self.forms:
            data = form.cleaned_data
            if str(data.get("label_fr") or "").strip() or str(data.get("label_en") or "").strip():
                rows.append({name: str(data.get(name) or "").strip() for name in _FIELDS})
        return rows


_OptionRows = formset_factory(OptionForm, formset=BaseOptionRows, extra=0,
                              max_num=MAX_OPTIONS, absolute_max=MAX_OPTIONS + 1)


def _rows(data: Any = None, initial: list[dict[str, str]] | None = None) -> BaseOptionRows:
    return cast(BaseOptionRows, _OptionRows(data, initial=initial, prefix=PREFIX))


def blank_rows(count: int = EMPTY_ROWS) -> list[dict[str, str]]:
    return [dict.fromkeys(_FIELDS, "") for _ in range(count)]


def for_options(options: list[dict[str, Any]]) -> BaseOptionRows:
    """Unbound rows for a stored question (or empty rows for a new one)."""
    rows = [{name: str(option.get(name) or "") for name in _FIELDS} for option in options]
    return _rows(initial=rows or blank_rows())


def raw_rows(data: Any) -> list[dict[str, str]]:
    """The rows exactly as typed, without checking them: for re-showing the page after a row
    button, when nothing is being saved."""
    try:
        total = int(data.get(f"{PREFIX}-TOTAL_FORMS", 0))
    except (TypeError, ValueError):
        total = 0
    total = max(0, min(total, MAX_OPTIONS))
    return [{name: str(data.get(f"{PREFIX}-{index}-{name}", "")) for name in _FIELDS}
            for index in range(total)]


def apply_action(rows: list[dict[str, str]], action: str) -> list[dict[str, str]]:
    """The rows after one row button: a new empty row at the end, a row removed (always at
    least one row left to type in) or moved one step."""
    if action == "add":
        return rows + blank_rows(1) if len(rows) < MAX_OPTIONS else rows
    found = _ACTION.match(action)
    if not found:
        return rows
    verb, index = found.group(1), int(found.group(2))
    if verb == "remove":
        remaining = [row for i, row in enumerate(rows) if i != index]
        return remaining or blank_rows(1)
    return moved(rows, index, verb)


def after_action(data: Any, action: str = "") -> BaseOptionRows:
    """Unbound rows as typed, changed by ``action`` (none: as they are)."""
    return _rows(initial=apply_action(raw_rows(data), action) or blank_rows())


def bound(data: Any) -> BaseOptionRows:
    return _rows(data)
