"""Every model holding exportable personal data has a path to its person (issue 5 §1,
GDPR art. 15; reference R-05): otherwise the access export would silently miss it."""

from __future__ import annotations

from typing import Any

from livesession.protection import subject_rows
from livesession.protection.registry import all_declarations
from tests.conftest import PASSWORD


def test_p4_1_every_model_with_exportable_personal_fields_has_a_path() -> None:
    missing = [model._meta.label for model in subject_rows.models_with_exportable_data()
               if not subject_rows.has_path(model)]
    assert not missing, f"no path to the person (add one in protection/subject_rows.py): {missing}"


def test_p4_1_the_registry_has_exportable_models() -> None:
    labels = {m._meta.label for m in subject_rows.models_with_exportable_data()}
    assert {"accounts.User", "registrations.Registration", "privacy.ConsentRecord",
            "access.Attendance", "messaging.OutboxMessage"} <= labels
    assert labels <= set(all_declarations())


def test_p4_1_rows_of_a_person_are_theirs_only(db: Any) -> None:
    from livesession.accounts.models import User
    from livesession.accounts.services import create_account

    one = create_account("one@example.org", PASSWORD, actor="test")
    other = create_account("other@example.org", PASSWORD, actor="test")
    person = subject_rows.person_of(one)
    assert list(subject_rows.rows_of(User, person)) == [one]
    assert other.pk not in subject_rows.rows_of(User, person).values_list("pk", flat=True)
    assert f"account:{one.pk}" in person.pseudonyms
