"""Export and erasure find a person's rows by one path finder (``subject_rows``), so the
copy a client sends (P6.3, art. 15) shows exactly the rows its erasure removes (P6.8)."""

from __future__ import annotations

from typing import Any

from django.apps import apps

from livesession.access.attendance import record_access
from livesession.privacy import services as consents
from livesession.privacy.models import ConsentPurpose
from livesession.protection import erasure, subject_rows
from livesession.protection.registry import all_declarations
from livesession.registrations.services import register


def test_p6_8_export_and_erasure_follow_the_same_paths(event_a: Any, event_b: Any,
                                                       client_a: Any) -> None:
    first = register(event_a, email="noa@example.org", first_name="Noa",
                     last_name="Lemaire").registration
    register(event_b, email="noa@example.org", first_name="Noa", last_name="Lemaire")
    register(event_a, email="other@example.org", first_name="Other", last_name="Person")
    consents.ensure_builtin_purposes(client_a)
    purpose = ConsentPurpose.objects.filter(client=client_a).order_by("pk").first()
    assert purpose is not None
    consents.record_consent(client_id=client_a.pk, subject=first.subject, purpose=purpose,
                            given=True, language="en", channel="web",
                            registration_id=first.pk)
    record_access(first, None, "device-1")
    person = subject_rows.person_at_client(first.subject)
    compared = []
    for label, decl in sorted(all_declarations().items()):
        model = apps.get_model(label)
        lookup = erasure.subject_path(model, decl)
        if lookup is None or not subject_rows.exportable_fields(decl):
            continue
        erased = set(model._default_manager.filter(**{f"{lookup}__in": [first.subject_id]})
                     .values_list("pk", flat=True))
        exported = set(subject_rows.rows_of(model, person).values_list("pk", flat=True))
        assert exported == erased, label
        if erased:
            compared.append(label)
    # the comparison covered the person's real rows, not only empty sets
    assert {"registrations.Registration", "privacy.ConsentRecord", "access.Attendance",
            "messaging.OutboxMessage"} <= set(compared)
    assert erasure.subject_path is subject_rows.subject_lookup
