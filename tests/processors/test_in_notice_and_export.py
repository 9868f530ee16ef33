"""The sub-processor register reaches the privacy notice and the access export (P2.4,
P6.11; GDPR art. 13(1)(e)-(f) and 15(1)(c), 15(2)): each hosting provider is a recipient,
and one outside the EEA is a transfer with its safeguard. A change of the register is a
new version of the notice (P0.3)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import translation

from livesession.accounts.services import create_account
from livesession.core.clock import now
from livesession.privacy import services as privacy
from livesession.processors import services
from livesession.protection import access_export


def _us_provider() -> dict[str, Any]:
    return {"legal_entity": "Cloud Storage Inc.", "service_kind": "hosting_storage",
            "service": "Backup storage, Virginia", "country": "US",
            "data_categories": ["backups"], "mechanism": "dpf",
            "dpf_checked_on": now().date(),
            # the earliest start: after the clients' objection window (announced until then)
            "active_from": now().date() + dt.timedelta(days=settings.SUBPROCESSOR_OBJECTION_DAYS)}


def test_p2_4_a_provider_outside_the_eea_is_a_transfer_in_the_notice(client_a: Any) -> None:
    before = privacy.current_notice().digest
    with translation.override("en"):
        assert "Cloud Storage Inc." not in privacy.notice_text("en")
    services.add_subprocessor(_us_provider(), actor="account:1")
    with translation.override("en"):
        text = privacy.notice_text("en")
    assert "Cloud Storage Inc., Backup storage, Virginia" in text
    transfers = text.split("5. Transfers outside the European Union", 1)[1].split("# ", 1)[0]
    assert "Cloud Storage Inc." in transfers and "Data Privacy Framework" in transfers
    assert privacy.current_notice().digest != before  # the register changed: a new version


def test_p4_1_the_access_export_lists_providers_as_recipients_and_transfers(
        client_a: Any) -> None:
    services.add_subprocessor(_us_provider(), actor="account:1")
    person = create_account("sp.reader@example.org", "a tangerine kayak at noon",
                            first_name="Sam", last_name="Reader", verified=True,
                            language="en", actor="test")
    with translation.override("en"):
        notice = access_export.collect(person)["notice"]
    names = [r["name"] for r in notice["recipients"]]
    assert "Cloud Storage Inc." in names
    assert any(t["recipient"] == "Cloud Storage Inc." and t["safeguard"]
               for t in notice["transfers"])
    assert "outside the European Union" in notice["transfers_statement"]
