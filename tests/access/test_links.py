"""Personal links (issue 4 §1, Bad input): randomness, revoke and regenerate by the
organizer, "have my link resent" that never tells whether an address is registered."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.test import Client as Browser

from livesession.access import services as access
from livesession.access.models import AccessLink
from livesession.audit.models import AuditEntry
from livesession.core.clock import freeze
from livesession.events.models import Event
from livesession.messaging.models import OutboxMessage
from livesession.registrations import services as reg
from livesession.registrations.models import Registration

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _register(event: Event, email: str = "lea@example.org") -> tuple[Registration, str]:
    made = reg.register(event, email=email, first_name="Léa", last_name="Martin")
    return made.registration, made.token


def _mails_to(address: str) -> list[OutboxMessage]:
    return [m for m in OutboxMessage.objects.order_by("id") if m.to == address]


def test_issue4_1_token_has_at_least_128_bits(event_a: Event) -> None:
    tokens = {access.new_token() for _ in range(200)}
    assert len(tokens) == 200
    assert all(len(t) >= 22 for t in tokens)  # 22 URL-safe characters carry 132 bits
    _registration, token = _register(event_a)
    stored = AccessLink.objects.get()
    assert token not in stored.token_enc and stored.token_digest != token


def test_issue4_1_organizer_regenerates_a_link(event_a: Event) -> None:
    registration, old = _register(event_a)
    access.regenerate(registration, actor="account:1")
    new = access.current_token(registration)
    assert new and new != old
    assert access.resolve(old) is None and access.resolve(new) == registration
    assert Browser().get(f"/j/{old}/").status_code == 404
    # The new link goes to the registered address only, through the outbox.
    mails = _mails_to("lea@example.org")
    assert new in mails[-1].body and old not in mails[-1].body
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"access_link.regenerated", "registration.link_resent"} <= actions


def test_issue4_1_organizer_revokes_a_link(event_a: Event) -> None:
    registration, token = _register(event_a)
    access.revoke_link(registration, actor="account:1")
    assert access.resolve(token) is None and access.current_token(registration) is None
    entry = AuditEntry.objects.filter(action="access_link.revoked").get()
    assert entry.target == f"registration:{registration.pk}" and "@" not in str(entry.details)


def test_issue4_1_resend_answers_the_same_whether_registered_or_not(event_a: Event) -> None:
    _registration, token = _register(event_a)
    before = OutboxMessage.objects.count()
    browser = Browser(**EN)
    page = browser.get(f"/j/resend/?event={event_a.pk}")
    assert page.status_code == 200 and event_a.title in page.content.decode()
    known = browser.post("/j/resend/", {"email": "LEA@example.org", "event": str(event_a.pk)})
    unknown = browser.post("/j/resend/", {"email": "nobody@example.org",
                                          "event": str(event_a.pk)})
    assert known.status_code == unknown.status_code == 200

    def text(response: Any) -> str:
        # The CSRF token of the language form is masked anew on each page.
        html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
        return html.replace("nobody@example.org", "").replace("LEA@example.org", "")

    assert text(known) == text(unknown)
    assert "If this address is registered" in known.content.decode()
    sent = OutboxMessage.objects.order_by("id")[before:]
    assert [m.to for m in sent] == ["lea@example.org"]
    assert token in sent[0].body


def test_issue4_1_resend_without_event_and_after_revocation(event_a: Event,
                                                             make_event: Any) -> None:
    other = make_event(event_a.client, title="Second")
    registration, token = _register(event_a)
    _register(other)
    access.revoke_link(registration, actor="account:1")
    before = OutboxMessage.objects.count()
    assert Browser().post("/j/resend/", {"email": "lea@example.org"}).status_code == 200
    sent = list(OutboxMessage.objects.order_by("id")[before:])
    assert len(sent) == 2 and all(m.to == "lea@example.org" for m in sent)
    # The revoked link stays dead; a fresh one was issued and mailed.
    fresh = access.current_token(registration)
    assert fresh and fresh != token and access.resolve(token) is None
    assert any(fresh in m.body for m in sent)


def test_issue4_1_resend_is_rate_limited(event_a: Event, settings: Any) -> None:
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "link_resend": (2, 3600),
                            "link_resend_address": (1, 3600)}
    _register(event_a)
    browser = Browser(**EN)
    before = OutboxMessage.objects.count()
    with freeze(event_a.starts_at - dt.timedelta(days=1)):
        first = browser.post("/j/resend/", {"email": "lea@example.org"})
        second = browser.post("/j/resend/", {"email": "lea@example.org"})
        third = browser.post("/j/resend/", {"email": "lea@example.org"})
    # Per address: the second request sends nothing, and says the same.
    assert first.status_code == second.status_code == 200
    assert OutboxMessage.objects.count() == before + 1
    # Per connection: the third is refused, without a word about the address.
    assert third.status_code == 429 and third["Retry-After"]
    assert "Too many requests" in third.content.decode()


def test_issue4_1_resend_checks_the_address_shape(event_a: Event) -> None:
    page = Browser(**EN).post("/j/resend/", {"email": "not an address"})
    assert page.status_code == 400 and 'aria-invalid="true"' in page.content.decode()


def test_issue4_1_resend_page_needs_csrf() -> None:
    strict = Browser(enforce_csrf_checks=True)
    assert strict.post("/j/resend/", {"email": "lea@example.org"}).status_code == 403


def test_issue4_bad_input_unknown_link_page_offers_the_resend(event_a: Event) -> None:
    page = Browser(**EN).get("/j/this-is-not-a-link-at-all-00000000000/")
    html = page.content.decode()
    assert page.status_code == 404 and "This link does not work" in html
    assert 'href="/j/resend/"' in html
