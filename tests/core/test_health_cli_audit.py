"""/healthz, the livesession command, and the tamper-evident audit trail (P6.6)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client as Browser

from livesession.accounts.models import User
from livesession.api.models import ApiToken
from livesession.audit.models import AuditEntry
from livesession.cli import COMMANDS, main
from livesession.core.clock import freeze, now
from livesession.core.tasks import heartbeat


def test_healthz_names_database_keystore_and_worker() -> None:
    body = Browser().get("/healthz").json()
    assert body["database"] == "ok" and body["keystore"] == "ok"
    assert body["worker"] == "unknown"  # no worker ever beat
    heartbeat()
    assert Browser().get("/healthz").json()["worker"] == "ok"
    with freeze(now() + dt.timedelta(minutes=10)):
        response = Browser().get("/healthz")
    assert response.status_code == 200 and response.json()["worker"] == "stale"


@pytest.mark.no_db
def test_cli_lists_its_commands(capsys: Any) -> None:
    main(["--help"])
    out = capsys.readouterr().out
    for name in ("serve", "worker", "migrate", "demo", "createoperator", "token", "check"):
        assert name in out and name in COMMANDS
    with pytest.raises(SystemExit) as exc:
        main(["nonsense"])
    assert exc.value.code == 2


def test_cli_createoperator_and_token_create(client_a: Any) -> None:
    out = io.StringIO()
    call_command("createoperator", "ops@example.org", password="a long enough pass 1",
                 stdout=out)
    assert User.objects.get(is_operator=True).email == "ops@example.org"
    with pytest.raises(CommandError, match="exists already"):
        call_command("createoperator", "OPS@example.org", password="a long enough pass 1")
    with pytest.raises(CommandError):
        call_command("createoperator", "weak@example.org", password="123")
    out = io.StringIO()
    call_command("token", "create", client="alpha", name="crm", stdout=out)
    secret = out.getvalue().strip()
    assert secret.startswith("lsk_") and ApiToken.objects.filter(client=client_a).count() == 1
    api = Browser(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api.get("/api/v1/events/").status_code == 200
    with pytest.raises(CommandError, match="No client"):
        call_command("token", "create", client="nope")


def test_demo_loads_once_and_prints_credentials(settings: Any) -> None:
    out = io.StringIO()
    call_command("demo", stdout=out)
    first = out.getvalue()
    assert "owner@demo.livesession.test" in first and "password" in first
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert out.getvalue() == first  # loaded once, same credentials printed again
    event_url = next(word for word in first.split() if "/e/" in word)
    page = Browser().get(event_url.replace(settings.SITE_URL, ""))
    assert page.status_code == 200


def test_check_reports_ready() -> None:
    out = io.StringIO()
    call_command("healthcheck", stdout=out)
    text = out.getvalue()
    assert "database default: ok" in text and "keystore: ok" in text


def test_p6_6_audit_never_holds_personal_data(event_a: Any) -> None:
    from livesession.registrations.services import register

    register(event_a, email="audit.me@example.org", first_name="Audit", last_name="Me")
    dump = " ".join(f"{e.actor} {e.action} {e.target} {e.details}"
                    for e in AuditEntry.objects.all())
    assert "audit.me" not in dump and "Audit" not in dump
