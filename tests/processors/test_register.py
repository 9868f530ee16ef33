"""The sub-processor register (issue 6 §4): hosting only (P6.11), a lawful ground for each
transfer (P2.4, T-02), every client told of a change with an objection window (P-07)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from livesession.audit.models import AuditEntry
from livesession.core.clock import freeze, now
from livesession.core.models import Role
from livesession.messaging.models import OutboxMessage
from livesession.processors import services
from livesession.processors.models import ChangeNotice, Objection, SubProcessor


def _start() -> dt.date:
    return now().date() + dt.timedelta(days=settings.SUBPROCESSOR_OBJECTION_DAYS)


def entry(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "legal_entity": "Stockage Europe SAS", "service_kind": "hosting_storage",
        "service": "Object storage for backups, Roubaix", "country": "FR",
        "data_categories": ["backups"], "mechanism": "eea", "active_from": _start()}
    data.update(overrides)
    return data


def errors_of(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


def test_p6_11_a_service_that_is_not_hosting_is_refused(client_a: Any) -> None:
    before = SubProcessor.objects.count()
    for kind in ("email", "analytics", "support", "video", "other"):
        with translation.override("en"), pytest.raises(ValidationError) as exc:
            services.add_subprocessor(entry(service_kind=kind), actor="account:1")
        message = errors_of(exc)["service_kind"][0]
        assert "Only hosting can be a sub-processor" in message and "P6.11" in message
    assert SubProcessor.objects.count() == before
    assert not ChangeNotice.objects.exists() and not OutboxMessage.objects.exists()


@pytest.mark.parametrize(("overrides", "field", "words"), [
    ({"country": "DE", "mechanism": "dpf"}, "mechanism", "is in the EEA"),
    ({"country": "US", "mechanism": "eea"}, "mechanism", "outside the EEA"),
    ({"country": "US", "mechanism": "dpf"}, "dpf_checked_on", "Give the date you checked"),
    ({"country": "US", "mechanism": "dpf", "dpf_checked_on": dt.date(2020, 1, 1)},
     "dpf_checked_on", "more than a year old"),
    ({"country": "BR", "mechanism": "adequacy"}, "mechanism", "no adequacy decision"),
    ({"country": "JP", "mechanism": "dpf", "dpf_checked_on": dt.date.today()}, "mechanism",
     "United States only"),
    ({"country": "IN", "mechanism": "scc", "scc_module": "Module 3"}, "tia_reference",
     "transfer impact assessment"),
    ({"country": "", "mechanism": "eea"}, "country", "Choose the country"),
    ({"data_categories": []}, "data_categories", "Tick the categories"),
    ({"legal_entity": " "}, "legal_entity", "legal entity"),
])
def test_p2_4_each_transfer_needs_its_ground(overrides: dict[str, Any], field: str,
                                             words: str) -> None:
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.add_subprocessor(entry(**overrides), actor="account:1")
    assert words in " ".join(errors_of(exc)[field])


def test_p2_4_valid_grounds_are_kept_with_their_evidence() -> None:
    today = now().date()
    dpf = services.add_subprocessor(entry(legal_entity="Cloud Inc.", country="US",
                                          mechanism="dpf", dpf_checked_on=today,
                                          scc_module="ignored"), actor="account:1")
    assert dpf.dpf_checked_on == today and dpf.scc_module == ""
    uk = services.add_subprocessor(entry(legal_entity="UK Hosting Ltd", country="GB",
                                         mechanism="adequacy"), actor="account:1")
    assert uk.adequacy_decision == "Decision (EU) 2021/1772"
    scc = services.add_subprocessor(entry(legal_entity="Mumbai DC", country="IN",
                                          mechanism="scc", scc_module="Module 3",
                                          tia_reference="TIA-2026-04"), actor="account:1")
    assert scc.tia_reference == "TIA-2026-04"
    with translation.override("en"):
        found = {e["legal_entity"]: e for e in services.for_notice()}
    assert "checked on" in found["Cloud Inc."]["safeguard"]
    assert "2021/1772" in found["UK Hosting Ltd"]["safeguard"]
    assert "TIA-2026-04" in found["Mumbai DC"]["safeguard"]
    assert found["Mumbai DC"]["in_eea"] is False and found["Mumbai DC"]["upcoming"] is True


def test_p2_4_a_new_provider_starts_only_after_the_objection_window() -> None:
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.add_subprocessor(entry(active_from=now().date() + dt.timedelta(days=5)),
                                  actor="account:1")
    assert "at the earliest" in errors_of(exc)["active_from"][0]
    services.add_subprocessor(entry(), actor="account:1")  # on the first day allowed


def test_p2_4_the_register_is_seeded_from_the_settings() -> None:
    seeded = SubProcessor.objects.order_by("pk").first()
    assert seeded is not None
    assert seeded.legal_entity == settings.HOSTING_PROVIDER_NAME
    assert seeded.country == "FR" and seeded.mechanism == "eea"  # HOSTING_COUNTRY France (EU)
    assert seeded.pk in {e["id"] for e in services.for_notice()}


def test_p2_4_adding_tells_every_clients_owners_and_admins(
        client_a: Any, client_b: Any, make_member: Any, smtp_server: Any,
        django_capture_on_commit_callbacks: Any) -> None:
    make_member(client_a, Role.ADMIN, "admin@alpha.test")
    make_member(client_a, Role.ORGANIZER, "organizer@alpha.test")
    make_member(client_b, Role.VIEWER, "viewer@beta.test")
    with django_capture_on_commit_callbacks(execute=True):
        row = services.add_subprocessor(entry(), actor="account:1")
    notice = ChangeNotice.objects.get(subprocessor=row)
    assert notice.recipients == 3 and notice.change == "added"
    assert notice.objection_until == notice.sent_at + dt.timedelta(
        days=settings.SUBPROCESSOR_OBJECTION_DAYS)
    to = sorted(m["X-Envelope-To"] for m in smtp_server.messages)
    assert to == ["admin@alpha.test", "owner@alpha.test", "owner@beta.test"]
    body = smtp_server.messages[0].get_payload(decode=True).decode()
    assert "Stockage Europe SAS" in body and "/subprocessors/" in body
    actions = set(AuditEntry.objects.filter(target=f"subprocessor:{row.pk}")
                  .values_list("action", flat=True))
    assert {"subprocessor.added", "subprocessor.notice_sent"} <= actions


def test_p2_4_a_change_is_announced_but_a_recheck_is_not(client_a: Any) -> None:
    row = services.add_subprocessor(entry(country="US", mechanism="dpf",
                                          dpf_checked_on=now().date() - dt.timedelta(days=300)),
                                    actor="account:1")
    services.change_subprocessor(row, {"dpf_checked_on": now().date()}, actor="account:1")
    assert ChangeNotice.objects.filter(subprocessor=row).count() == 1
    recheck = AuditEntry.objects.filter(action="subprocessor.changed").last()
    assert recheck is not None and recheck.details["fields"] == ["dpf_checked_on"]
    services.change_subprocessor(row, {"country": "IE", "mechanism": "eea"},
                                 actor="account:1")
    notices = ChangeNotice.objects.filter(subprocessor=row).order_by("pk")
    assert notices.count() == 2 and notices.last().change == "changed"  # type: ignore[union-attr]
    assert notices.last().changes["country"] == {"old": "US", "new": "IE"}  # type: ignore[union-attr]
    with pytest.raises(ValidationError):
        services.change_subprocessor(row, {"service_kind": "email"}, actor="account:1")


def test_p2_4_owner_objects_within_the_window_only(client_a: Any, owner_a: Any,
                                                   make_member: Any) -> None:
    row = services.add_subprocessor(entry(), actor="account:1")
    notice = ChangeNotice.objects.get(subprocessor=row)
    owner = client_a.memberships.get(user=owner_a)
    viewer = client_a.memberships.get(user=make_member(client_a, Role.VIEWER, "v@alpha.test"))
    with pytest.raises(PermissionDenied):
        services.object_to(notice, viewer, reason="No", actor="account:2")
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.object_to(notice, owner, reason="  ", actor="account:1")
    assert "Say why" in errors_of(exc)["reason"][0]
    services.object_to(notice, owner, reason="Our contract names one host.", actor="account:1")
    assert Objection.objects.get(notice=notice, client=client_a).withdrawn_at is None
    assert services.withdraw_objection(notice, owner, actor="account:1")
    assert Objection.objects.get(notice=notice).withdrawn_at is not None
    with freeze(notice.objection_until + dt.timedelta(seconds=1)), \
            translation.override("en"), pytest.raises(ValidationError) as exc:
        services.object_to(notice, owner, reason="Too late?", actor="account:1")
    assert "period for this change ended" in errors_of(exc)["reason"][0]
    with freeze(notice.objection_until - dt.timedelta(seconds=1)):
        services.object_to(notice, owner, reason="Last minute", actor="account:1")
    assert Objection.objects.get(notice=notice).reason == "Last minute"


def test_p2_4_seed_skips_a_country_outside_the_eea(settings: Any) -> None:
    SubProcessor.objects.all().delete()
    settings.HOSTING_COUNTRY = "United States"
    assert services.seed_from_settings() is None and not SubProcessor.objects.exists()
    settings.HOSTING_COUNTRY = "Allemagne"
    assert services.seed_from_settings() is not None
    assert SubProcessor.objects.get().country == "DE"
    assert services.seed_from_settings() is None  # once: the register is not empty


def test_p2_4_a_dpf_check_older_than_a_year_is_flagged_once(operator: Any) -> None:
    row = services.add_subprocessor(entry(legal_entity="Cloud Inc.", country="US",
                                          mechanism="dpf", dpf_checked_on=now().date()),
                                    actor="account:1")
    assert services.flag_stale_dpf_checks() == 0
    later = now() + dt.timedelta(days=367)
    with freeze(later):
        assert services.flag_stale_dpf_checks() == 1
        assert services.flag_stale_dpf_checks() == 0  # once per check date
        mails = OutboxMessage.objects.filter(kind="processors.dpf_stale")
        assert mails.count() == 1 and mails.get().to == "staff@operator.test"
        # Checked again: nothing to flag, and no notice to the clients for a re-check.
        services.change_subprocessor(row, {"dpf_checked_on": later.date()}, actor="account:1")
        assert services.flag_stale_dpf_checks() == 0
    assert ChangeNotice.objects.filter(subprocessor=row).count() == 1
