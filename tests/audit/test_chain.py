"""The audit trail is append-only and tamper-evident (P6.6): the model and the database
refuse changes, ``livesession audit verify`` names the first broken entry."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from livesession.audit.models import AppendOnlyError, AuditEntry
from livesession.audit.services import GENESIS, check, record, verify
from livesession.cli import main
from tests.audit.tampering import raw, trigger_off


def _three() -> list[AuditEntry]:
    return [record("account:1", "test.one", target="event:1"),
            record("account:1", "test.two", client_id=None, details={"n": 2}),
            record("account:2", "test.three", details={"when": "later"})]


def _verify() -> str:
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    return out.getvalue()


def test_p6_6_verify_reports_intact_with_count_and_head() -> None:
    entries = _three()
    total = AuditEntry.objects.count()
    assert f"audit trail intact, {total} entries, head {entries[-1].hash}" in _verify()
    assert entries[1].prev_hash == entries[0].hash and verify() is None


def test_p6_6_tampered_row_is_named_by_verify() -> None:
    second = _three()[1]
    with trigger_off():
        raw("UPDATE audit_auditentry SET details = %s WHERE id = %s", ['{"n": 3}', second.pk])
    with pytest.raises(CommandError) as exc:
        _verify()
    assert exc.value.returncode == 1
    assert f"broken at entry {second.pk}:" in str(exc.value)
    assert "content does not match" in str(exc.value)
    assert verify() == second.pk


def test_p6_6_changed_actor_or_time_is_caught_too() -> None:
    third = _three()[2]
    with trigger_off():
        raw("UPDATE audit_auditentry SET actor = %s WHERE id = %s", ["account:99", third.pk])
    assert verify() == third.pk


def test_p6_6_deleted_row_is_caught() -> None:
    _first, second, third = _three()
    with trigger_off():
        raw("DELETE FROM audit_auditentry WHERE id = %s", [second.pk])
    status = check()
    assert status.broken_id == third.pk and "does not follow" in status.reason
    with pytest.raises(CommandError, match=f"broken at entry {third.pk}"):
        _verify()


def test_p6_6_deleted_first_row_is_caught() -> None:
    first_id = AuditEntry.objects.order_by("id").values_list("id", flat=True).first()
    entries = _three()
    oldest = first_id or entries[0].pk
    with trigger_off():
        raw("DELETE FROM audit_auditentry WHERE id = %s", [oldest])
    assert verify() is not None and verify() > oldest


def test_p6_6_the_model_refuses_update_and_delete() -> None:
    entry = record("account:1", "test.kept")
    entry.details = {"changed": True}
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="test.changed")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.bulk_update([entry], ["details"])
    assert AuditEntry.objects.get(pk=entry.pk).details == {} and verify() is None


def test_p6_6_the_database_refuses_a_raw_update() -> None:
    entry = record("account:1", "test.kept")
    with pytest.raises(DatabaseError), transaction.atomic():
        raw("UPDATE audit_auditentry SET action = %s WHERE id = %s", ["test.changed", entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).action == "test.kept"


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="SQLite keeps DELETE for the test suite's flush (docs/audit-trail.md)")
def test_p6_6_postgresql_refuses_a_raw_delete() -> None:
    entry = record("account:1", "test.kept")
    with pytest.raises(DatabaseError), transaction.atomic():
        raw("DELETE FROM audit_auditentry WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


# The command line closes the database connections when it ends (Django's run_from_argv):
# outside the test transaction, so PostgreSQL's connection may go.
@pytest.mark.django_db(transaction=True, databases="__all__")
def test_p6_6_cli_exit_status(capsys: Any) -> None:
    first = _three()[0]
    main(["audit", "verify"])
    assert "intact" in capsys.readouterr().out
    with trigger_off():
        raw("UPDATE audit_auditentry SET target = %s WHERE id = %s", ["event:2", first.pk])
    with pytest.raises(SystemExit) as exc:
        main(["audit", "verify"])
    assert exc.value.code == 1
    assert f"broken at entry {first.pk}" in capsys.readouterr().err


def test_p6_6_a_deleted_client_keeps_its_entries_and_the_chain(make_client: Any) -> None:
    from livesession.core.models import Client

    gone = make_client("gamma")
    entry = record("account:1", "test.client", client_id=gone.pk)
    Client.objects.filter(pk=gone.pk).delete()
    kept = AuditEntry.objects.get(pk=entry.pk)
    assert kept.client_id == gone.pk and verify() is None


def test_p6_6_an_empty_trail_is_intact() -> None:
    status = check()
    assert status.entries == 0 and status.head == GENESIS and status.intact
    assert "intact, 0 entries" in _verify()
