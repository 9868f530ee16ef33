"""The personal-data registry covers every field (DESIGN rule 3, P0.2, P3.2)."""

from __future__ import annotations

import pytest
from django.apps import apps

from livesession.protection.fields import Sealed
from livesession.protection.registry import (
    Controller,
    all_declarations,
    declaration,
    register_of_processing,
    undeclared_fields,
)

pytestmark = pytest.mark.no_db

# Third-party models that hold personal data must be declared too.
THIRD_PARTY = {"sessions.Session"}


def _our_models() -> list[type]:
    return [model for model in apps.get_models()
            if model.__module__.startswith("livesession.")
            or model._meta.label in THIRD_PARTY]


def test_p0_2_every_field_of_every_model_is_classified() -> None:
    """A model field that is neither declared personal nor not personal fails here: a new
    column cannot hold personal data unnoticed."""
    missing = {model._meta.label: undeclared_fields(model) for model in _our_models()}
    missing = {label: fields for label, fields in missing.items() if fields}
    assert missing == {}, f"declare these fields in the app's personal_data.py: {missing}"


def test_p0_2_declarations_name_real_fields() -> None:
    stale = {}
    for label, decl in all_declarations().items():
        model = apps.get_model(label)
        names = {f.name for f in model._meta.concrete_fields}
        unknown = (set(decl.personal) | set(decl.not_personal)) - names
        if unknown:
            stale[label] = sorted(unknown)
    assert stale == {}


def test_p0_2_every_sealed_attribute_is_declared_personal_and_shreddable() -> None:
    for model in _our_models():
        decl = declaration(model)
        for name, attr in vars(model).items():
            if isinstance(attr, Sealed):
                assert decl is not None
                assert decl.sealed.get(name) == attr.column, f"{model._meta.label}.{name}"
                assert attr.column in decl.personal, f"{model._meta.label}.{attr.column}"
                assert decl.personal[attr.column].erase == "shred"


def test_p0_2_participant_data_belongs_to_the_client_accounts_to_the_operator() -> None:
    reg = declaration("registrations.Registration")
    account = declaration("accounts.User")
    assert reg is not None and account is not None
    assert {p.controller for p in reg.personal.values()} == {Controller.CLIENT}
    assert {p.controller for p in account.personal.values()} == {Controller.OPERATOR}


def test_p3_2_register_of_processing_is_generated_from_the_declarations() -> None:
    rows = register_of_processing()
    fields = {(row["model"], row["field"]) for row in rows}
    assert ("registrations.Registration", "email_enc") in fields
    assert all(row["purpose"] and row["legal_basis"] and row["retention"] for row in rows)
    total = sum(len(d.personal) for d in all_declarations().values())
    assert len(rows) == total
