"""Retention rules as data (issue 6 §1, D-01, D-02): seeded from the policy's promises, one per
registry category, a client may shorten and never lengthen (P2.5, P3.8, P4.4, P6.10)."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.utils import translation

from livesession.audit.models import AuditEntry
from livesession.protection.registry import all_declarations
from livesession.retention import categories, services
from livesession.retention.models import ClientPeriod, RetentionRule


@pytest.mark.no_db
def test_d_01_every_registry_model_with_personal_data_has_a_category_with_a_rule() -> None:
    missing = [label for label, decl in sorted(all_declarations().items())
               if decl.personal and categories.category_of(label) not in
               categories.RULES_BY_CATEGORY]
    assert missing == [], ("add these models to retention/categories.py "
                           "(MODEL_CATEGORIES or APP_DEFAULTS)")


@pytest.mark.no_db
def test_d_01_the_category_check_catches_an_unmapped_model() -> None:
    assert categories.category_of("nowhere.Thing") is None
    assert categories.category_of("access.Attendance") == categories.ATTENDANCE


def test_d_01_rules_are_seeded_from_the_policy_and_idempotent() -> None:
    services.ensure_rules()
    assert services.ensure_rules() == 0
    seeded = {row.category: row for row in RetentionRule.objects.all()}
    assert set(seeded) == set(categories.RULES_BY_CATEGORY)
    assert seeded["client_data"].period_days == 60 and seeded["client_data"].clause == "P4.4"
    assert seeded["end_of_services"].period_days == 365  # P6.10
    assert seeded["accounts"].period_days == 1095  # P3.8
    assert all(apps.get_model("retention", "RetentionRule") for _ in seeded)


def test_d_02_a_client_may_shorten_a_period(client_a: Any, client_b: Any) -> None:
    assert services.period_for("registrations", client_a) == 365
    services.set_client_period(client_a, "registrations", 30, actor="account:1")
    assert services.period_for("registrations", client_a) == 30
    assert services.period_for("registrations", client_a.pk) == 30
    assert services.period_for("registrations", client_b) == 365  # the other client's own
    entry = AuditEntry.objects.filter(action="retention.period_changed").get()
    assert entry.details == {"category": "registrations", "before": 365, "after": 30,
                             "bound": 365}
    services.set_client_period(client_a, "registrations", None, actor="account:1")
    assert services.period_for("registrations", client_a) == 365


def test_d_02_a_client_cannot_lengthen_past_the_bound(client_a: Any) -> None:
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.set_client_period(client_a, "registrations", 366, actor="account:1")
    assert "365 days" in refused.value.messages[0]
    assert not ClientPeriod.objects.exists()
    with pytest.raises(ValidationError):
        services.set_client_period(client_a, "registrations", 0, actor="account:1")
    with pytest.raises(ValidationError):  # the operator's own categories are not the client's
        services.set_client_period(client_a, "accounts", 10, actor="account:1")
    with pytest.raises(KeyError):
        services.period_for("nonsense", client_a)
