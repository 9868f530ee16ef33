"""The return package (issue 6 §2, P6.9; D-03): everything of the client and nothing of
another, JSON valid against the published schema, one CSV per table, SHA-256 manifest,
encrypted at rest, built in the background with progress, downloadable by owners and
administrators through an expiring link, audited."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from typing import Any

import jsonschema
import pytest
from django.test import Client as Browser
from django.urls import reverse

from livesession.audit.models import AuditEntry
from livesession.contracts import guard, package, services
from livesession.contracts.models import PackageStatus, ReturnPackage
from livesession.core.clock import freeze
from livesession.core.models import Role
from livesession.protection.crypto import KeyDestroyed
from livesession.protection.models import DataKey
from tests.contracts.conftest import DAY, Filled, terminate


def _built(filled: Filled) -> ReturnPackage:
    row = ReturnPackage.objects.create(client=filled.client, requested_by="account:1",
                                       created_at=filled.event.created_at)
    built = package.build(row.pk)
    assert built is not None
    return built


def _unzip(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_p6_9_package_holds_everything_of_the_client_only(filled_a: Filled,
                                                         filled_b: Filled) -> None:
    built = _built(filled_a)
    assert built.status == PackageStatus.READY
    assert built.rows_total > 0 and built.rows_done == built.rows_total and built.percent == 100
    content = package.read(built)
    assert hashlib.sha256(content).hexdigest() == built.sha256
    files = _unzip(content)
    document = json.loads(files["data.json"])
    schema = json.loads(files["return-package-v1.json"])
    jsonschema.validate(document, schema)
    tables = document["tables"]
    emails = {row["email"] for row in tables["registrations"]["rows"]}
    assert emails == set(filled_a.emails)
    answers = {(row["question"], row["value"]) for row in tables["answers"]["rows"]}
    assert ("company", "alphaco company 1") in answers
    assert len(tables["consents"]["rows"]) == 3
    assert len(tables["attendance"]["rows"]) == 3
    assert len(tables["participants"]["rows"]) == 3
    assert len(tables["unsubscriptions"]["rows"]) == 1
    messages = tables["messages"]["rows"]
    assert messages and {m["to"] for m in messages} <= set(filled_a.emails)
    # Nothing of client B, anywhere in the archive.
    blob = b"".join(files.values()).decode()
    assert "betaco" not in blob
    # One CSV per table, with the same rows; the manifest checks every file.
    for name, table in tables.items():
        rows = list(csv.reader(io.StringIO(files[f"csv/{name}.csv"].decode())))
        assert rows[0] == table["columns"] and len(rows) - 1 == len(table["rows"])
    manifest = files["MANIFEST.sha256"].decode().splitlines()
    listed = {line.split("  ", 1)[1]: line.split("  ", 1)[0] for line in manifest}
    assert set(listed) == set(files) - {"MANIFEST.sha256"}
    assert all(hashlib.sha256(files[name]).hexdigest() == digest
               for name, digest in listed.items())
    # At rest the file is encrypted: no address in clear.
    on_disk = package.file_of(built).read_bytes()
    assert filled_a.emails[0].encode() not in on_disk and not on_disk.startswith(b"PK")
    assert AuditEntry.objects.filter(action="contract.package_built",
                                     target=f"return_package:{built.pk}").exists()


def test_p6_9_published_schema_is_the_one_in_the_package() -> None:
    from django.contrib.staticfiles import finders

    found = finders.find("livesession/schemas/return-package-v1.json")
    assert found is not None
    with open(found, encoding="utf-8") as handle:
        assert json.load(handle) == json.loads(package.schema_text())


def test_p6_9_csv_cells_cannot_run_as_formulas(filled_a: Filled) -> None:
    assert package._cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert package._cell("plain") == "plain"


def test_p6_9_manager_asks_builds_and_downloads(filled_a: Filled, owner_a: Any,
                                               make_member: Any, smtp_server: Any,
                                               django_capture_on_commit_callbacks: Any) -> None:
    client = filled_a.client
    slug = client.slug
    browser = Browser()
    browser.force_login(owner_a)
    with django_capture_on_commit_callbacks(execute=True):
        asked = browser.post(reverse("manager:contract-package", kwargs={"client_slug": slug}))
    assert asked.status_code == 302
    row = ReturnPackage.objects.get(client=client)
    assert row.status == PackageStatus.READY  # the job ran (tasks in process in tests)
    assert any("return package" in str(m["Subject"]).lower()
               or "restitution" in str(m["Subject"]).lower() for m in smtp_server.messages)
    page = browser.get(reverse("manager:contract", kwargs={"client_slug": slug}),
                       HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Download the ZIP" in page and row.sha256 in page
    link = reverse("manager:contract-package-download",
                   kwargs={"client_slug": slug, "package_id": row.pk})
    token = services.download_token(row)
    got = browser.get(f"{link}?t={token}")
    assert got.status_code == 200 and got["Content-Type"] == "application/zip"
    assert hashlib.sha256(got.content).hexdigest() == row.sha256
    assert AuditEntry.objects.filter(action="contract.package_downloaded").count() == 1
    # A forged or missing token: back to the page with the reason, no file.
    forged = browser.get(f"{link}?t={token}x", HTTP_ACCEPT_LANGUAGE="en")
    assert forged.status_code == 302
    assert "expired or is not valid" in browser.get(forged["Location"],
                                                    HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # An organizer or a viewer may not download (403), nor ask.
    organizer = Browser()
    organizer.force_login(make_member(client, Role.ORGANIZER, "org@alpha.test"))
    assert organizer.get(f"{link}?t={token}").status_code == 403
    assert organizer.post(reverse("manager:contract-package",
                                  kwargs={"client_slug": slug})).status_code == 403


def test_p6_9_package_expires_with_its_file_and_key(filled_a: Filled) -> None:
    built = _built(filled_a)
    assert built.expires_at is not None
    assert services.expire_packages(built.expires_at - DAY) == 0
    assert services.expire_packages(built.expires_at) == 1
    built.refresh_from_db()
    assert built.status == PackageStatus.EXPIRED
    assert not package.file_of(built).exists()
    assert DataKey.objects.get(subject_id=built.pk).wrapped is None
    from livesession.protection import keystore

    with pytest.raises(KeyDestroyed):  # a copy of the file elsewhere is unreadable too
        keystore.get_key(built.pk)


def test_p6_10_no_package_12_months_after_the_end(filled_a: Filled, owner_a: Any) -> None:
    contract = terminate(filled_a.client)
    membership = filled_a.client.memberships.get(user=owner_a)
    assert contract.terminated_at is not None
    with freeze(contract.terminated_at + 365 * DAY):
        with pytest.raises(guard.ServicesEnded):
            services.request_package(membership, actor="account:1")
        row = ReturnPackage.objects.create(client=filled_a.client, requested_by="account:1",
                                           created_at=contract.terminated_at)
        with pytest.raises(guard.ServicesEnded):
            package.build(row.pk)
    row.refresh_from_db()
    assert row.status == PackageStatus.FAILED and row.error == "ServicesEnded"
