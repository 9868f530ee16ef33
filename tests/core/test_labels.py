"""Every audit action written by the code, and every kind of email it queues, has a label
in ``core/labels.py``: a page never falls back to the code itself."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from livesession.core.labels import ACTIONS, MESSAGE_KINDS

SOURCE = Path(__file__).resolve().parents[2] / "src" / "livesession"
_RECORDERS = {"record", "audit_record", "record_change"}


def _calls() -> list[tuple[Path, ast.Call]]:
    found = []
    for path in SOURCE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                found.append((path, node))
    return found


def _name(call: ast.Call) -> str:
    return getattr(call.func, "id", None) or getattr(call.func, "attr", None) or ""


def test_every_audit_action_in_the_code_has_a_label() -> None:
    actions: set[str] = set()
    for path, call in _calls():
        name = _name(call)
        if len(call.args) < 2 or not isinstance(call.args[1], ast.Constant):
            continue
        value = call.args[1].value
        if not isinstance(value, str):
            continue
        if name in _RECORDERS:
            actions.add(value)
        elif name == "_audit" and path.parent.name == "desk":
            actions.add(f"desk.{value}")  # desk/services._audit prefixes its actions
    assert len(actions) > 100  # the scan found the code's actions
    assert sorted(actions - set(ACTIONS)) == []


def test_every_kind_of_email_in_the_code_has_a_label() -> None:
    kinds: set[str] = set()
    for path, call in _calls():
        name = _name(call)
        for keyword in call.keywords:
            if keyword.arg == "kind" and name == "queue_email" and isinstance(
                    keyword.value, ast.Constant):
                kinds.add(str(keyword.value.value))
        first = call.args[1] if len(call.args) > 1 else None
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            if name == "_mail" and path.parent.name == "accounts":
                kinds.add(f"account.{first.value}")
            elif name in ("_mail_person", "mail_staff"):
                kinds.add(f"desk.{first.value}")
    constants = re.findall(r'_KIND = "([a-z_.]+)"',
                           (SOURCE / "incidents" / "notices.py").read_text(encoding="utf-8"))
    kinds |= set(constants)
    assert {"account.verify", "account.reset", "desk.code", "breach.participant"} <= kinds
    assert sorted(kinds - set(MESSAGE_KINDS)) == []
