"""One account, many organizers (issue 3 point 9; P0.2): a verified account claims the
registrations made earlier with its address at every client, and each organizer's form is
prefilled only with what the participant shares with it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as Browser

from livesession.accounts import services
from livesession.accounts.models import AccountLink, SharingChoice
from livesession.audit.models import AuditEntry
from livesession.core.models import Client
from livesession.events.models import Event
from livesession.registrations.services import register
from tests.accounts.conftest import Mailbox, open_link, sign_in

ADDRESS = "sacha.leroy@example.org"


def test_p0_2_verification_claims_earlier_registrations_at_two_clients_and_no_others(
        mailbox: Mailbox, event_a: Event, event_b: Event, client_a: Client,
        make_event: Any) -> None:
    mine_a = register(event_a, email=ADDRESS, first_name="Sacha", last_name="Leroy").registration
    mine_b = register(event_b, email="  Sacha.Leroy@EXAMPLE.org", first_name="S",
                      last_name="L").registration
    elsewhere = make_event(client_a, title="Someone else's seminar")
    theirs = register(elsewhere, email="other.person@example.org", first_name="Other",
                      last_name="Person").registration

    with mailbox.deliver():
        Browser().post("/accounts/signup/", {
            "email": ADDRESS, "first_name": "Sacha", "last_name": "Leroy",
            "password": "violet kayak at noon", "password2": "violet kayak at noon"})
    assert not AccountLink.objects.exists()  # an unverified account claims nothing
    [mail] = mailbox.to(ADDRESS)
    confirming = Browser()
    confirming.post(open_link(confirming, mailbox.path_to(mail, "/accounts/verify/")))

    links = AccountLink.objects.filter(account__email_index=mine_a.email_index)
    assert {link.registration_id for link in links} == {mine_a.pk, mine_b.pk}
    assert not AccountLink.objects.filter(registration=theirs).exists()
    # Each client's trail says which of its registrations joined an account, ids only.
    claimed = AuditEntry.objects.filter(action="account.registrations_claimed")
    assert {e.client_id for e in claimed} == {event_a.client_id, event_b.client_id}
    assert all(ADDRESS not in str(e.details) for e in claimed)

    browser, _r = sign_in(ADDRESS, "violet kayak at noon")
    page = browser.get("/me/").content.decode()
    assert event_a.title in page and event_b.client.name in page
    assert "Someone else's seminar" not in page
    # Claiming again finds nothing new.
    user = links[0].account
    assert services.claim_registrations(user) == 0
    # A registration made later without signing in joins at the next sign-in.
    later = make_event(client_a, title="Later webinar")
    register(later, email=ADDRESS, first_name="Sacha", last_name="Leroy")
    browser, _r = sign_in(ADDRESS, "violet kayak at noon")
    assert "Later webinar" in browser.get("/me/").content.decode()


def test_p0_2_a_registration_made_while_signed_in_joins_a_verified_account_only(
        event_a: Event, event_b: Event, make_participant: Any) -> None:
    verified = make_participant(ADDRESS)
    unverified = make_participant("new.comer@example.org", verified=False)
    own = register(event_a, email=ADDRESS, first_name="Sacha", last_name="Leroy").registration
    assert services.link_registration(verified, own) is True
    assert services.link_registration(verified, own) is True  # idempotent
    assert AccountLink.objects.filter(account=verified).count() == 1

    other = register(event_b, email="someone.else@example.org", first_name="X",
                     last_name="Y").registration
    assert services.link_registration(verified, other) is False
    pending = register(event_b, email="new.comer@example.org", first_name="N",
                       last_name="C").registration
    assert services.link_registration(unverified, pending) is False
    assert not AccountLink.objects.filter(registration__in=[other, pending]).exists()


def test_p0_2_prefill_follows_the_sharing_choice_of_each_client(
        client_a: Client, client_b: Client, make_participant: Any) -> None:
    user = make_participant(ADDRESS, "Sacha", "Leroy")
    services.update_profile(user, mobile_phone="06 12 34 56 78", city="Lyon",
                            postal_code="69001", job_function="Nurse")
    every = ["first_name", "last_name", "mobile_phone", "city", "postal_code", "job_function"]

    # No choice yet: the names only, and always the email.
    assert services.profile_for_prefill(user, client_a, every) == {
        "email": ADDRESS, "first_name": "Sacha", "last_name": "Leroy"}
    services.set_sharing(user, client_a, ["city", "mobile_phone"])
    assert services.profile_for_prefill(user, client_a, every) == {
        "email": ADDRESS, "mobile_phone": "06 12 34 56 78", "city": "Lyon"}
    # The form decides too: a field it does not collect is never prefilled.
    assert services.profile_for_prefill(user, client_a, ["city", "first_name"]) == {
        "email": ADDRESS, "city": "Lyon"}
    # Another organizer is not affected by the first one's choice.
    assert services.profile_for_prefill(user, client_b, every) == {
        "email": ADDRESS, "first_name": "Sacha", "last_name": "Leroy"}
    services.set_sharing(user, client_b, [])
    assert services.profile_for_prefill(user, client_b, every) == {"email": ADDRESS}
    with pytest.raises(ValueError, match="not profile fields"):
        services.set_sharing(user, client_b, ["email", "password"])


def test_p0_2_sharing_page_lists_the_organizers_of_my_registrations(
        event_a: Event, event_b: Event, client_a: Client, client_b: Client,
        make_participant: Any) -> None:
    user = make_participant(ADDRESS)
    services.link_registration(user, register(event_a, email=ADDRESS, first_name="S",
                                              last_name="L").registration)
    browser, _r = sign_in(ADDRESS)
    page = browser.get("/me/sharing/").content.decode()
    assert client_a.name in page and client_b.name not in page
    field = f"client_{client_a.pk}"
    response = browser.post("/me/sharing/", {field: ["city", "job_function"],
                                             f"client_{client_b.pk}": ["city"]})
    assert response.status_code == 302
    assert SharingChoice.objects.get(user=user, client=client_a).fields == [
        "city", "job_function"]
    # A client the participant has no registration with is not written through the page.
    assert not SharingChoice.objects.filter(client=client_b).exists()
    bad = browser.post("/me/sharing/", {field: ["password"]})
    assert bad.status_code == 400
    assert SharingChoice.objects.get(user=user, client=client_a).fields == [
        "city", "job_function"]
