"""The personal-data registry: one declaration per model, one line per field (DESIGN rule 3).

Every concrete field of every model of ours is classified, either as personal data with its
controller, purpose, legal basis, retention rule and export/erase handlers, or as not
personal. ``tests/protection/test_registry.py`` walks all models and fails on any field that
is neither. Export, erasure, the register of processing and the privacy notice read from
here, so they cannot drift from the code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.apps import apps
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Controller(StrEnum):
    OPERATOR = "operator"  # platform accounts (P0.2)
    CLIENT = "client"      # the client's participant data; the operator is processor


class Basis(StrEnum):
    CONSENT = "consent"                # GDPR art. 6(1)(a)
    CONTRACT = "contract"              # art. 6(1)(b)
    LEGAL_OBLIGATION = "legal_obligation"
    LEGITIMATE_INTEREST = "legitimate_interest"


CONTROLLER_LABELS = {
    Controller.OPERATOR: _("the platform operator"),
    Controller.CLIENT: _("the organizer (client); the operator is its processor"),
}
BASIS_LABELS = {
    Basis.CONSENT: _("consent (GDPR art. 6.1.a)"),
    Basis.CONTRACT: _("performance of a contract (GDPR art. 6.1.b)"),
    Basis.LEGAL_OBLIGATION: _("legal obligation (GDPR art. 6.1.c)"),
    Basis.LEGITIMATE_INTEREST: _("legitimate interest (GDPR art. 6.1.f)"),
}


class Erase(StrEnum):
    SHRED = "shred"            # encrypted with the subject key: destroying the key erases it
    DELETE_ROW = "delete_row"  # the row goes with the person
    CLEAR = "clear"            # the column is blanked, the row stays (aggregates, evidence)
    KEEP_PSEUDONYMOUS = "keep_pseudonymous"  # a keyed hash that no longer links to anything


class Export(StrEnum):
    VALUE = "value"        # the (decrypted) value, as is
    OMIT = "omit"          # technical data of no use to the person (hashes, ciphertext)


@dataclass(frozen=True)
class Personal:
    controller: Controller
    purpose: str | Promise
    basis: Basis
    retention: str | Promise
    erase: Erase
    export: Export = Export.VALUE
    label: str | Promise = ""


@dataclass
class ModelDeclaration:
    model_label: str
    personal: dict[str, Personal] = field(default_factory=dict)
    not_personal: frozenset[str] = frozenset()
    # Attributes (``Sealed``) whose ciphertext column is declared above, for export.
    sealed: dict[str, str] = field(default_factory=dict)
    # How a row reaches its person, as an ORM lookup to the ``Subject`` id (issue 5 §5):
    # erasure filters ``<subject_path>__in=[ids]``. Empty: found by ``erasure`` itself (a
    # ``subject`` foreign key, or the Subject model). ``UNLINKED``: the row holds no link
    # to any person (a keyed hash of a network address) and expires on its own.
    subject_path: str = ""
    # What the notice and the register call the model and its fields, marked for
    # translation: Django's automatic names ("legal hold", "warned at") are English only.
    name: str | Promise = ""
    labels: dict[str, str | Promise] = field(default_factory=dict)


# A ``subject_path`` for rows that no person can be traced from (see ModelDeclaration).
UNLINKED = "-"

# Labels for technical columns, so the notice reads as words, not column names.
COMMON_LABELS = {
    "subject": _("pseudonymous person identifier"),
    "email_index": _("keyed hash of the email address"),
    "token_digest": _("hash of the personal access link"),
    "token_enc": _("personal access link"),
    "created_at": _("date of registration"),
    "created_by": _("author"),
    "joined_at": _("time of joining"),
    "registration": _("registration it belongs to"),
    "language": _("language"),
    "status": _("status"),
    "user": _("account"),
    "account": _("account"),
    "actor": _("who acted"),
    "target": _("what was acted on"),
    "wrapped": _("encryption key (wrapped)"),
    "date_joined": _("account creation date"),
    "confidentiality_ack_at": _("confidentiality acknowledgement date"),
    "password": _("password (hashed)"),
}

_REGISTRY: dict[str, ModelDeclaration] = {}


def declare(model: type | str, *, personal: dict[str, Personal] | None = None,
            not_personal: list[str] | tuple[str, ...] = (),
            sealed: dict[str, str] | None = None, subject_path: str = "",
            name: str | Promise = "", labels: dict[str, str | Promise] | None = None) -> None:
    label = model if isinstance(model, str) else model._meta.label  # type: ignore[attr-defined]
    overlap = set(personal or {}) & set(not_personal)
    if overlap:
        raise ValueError(f"{label}: {sorted(overlap)} declared both personal and not personal")
    unknown = set(labels or {}) - set(personal or {})
    if unknown:
        raise ValueError(f"{label}: labels for fields not declared personal: {sorted(unknown)}")
    _REGISTRY[label] = ModelDeclaration(
        model_label=label,
        personal=dict(personal or {}),
        not_personal=frozenset(not_personal),
        sealed=dict(sealed or {}),
        subject_path=subject_path,
        name=name,
        labels=dict(labels or {}),
    )


def declaration(model: Any) -> ModelDeclaration | None:
    label = model if isinstance(model, str) else model._meta.label
    return _REGISTRY.get(label)


def all_declarations() -> dict[str, ModelDeclaration]:
    return dict(_REGISTRY)


def undeclared_fields(model: Any) -> list[str]:
    decl = declaration(model)
    names = [f.name for f in model._meta.concrete_fields]
    if decl is None:
        return names
    known = set(decl.personal) | decl.not_personal
    return [name for name in names if name not in known]


def _field_label(item: Personal, field: Any) -> str:
    if item.label:
        return str(item.label)
    decl = _REGISTRY.get(field.model._meta.label)
    if decl is not None and field.name in decl.labels:
        return str(decl.labels[field.name])
    automatic = field.name.replace("_", " ")
    if str(field.verbose_name) == automatic and field.name in COMMON_LABELS:
        return str(COMMON_LABELS[field.name])
    return str(field.verbose_name)


def register_of_processing() -> list[dict[str, str]]:
    """The register's rows (GDPR art. 30), generated from the declarations (P3.2)."""
    rows = []
    for label, decl in sorted(_REGISTRY.items()):
        model = apps.get_model(label)
        for name, item in sorted(decl.personal.items()):
            field = model._meta.get_field(name)
            rows.append({
                "model": label,
                "field": name,
                "data": f"{decl.name or model._meta.verbose_name}: "
                        f"{_field_label(item, field)}",
                "controller": item.controller.value,
                "controller_label": str(CONTROLLER_LABELS[item.controller]),
                "purpose": str(item.purpose),
                "legal_basis": item.basis.value,
                "legal_basis_label": str(BASIS_LABELS[item.basis]),
                "retention": str(item.retention),
                "erasure": item.erase.value,
            })
    return rows
