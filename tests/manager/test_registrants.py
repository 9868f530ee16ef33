"""Manager registrants: list, search over sealed names, pagination, and every action
through the pages (issue 3 point 11; P6.1, P6.5)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client as Browser
from django.urls import reverse

from livesession.audit.models import AuditEntry
from livesession.events.services import update_event
from livesession.registrations.models import Registration, SearchToken
from livesession.registrations.models import RegistrationStatus as S
from livesession.registrations.services import register


def _url(name: str, event: Any, **kwargs: Any) -> str:
    return reverse(f"manager:{name}", kwargs={"client_slug": event.client.slug,
                                              "event_id": event.pk, **kwargs})


def _one(name: str, registration: Registration) -> str:
    return _url(name, registration.event, registration_id=registration.pk)


@pytest.fixture
def owner(owner_a: Any) -> Browser:
    # Pages read in English so the assertions can quote them; French is tested elsewhere.
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(owner_a)
    return browser


@pytest.fixture
def viewer(client_a: Any, make_member: Any) -> Browser:
    browser = Browser()
    browser.force_login(make_member(client_a, "viewer", "viewer@alpha.test"))
    return browser


@pytest.fixture
def people(event_a: Any) -> dict[str, Registration]:
    made = {
        "elodie": register(event_a, email="elodie.martin@example.org", first_name="Élodie",
                           last_name="Martin"),
        "jp": register(event_a, email="jp@example.org", first_name="Jean-Pierre",
                       last_name="Dupont"),
        "li": register(event_a, email="li.na@sample.test", first_name="Na", last_name="Li"),
        "martine": register(event_a, email="martine@example.org", first_name="Martine",
                            last_name="Lefèvre"),
    }
    return {key: done.registration for key, done in made.items()}


def _names(response: Any) -> set[str]:
    html = response.content.decode()
    return set(re.findall(r'href="[^"]*/registrants/([0-9a-f-]{36})/"', html))


def _find(browser: Browser, event: Any, **params: str) -> set[str]:
    response = browser.get(_url("registrants", event), params)
    assert response.status_code == 200
    return _names(response)


# --- Search ---------------------------------------------------------------------------------

def test_search_by_email_local_part_name_and_prefix(viewer: Browser, event_a: Any,
                                                     people: dict[str, Registration]) -> None:
    ids = {k: str(r.pk) for k, r in people.items()}
    assert _find(viewer, event_a) == set(ids.values())
    assert _find(viewer, event_a, q="JP@Example.org") == {ids["jp"]}
    assert _find(viewer, event_a, q="elodie.martin") == {ids["elodie"]}   # local part
    assert _find(viewer, event_a, q="dupont") == {ids["jp"]}
    assert _find(viewer, event_a, q="mart") == {ids["elodie"], ids["martine"]}  # prefixes
    assert _find(viewer, event_a, q="Mar Lef") == {ids["martine"]}       # AND across words
    assert _find(viewer, event_a, q="li") == {ids["li"]}                 # a short whole word
    assert _find(viewer, event_a, q="ma") == set()                       # prefixes start at 3
    assert _find(viewer, event_a, q="nobody") == set()
    assert _find(viewer, event_a, q="jean-pierre") == {ids["jp"]}
    assert _find(viewer, event_a, q="example.org") == set()              # no domain search


def test_search_ignores_accents_and_case(viewer: Browser, event_a: Any,
                                         people: dict[str, Registration]) -> None:
    assert _find(viewer, event_a, q="ELODIE") == {str(people["elodie"].pk)}
    assert _find(viewer, event_a, q="élo") == {str(people["elodie"].pk)}
    assert _find(viewer, event_a, q="lefevre") == {str(people["martine"].pk)}
    assert _find(viewer, event_a, q="LEFÈV") == {str(people["martine"].pk)}


def test_tokens_are_keyed_hashes_per_client(event_a: Any, event_b: Any) -> None:
    a = register(event_a, email="same@example.org", first_name="Camille", last_name="Roux")
    b = register(event_b, email="same@example.org", first_name="Camille", last_name="Roux")
    tokens_a = set(SearchToken.objects.filter(registration=a.registration)
                   .values_list("token", flat=True))
    tokens_b = set(SearchToken.objects.filter(registration=b.registration)
                   .values_list("token", flat=True))
    assert tokens_a and tokens_b and not tokens_a & tokens_b  # not linkable across clients
    stored = " ".join(tokens_a)
    assert "camille" not in stored and "roux" not in stored and "same@" not in stored
    # Address, local part, 2 words and their prefixes (cam…camill; rou).
    assert len(tokens_a) == 2 + 2 + 4 + 1


def test_editing_a_name_updates_the_index(owner: Browser, event_a: Any,
                                          people: dict[str, Registration]) -> None:
    jp = people["jp"]
    response = owner.post(_one("registrant-edit", jp), {"first_name": "Jean-Pierre",
                                                        "last_name": "Durand"})
    assert response.status_code == 302
    assert _find(owner, event_a, q="dupont") == set()
    assert _find(owner, event_a, q="durand") == {str(jp.pk)}


def test_status_filter_and_search_together(owner: Browser, event_a: Any,
                                           people: dict[str, Registration]) -> None:
    owner.post(_one("registrant-cancel", people["martine"]))
    assert _find(owner, event_a, status=S.CANCELLED) == {str(people["martine"].pk)}
    assert _find(owner, event_a, q="mart", status=S.CONFIRMED) == {str(people["elodie"].pk)}
    assert _find(owner, event_a, q="mart", status=S.CANCELLED) == {str(people["martine"].pk)}
    page = owner.get(_url("registrants", event_a), {"status": "bogus"})
    assert page.status_code == 200 and len(_names(page)) == 4  # an unknown status: all


def _walk(browser: Browser, event: Any, params: dict[str, str]) -> tuple[list[str], str]:
    """Follow "next page" to the end: every id seen, in order, and the last page."""
    seen: list[str] = []
    response = browser.get(_url("registrants", event), params)
    while True:
        html = response.content.decode()
        seen += re.findall(r'href="[^"]*/registrants/([0-9a-f-]{36})/"', html)
        following = re.search(r'rel="next" href="([^"]+)"', html)
        if not following:
            return seen, html
        response = browser.get(_url("registrants", event) + following.group(1)
                               .replace("&amp;", "&"))


def test_search_pages_by_keyset_visit_every_row_once(owner: Browser, event_a: Any) -> None:
    made = [register(event_a, email=f"p{i:03d}@example.org", first_name=f"Person{i}",
                     last_name="Same").registration for i in range(120)]
    seen, html = _walk(owner, event_a, {"q": "same"})
    assert "120 registrants match" in html
    assert seen == [str(r.pk) for r in made]  # in order of registration, none twice
    back = re.search(r'rel="prev" href="([^"]+)"', html)
    assert back
    previous = owner.get(_url("registrants", event_a) + back.group(1).replace("&amp;", "&"))
    assert re.findall(r'href="[^"]*/registrants/([0-9a-f-]{36})/"',
                      previous.content.decode()) == seen[50:100]


def test_list_pages_merge_the_statuses_in_order(owner: Browser, event_a: Any) -> None:
    """Without a search, each status is read along its own index and the pages merged:
    still every registration once, in order of registration, forwards and backwards."""
    made = [register(event_a, email=f"m{i:03d}@example.org", first_name="M",
                     last_name=f"N{i}").registration for i in range(130)]
    for row in made[::3]:
        owner.post(_one("registrant-cancel", row))
    seen, html = _walk(owner, event_a, {})
    assert seen == [str(r.pk) for r in made]
    assert "130 registrants" in html
    back = re.search(r'rel="prev" href="([^"]+)"', html)
    assert back
    previous = owner.get(_url("registrants", event_a) + back.group(1).replace("&amp;", "&"))
    assert re.findall(r'href="[^"]*/registrants/([0-9a-f-]{36})/"',
                      previous.content.decode()) == seen[50:100]
    cancelled, _html = _walk(owner, event_a, {"status": S.CANCELLED})
    assert cancelled == [str(r.pk) for r in made[::3]]


def test_only_the_page_shown_is_decrypted(owner: Browser, event_a: Any,
                                          django_assert_max_num_queries: Any) -> None:
    for i in range(60):
        register(event_a, email=f"q{i}@example.org", first_name="Q", last_name=f"N{i}")
    with django_assert_max_num_queries(15):
        response = owner.get(_url("registrants", event_a))
    assert response.content.decode().count("@example.org</td>") == 50


# --- Actions through the pages ----------------------------------------------------------------

def test_add_by_hand_keeps_typed_values_on_errors(owner: Browser, event_a: Any) -> None:
    bad = owner.post(_url("registrant-add", event_a), {"email": "not an address",
                                                       "first_name": "Typed",
                                                       "last_name": "Kept"})
    html = bad.content.decode()
    assert bad.status_code == 400
    assert 'class="errorlist"' in html and 'value="Typed"' in html and 'value="Kept"' in html
    assert not Registration.objects.exists()
    good = owner.post(_url("registrant-add", event_a), {"email": "new@example.org",
                                                        "first_name": "New",
                                                        "last_name": "Person",
                                                        "language": "en"})
    assert good.status_code == 302
    row = Registration.objects.get()
    assert (row.channel, row.status, row.language) == ("manager", S.CONFIRMED, "en")
    assert owner.get(good["Location"]).status_code == 200
    again = owner.post(_url("registrant-add", event_a), {"email": "NEW@example.org",
                                                         "first_name": "Again",
                                                         "last_name": "Person"})
    assert again.status_code == 409 and Registration.objects.count() == 1
    assert "already registered" in again.content.decode()


def test_add_by_hand_respects_capacity(owner: Browser, event_a: Any) -> None:
    update_event(event_a, actor="test", capacity=1, waitlist_enabled=False)
    register(event_a, email="first@example.org", first_name="A", last_name="B")
    full = owner.post(_url("registrant-add", event_a), {"email": "second@example.org",
                                                        "first_name": "C", "last_name": "D"})
    assert full.status_code == 409 and Registration.objects.count() == 1


def test_edit_answers_with_errors_keeps_values(owner: Browser, event_a: Any,
                                               people: dict[str, Registration]) -> None:
    li = people["li"]
    form = owner.get(_one("registrant-edit", li))
    assert form.status_code == 200 and 'value="Li"' in form.content.decode()
    bad = owner.post(_one("registrant-edit", li), {"first_name": "Na", "last_name": "",
                                                   "city": "Lyon"})
    html = bad.content.decode()
    assert bad.status_code == 400 and 'class="errorlist"' in html
    assert 'value="Na"' in html
    li.refresh_from_db()
    assert li.last_name == "Li"


def test_cancel_approve_deny(owner: Browser, event_a: Any,
                             people: dict[str, Registration]) -> None:
    elodie = people["elodie"]
    assert owner.post(_one("registrant-cancel", elodie)).status_code == 302
    elodie.refresh_from_db()
    assert elodie.status == S.CANCELLED and elodie.cancelled_at is not None

    update_event(event_a, actor="test", approval_required=True)
    waiting = register(event_a, email="wait@example.org", first_name="W",
                       last_name="X").registration
    refused = register(event_a, email="no@example.org", first_name="N",
                       last_name="O").registration
    assert waiting.status == S.PENDING_APPROVAL
    detail = owner.get(_one("registrant", waiting)).content.decode()
    assert "Approve" in detail and "Deny" in detail
    assert owner.post(_one("registrant-approve", waiting)).status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == S.CONFIRMED
    response = owner.post(_one("registrant-deny", refused), {"note": "Sorry, full room"})
    assert response.status_code == 302
    refused.refresh_from_db()
    assert refused.status == S.DENIED and refused.decision_note == "Sorry, full room"
    # A second denial is refused with a message, and nothing changes.
    again = owner.post(_one("registrant-deny", refused), {"note": "again"}, follow=True)
    assert "can no longer be denied" in again.content.decode()
    refused.refresh_from_db()
    assert refused.decision_note == "Sorry, full room"


def test_actions_need_post_and_csrf(owner_a: Any, event_a: Any,
                                    people: dict[str, Registration]) -> None:
    strict = Browser(enforce_csrf_checks=True)
    strict.force_login(owner_a)
    target = people["jp"]
    assert strict.get(_one("registrant-cancel", target)).status_code == 405
    assert strict.post(_one("registrant-cancel", target)).status_code == 403
    target.refresh_from_db()
    assert target.status == S.CONFIRMED


def test_viewer_lists_and_views_but_changes_nothing(viewer: Browser, event_a: Any,
                                                    people: dict[str, Registration]) -> None:
    jp = people["jp"]
    assert viewer.get(_url("registrants", event_a)).status_code == 200
    page = viewer.get(_one("registrant", jp)).content.decode()
    assert "Dupont" in page and "Cancel this registration" not in page
    assert viewer.post(_one("registrant-cancel", jp)).status_code == 403
    assert viewer.post(_url("registrant-add", event_a), {"email": "x@example.org"}
                       ).status_code == 403
    assert viewer.get(_url("registrants-export-csv", event_a)).status_code == 403
    assert viewer.get(_url("registrants-import", event_a)).status_code == 403
    jp.refresh_from_db()
    assert jp.status == S.CONFIRMED


# --- Tenancy ----------------------------------------------------------------------------------

def test_member_of_b_gets_404_on_a_registrants(client_b: Any, owner_b: Any, event_a: Any,
                                               event_b: Any,
                                               people: dict[str, Registration]) -> None:
    browser = Browser()
    browser.force_login(owner_b)
    jp = people["jp"]
    a_pages = [_url("registrants", event_a), _one("registrant", jp),
               _one("registrant-edit", jp), _url("registrants-export-csv", event_a),
               _url("registrants-import", event_a)]
    for url in a_pages:
        response = browser.get(url)
        assert response.status_code == 404, url
        assert "Dupont" not in response.content.decode()
    # B's own slug and event with A's registration id: still 404, and nothing changes.
    mixed = reverse("manager:registrant-cancel", kwargs={
        "client_slug": client_b.slug, "event_id": event_b.pk, "registration_id": jp.pk})
    assert browser.post(mixed).status_code == 404
    assert browser.get(mixed.replace("cancel/", "")).status_code == 404
    jp.refresh_from_db()
    assert jp.status == S.CONFIRMED
    # B's search never finds A's people, even with the exact address.
    b_list = browser.get(_url("registrants", event_b), {"q": "jp@example.org"})
    assert b_list.status_code == 200 and not _names(b_list)


def test_exports_are_audited_without_personal_data(owner: Browser, event_a: Any,
                                                   people: dict[str, Registration]) -> None:
    response = owner.get(_url("registrants-export-csv", event_a), {"status": S.CONFIRMED})
    assert response.status_code == 200
    entry = AuditEntry.objects.filter(action="registrations.exported").get()
    assert entry.details == {"format": "csv", "rows": 4}
    assert "example.org" not in str(entry.details) + entry.target


# --- Filter counts ----------------------------------------------------------------------------

def _filter_counts(response: Any) -> dict[str, int]:
    """The status links above the list, as the organizer reads them: label → the number
    beside it."""
    html = response.content.decode()
    nav = re.search(r'<nav aria-label="Filter by status">(.*?)</nav>', html, re.S)
    assert nav, "no status filters on the page"
    return {label.strip(): int(n) for label, n in
            re.findall(r'>([^<>]+)</a> <span class="badge">(\d+)</span>', nav.group(1))}


def _option_counts(response: Any) -> dict[str, int]:
    """The same counts in the status select of the search form."""
    html = response.content.decode()
    return {label.strip(): int(n) for label, n in
            re.findall(r'<option value="[a-z_]*"(?: selected)?>([^<(]+) \((\d+)\)</option>',
                       html)}


def test_every_filter_count_is_right_with_several_statuses(owner: Browser,
                                                           event_a: Any) -> None:
    """"All" counts every registration (it read 0 beside "Confirmed (20)"), and each status
    its own."""
    confirmed = [register(event_a, email=f"c{i}@example.org", first_name="C",
                          last_name=f"Conf{i}").registration for i in range(5)]
    update_event(event_a, actor="test", approval_required=True)
    pending = [register(event_a, email=f"p{i}@example.org", first_name="P",
                        last_name=f"Pend{i}").registration for i in range(3)]
    assert {r.status for r in pending} == {S.PENDING_APPROVAL}
    owner.post(_one("registrant-cancel", confirmed[0]))
    owner.post(_one("registrant-cancel", confirmed[1]))
    owner.post(_one("registrant-deny", pending[0]))
    expected = {"All": 8, "Email to confirm": 0, "Awaiting approval": 2, "Confirmed": 3,
                "Waiting list": 0, "Denied": 1, "Cancelled": 2}
    response = owner.get(_url("registrants", event_a))
    assert _filter_counts(response) == expected
    assert _option_counts(response) == expected
    # The same counts whichever filter is chosen: they describe the event, not the page.
    chosen = owner.get(_url("registrants", event_a), {"status": S.CANCELLED})
    assert _filter_counts(chosen) == expected
    assert _option_counts(chosen) == expected


def test_filter_counts_follow_the_search(owner: Browser, event_a: Any,
                                         people: dict[str, Registration]) -> None:
    """With a search typed, each link keeps it: the number beside a link is what the link
    shows."""
    owner.post(_one("registrant-cancel", people["martine"]))
    response = owner.get(_url("registrants", event_a), {"q": "mart"})
    counts = _filter_counts(response)
    assert counts["All"] == 2 and counts["Confirmed"] == 1 and counts["Cancelled"] == 1
    assert sum(n for label, n in counts.items() if label != "All") == 2
    for status, label in S.choices:
        assert len(_find(owner, event_a, q="mart", status=status)) == counts[str(label)]
