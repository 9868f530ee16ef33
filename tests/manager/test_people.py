"""The Manager's "People": find a participant across the client's events and answer their
requests (issue 5 §9; P6.3, P6.1, P3.4, P6.8; GDPR R-12).

Noa registered twice at client A (two events) and once at client B, with the same address.
Client A's members find her by address or name, see everything A holds about her, and
export, rectify, restrict and erase her there; client B's data about her never appears and
is never touched.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from typing import Any

import jsonschema
import pytest
from django.test import Client as Browser
from django.urls import reverse
from django.utils.html import escape

from livesession.access.attendance import record_access
from livesession.audit.models import AuditEntry
from livesession.core.models import Client
from livesession.events.models import Event
from livesession.messaging.models import OutboxMessage
from livesession.privacy import services as consents
from livesession.privacy.models import ConsentPurpose
from livesession.protection import (
    access_export,
    keystore,
    objection,
    restriction,
    subject_rows,
)
from livesession.protection.models import DataKey, Subject
from livesession.registrations.models import Registration
from livesession.registrations.services import register
from tests.accounts.conftest import make_participant  # noqa: F401 - fixture

NOA = "noa.lemaire@example.org"
OTHER = "quentin.marchetti@example.org"


def _url(name: str, slug: str = "alpha", **kwargs: Any) -> str:
    return reverse(f"manager:{name}", kwargs={"client_slug": slug, **kwargs})


@pytest.fixture
def owner(owner_a: Any) -> Browser:
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(owner_a)
    return browser


@pytest.fixture
def viewer(client_a: Client, make_member: Any) -> Browser:
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(make_member(client_a, "viewer", "viewer@alpha.test"))
    return browser


@pytest.fixture
def noa(client_a: Client, event_a: Event, event_b: Event, make_event: Any) -> dict[str, Any]:
    """Noa at A (two events, a consent, an access), at B (one event); Quentin at A."""
    second = make_event(client_a, title="Atelier du jeudi")
    first = register(event_a, email=NOA, first_name="Noa", last_name="Lemaire").registration
    again = register(second, email=NOA.upper(), first_name="Noa",
                     last_name="Lemaire").registration
    at_b = register(event_b, email=NOA, first_name="Noa", last_name="Lemaire-B").registration
    quentin = register(event_a, email=OTHER, first_name="Quentin",
                       last_name="Marchetti").registration
    consents.ensure_builtin_purposes(client_a)
    purpose = ConsentPurpose.objects.filter(client=client_a).order_by("pk").first()
    assert purpose is not None
    consents.record_consent(client_id=client_a.pk, subject=first.subject, purpose=purpose,
                            given=True, language="en", channel="web",
                            registration_id=first.pk)
    record_access(first, None, "device-1")
    return {"subject": first.subject, "first": first, "again": again, "at_b": at_b,
            "quentin": quentin, "second": second, "purpose": purpose}


def _search(browser: Browser, q: str, slug: str = "alpha") -> Any:
    return browser.post(_url("people", slug), {"q": q})


def _found(response: Any) -> set[str]:
    return set(re.findall(r'/people/([0-9a-f-]{36})/"', response.content.decode()))


# --- Finding ---------------------------------------------------------------------------------

def test_p6_3_find_by_exact_address_across_events(owner: Browser, noa: dict[str, Any]) -> None:
    """One person for both of A's registrations, found by the keyed hash of the address,
    whatever its case; the form posts, so the address is in no URL."""
    page = owner.get(_url("people"))
    assert page.status_code == 200
    assert 'method="post"' in page.content.decode()
    response = _search(owner, "  Noa.Lemaire@EXAMPLE.org ")
    assert response.status_code == 200
    assert _found(response) == {str(noa["subject"].pk)}
    text = response.content.decode()
    assert "Webinaire" in text and "Atelier du jeudi" in text
    assert "Lemaire-B" not in text  # client B's registration of the same address
    assert NOA not in response.request["PATH_INFO"]


def test_p6_3_find_by_name_and_prefix(owner: Browser, noa: dict[str, Any]) -> None:
    assert _found(_search(owner, "lemaire")) == {str(noa["subject"].pk)}
    assert _found(_search(owner, "Noa Lem")) == {str(noa["subject"].pk)}
    assert _found(_search(owner, "quentin")) == {str(noa["quentin"].subject_id)}
    assert _found(_search(owner, "Noa Marchetti")) == set()  # every word must match
    nobody = _search(owner, "nobody@example.org")
    assert nobody.status_code == 200 and "Nobody matches" in nobody.content.decode()


def test_p6_1_client_b_finds_only_its_own_person(owner_b: Any, noa: dict[str, Any]) -> None:
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(owner_b)
    found = _found(_search(browser, NOA, "beta"))
    assert found == {str(noa["at_b"].subject_id)}
    assert str(noa["subject"].pk) not in found


def test_p6_3_an_empty_search_says_what_to_type(owner: Browser, noa: dict[str, Any]) -> None:
    response = _search(owner, "   ")
    assert response.status_code == 400
    text = response.content.decode()
    assert 'role="alert"' in text and "Type a whole email address" in text


# --- The person page -------------------------------------------------------------------------

def test_p6_3_person_page_shows_everything_the_client_holds(owner: Browser,
                                                           noa: dict[str, Any]) -> None:
    response = owner.get(_url("person", subject_id=noa["subject"].pk))
    assert response.status_code == 200
    text = response.content.decode()
    # every registration at A, with answers
    assert text.count("Correct the answers for") == 2
    assert "Webinaire" in text and "Atelier du jeudi" in text and "Lemaire" in text
    # consent history, attendance, messages (status only)
    assert escape(noa["purpose"].label()) in text and "Given" in text
    assert "Attendance" in text and "No access to a room." not in text
    assert OutboxMessage.objects.filter(subject=noa["subject"]).exists()
    assert "No message." not in text
    assert "Restriction of processing: no" in text
    assert "Objects to: nothing" in text
    objection.object_to([noa["subject"].pk], "statistics", actor="test", source="space")
    again = owner.get(_url("person", subject_id=noa["subject"].pk)).content.decode()
    assert "Objects to: Attendance statistics" in again
    # nothing of B, nor of Quentin
    assert "Lemaire-B" not in text and "Marchetti" not in text
    # the navigation links the page
    assert _url("people") in text


def test_p6_1_another_clients_person_is_404_everywhere(owner: Browser,
                                                       noa: dict[str, Any]) -> None:
    foreign = noa["at_b"].subject_id
    for name, method in [("person", "get"), ("person-export", "post"),
                         ("person-restrict", "post"), ("person-lift", "post"),
                         ("person-erase", "get"), ("person-erase", "post")]:
        response = getattr(owner, method)(_url(name, subject_id=foreign), {"confirm": "on"})
        assert response.status_code == 404, (name, method)
    rectify = owner.post(_url("person-rectify", subject_id=foreign,
                              registration_id=noa["at_b"].pk), {"first_name": "X"})
    assert rectify.status_code == 404
    # A's person with B's registration: 404 too
    mixed = owner.get(_url("person-rectify", subject_id=noa["subject"].pk,
                           registration_id=noa["at_b"].pk))
    assert mixed.status_code == 404
    assert Registration.objects.filter(pk=noa["at_b"].pk).exists()
    assert not restriction.is_restricted(foreign)


def test_p3_4_a_viewer_sees_but_cannot_act(viewer: Browser, noa: dict[str, Any]) -> None:
    sid = noa["subject"].pk
    page = viewer.get(_url("person", subject_id=sid))
    assert page.status_code == 200
    assert "Download the copy" not in page.content.decode()
    for name in ("person-export", "person-restrict", "person-lift", "person-erase"):
        assert viewer.post(_url(name, subject_id=sid), {"confirm": "on"}).status_code == 403
    assert viewer.get(_url("person-rectify", subject_id=sid,
                           registration_id=noa["first"].pk)).status_code == 403
    assert Registration.objects.filter(subject=noa["subject"]).count() == 2
    assert not restriction.is_restricted(sid)


# --- Export --------------------------------------------------------------------------------

def test_p6_3_export_is_this_clients_part_in_the_personal_space_format(
        owner: Browser, noa: dict[str, Any], client_a: Client) -> None:
    response = owner.post(_url("person-export", subject_id=noa["subject"].pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "no-store" in response["Cache-Control"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    document = json.loads(archive.read("data.json"))
    jsonschema.validate(document, json.loads(access_export.schema_text()))
    assert document["person"] == {"subject": f"subject:{noa['subject'].pk}"}
    assert [g["id"] for g in document["controllers"]] == [f"client:{client_a.pk}"]
    text = archive.read("data.json").decode()
    assert NOA in text and "Atelier du jeudi" in text
    assert "Lemaire-B" not in text and OTHER not in text
    names = archive.namelist()
    assert "index.html" in names and any(n.endswith("/registrations.csv")
                                         for n in names)
    entry = AuditEntry.objects.get(action="person.exported")
    assert entry.target == f"subject:{noa['subject'].pk}" and entry.client_id == client_a.pk
    assert entry.actor.startswith("account:")
    assert NOA not in json.dumps(entry.details)


# --- Rectify ------------------------------------------------------------------------------

def test_p4_1_rectify_a_registration_with_the_forms_rules(owner: Browser,
                                                         noa: dict[str, Any]) -> None:
    url = _url("person-rectify", subject_id=noa["subject"].pk,
               registration_id=noa["first"].pk)
    form = owner.get(url)
    assert form.status_code == 200 and 'value="Lemaire"' in form.content.decode()
    bad = owner.post(url, {"first_name": "Noémie", "last_name": "", "unknown": "x"})
    assert bad.status_code == 400
    assert 'value="Noémie"' in bad.content.decode()  # nothing typed is lost
    assert 'role="alert"' in bad.content.decode()
    good = owner.post(url, {"first_name": "Noémie", "last_name": "Lemaire"})
    assert good.status_code == 302
    assert good["Location"] == _url("person", subject_id=noa["subject"].pk)
    with keystore.unit_of_work():
        assert Registration.objects.get(pk=noa["first"].pk).first_name == "Noémie"
        assert Registration.objects.get(pk=noa["again"].pk).first_name == "Noa"
    entry = AuditEntry.objects.filter(action="registration.updated").latest("id")
    assert entry.target == f"registration:{noa['first'].pk}"


# --- Restrict -----------------------------------------------------------------------------

def test_r_10_restrict_then_lift_from_the_person_page(owner: Browser,
                                                      noa: dict[str, Any]) -> None:
    sid = noa["subject"].pk
    assert owner.post(_url("person-restrict", subject_id=sid)).status_code == 302
    assert restriction.is_restricted(sid)
    assert not restriction.is_restricted(noa["at_b"].subject_id)  # B's person untouched
    page = owner.get(_url("person", subject_id=sid)).content.decode()
    assert "Processing restricted at the person" in page and "only storage" in page
    assert "Lift the restriction" in page
    again = owner.post(_url("person-restrict", subject_id=sid), follow=True)
    assert "already restricted" in again.content.decode()
    assert AuditEntry.objects.filter(action="subject.restricted",
                                     target=f"subject:{sid}").count() == 1
    assert owner.post(_url("person-lift", subject_id=sid)).status_code == 302
    assert not restriction.is_restricted(sid)


# --- Erase --------------------------------------------------------------------------------

def test_p6_8_erase_needs_a_confirmation_then_is_idempotent(owner: Browser,
                                                           noa: dict[str, Any],
                                                           client_a: Client) -> None:
    sid = noa["subject"].pk
    url = _url("person-erase", subject_id=sid)
    confirm = owner.get(url)
    assert confirm.status_code == 200 and "cannot be undone" in confirm.content.decode()
    refused = owner.post(url, {})
    assert refused.status_code == 400
    assert "Tick the box" in refused.content.decode()
    assert Registration.objects.filter(subject_id=sid).count() == 2
    done = owner.post(url, {"confirm": "on"}, follow=True)
    assert done.status_code == 200
    assert "erased" in done.content.decode()
    assert not Registration.objects.filter(subject_id=sid).exists()
    key = DataKey.objects.filter(subject_id=sid).first()
    assert key is None or key.wrapped is None
    # B's registration of the same address stays, readable
    with keystore.unit_of_work():
        assert Registration.objects.get(pk=noa["at_b"].pk).last_name == "Lemaire-B"
    # the person page says so; erasing again is no error
    page = owner.get(_url("person", subject_id=sid))
    assert page.status_code == 200 and "Person erased" in page.content.decode()
    again = owner.post(url, {"confirm": "on"}, follow=True)
    assert again.status_code == 200 and "already erased" in again.content.decode()
    assert AuditEntry.objects.filter(action="person.erased", target=f"subject:{sid}",
                                     client_id=client_a.pk).count() == 1
    # and it is gone from the search
    assert _found(_search(owner, NOA)) == set()
    assert not Subject.objects.filter(pk=sid, shredded_at__isnull=True).exists()


# --- What the client's copy holds (access_export.collect_person) -------------------------

def test_p6_3_the_clients_copy_holds_nothing_of_the_platform_account(
        owner: Browser, noa: dict[str, Any], make_participant: Any,  # noqa: F811
        client_a: Client) -> None:
    """Noa also has a platform account (the operator's): A's copy is A's data only."""
    from livesession.accounts import services as accounts

    user = make_participant(NOA, "Noa", "Lemaire")
    accounts.update_profile(user, first_name="Noa", last_name="Lemaire", city="Uppsala",
                            job_function="Ornithologist")
    accounts.claim_registrations(user)
    document = access_export.collect_person(subject_rows.person_at_client(noa["subject"]))
    text = json.dumps(document)
    assert "Uppsala" not in text and "Ornithologist" not in text
    assert f"account:{user.pk}" not in text
    assert [g["id"] for g in document["controllers"]] == [f"client:{client_a.pk}"]
    # while the personal space's copy of the same person has both
    own = json.dumps(access_export.collect(user))
    assert "Uppsala" in own and "Atelier du jeudi" in own


def test_p6_3_a_person_without_account_reaches_no_row_by_an_empty_account(
        noa: dict[str, Any]) -> None:
    """``created_by IS NULL`` rows (events made by the system) must not count as the
    person's: a client's participant has no account id to match."""
    assert Event.objects.filter(created_by__isnull=True).exists()  # the trap is set
    nobody = subject_rows.Person(user_id=None, subject_ids=frozenset(),
                                 registration_ids=frozenset())
    for model in subject_rows.models_with_exportable_data():
        assert not subject_rows.rows_of(model, nobody).exists(), model._meta.label
    with pytest.raises(ValueError):
        access_export.collect_person(nobody)
