"""Registering while signed in: prefill from the profile, within what the participant
shares with that organizer, and the registration joins the personal space (P0.2, P1.5)."""

from __future__ import annotations

from typing import Any

from django.test import Client as Browser

from livesession.accounts.models import AccountLink
from livesession.accounts.services import set_sharing, update_profile
from livesession.core.clock import now
from livesession.registrations import fields_services
from tests.conftest import PASSWORD


def _participant() -> Any:
    from livesession.accounts.services import create_account

    user = create_account("lou@example.org", PASSWORD, actor="t")
    user.email_verified_at = now()
    user.save()
    update_profile(user, first_name="Lou", last_name="Bernard", city="Lyon")
    return user


def test_p0_2_prefill_respects_sharing_and_links_the_registration(event_a: Any,
                                                                  client_a: Any) -> None:
    user = _participant()
    fields_services.set_event_scope(event_a, {
        "city": {"enabled": True, "purpose": "regional statistics"}}, actor="t")
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(user)
    page = browser.get(f"/e/{event_a.pk}/").content.decode()
    assert 'value="lou@example.org"' in page and 'value="Lou"' in page
    assert 'value="Lyon"' not in page  # the city is not shared with this organizer yet
    set_sharing(user, client_a, ["first_name", "last_name", "city"])
    page = browser.get(f"/e/{event_a.pk}/").content.decode()
    assert 'value="Lyon"' in page
    response = browser.post(f"/e/{event_a.pk}/", {"email": "lou@example.org",
                                                  "first_name": "Lou", "last_name": "Bernard",
                                                  "city": "Lyon"})
    assert response.status_code == 302
    assert AccountLink.objects.filter(account=user).count() == 1
    space = browser.get("/me/").content.decode()
    assert event_a.title in space
