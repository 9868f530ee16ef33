"""A second start changes nothing: ``livesession migrate`` on up-to-date databases applies
nothing (and still runs the post-migrate receivers that keep the retention rules and the
sub-processor register in step with the code), a second ``livesession demo`` writes no row.
``livesession run`` relies on both to start in seconds."""

from __future__ import annotations

import io
import logging
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command

from livesession.core import schema
from livesession.core.management.commands.worker import quiet_queue_logs
from livesession.processors.models import SubProcessor
from livesession.retention.models import RetentionRule

pytestmark = pytest.mark.django_db(databases="__all__")


def _rows() -> dict[str, int]:
    """Every table's row count, main database and keystore."""
    counts = {}
    for model in apps.get_models():
        alias = "keystore" if model._meta.app_label == "protection" and \
            model.__name__ == "DataKey" else "default"
        counts[model._meta.label] = model._default_manager.using(alias).count()
    return counts


def test_second_demo_changes_nothing(settings: Any, tmp_path: Any) -> None:
    settings.VAR_DIR = tmp_path
    settings.EMAIL_FILE_PATH = tmp_path / "mail"
    call_command("demo", stdout=io.StringIO())
    before = _rows()
    kept = (tmp_path / "demo-credentials.txt").read_text()
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert _rows() == before
    assert (tmp_path / "demo-credentials.txt").read_text() == kept
    printed = out.getvalue()
    # What a newcomer needs: where the readable mails are, where the credentials are kept,
    # and what the operator meets at the first sign-in.
    assert str(tmp_path / "mail") in printed
    assert str(tmp_path / "demo-credentials.txt") in printed
    assert "QR code" in printed


def test_second_migrate_is_a_no_op_that_keeps_the_seeds(settings: Any) -> None:
    assert schema.pending("default") == 0 and schema.pending("keystore") == 0
    before = _rows()
    out = io.StringIO()
    call_command("migrate_all", stdout=out)
    assert "up to date" in out.getvalue()
    assert _rows() == before
    # The receivers still ran: a seeded row removed comes back without a migration.
    RetentionRule.objects.order_by("pk").first().delete()
    SubProcessor.objects.all().delete()
    assert schema.migrate_all(verbosity=0) == 0
    assert _rows() == before


@pytest.mark.no_db
@pytest.mark.parametrize(("verbose", "env", "level"), [
    (False, "", logging.WARNING), (True, "", logging.INFO), (False, "INFO", logging.INFO),
    (False, "DEBUG", logging.DEBUG), (True, "WARNING", logging.INFO),
])
def test_worker_job_lines_quiet_unless_asked(monkeypatch: pytest.MonkeyPatch, verbose: bool,
                                             env: str, level: int) -> None:
    monkeypatch.setenv("LOG_LEVEL", env)
    huey = logging.getLogger("huey")
    monkeypatch.setattr(huey, "level", huey.level)  # restored after the test
    quiet_queue_logs(verbose)
    assert logging.getLogger("huey.consumer").getEffectiveLevel() == level
