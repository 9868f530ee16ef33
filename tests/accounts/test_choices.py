"""The personal space's choices page (issue 5 §3, §4; P4.1, P7.5; R-10, R-11): per
organizer and for the platform account, restrict / lift, object / withdraw the objection,
and each consent withdrawn or given again, at once and audited."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as Browser
from django.urls import reverse

from livesession.accounts.models import User
from livesession.accounts.services import claim_registrations
from livesession.audit.models import AuditEntry
from livesession.messaging.models import OutboxMessage
from livesession.privacy.services import current_consents
from livesession.protection import objection, restriction
from livesession.registrations.models import Registration
from livesession.registrations.services import register

EMAIL = "noa@example.org"
CHOICES = "/me/choices/"


@pytest.fixture
def noa(make_participant: Any, event_a: Any, event_b: Any) -> dict[str, Any]:
    user: User = make_participant(EMAIL, "Noa", "Lemaire")
    a = register(event_a, {"consents": ["organizer_news"]}, email=EMAIL, first_name="Noa",
                 last_name="Lemaire").registration
    b = register(event_b, email=EMAIL, first_name="Noa", last_name="Lemaire").registration
    claim_registrations(user)
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(user)
    return {"user": user, "a": a, "b": b, "browser": browser}


def _post(noa: dict[str, Any], **data: Any) -> Any:
    return noa["browser"].post(CHOICES, data, follow=True)


def test_p4_1_page_lists_the_account_and_each_organizer(noa: dict[str, Any],
                                                      event_a: Any, event_b: Any) -> None:
    assert reverse("accounts:choices") == CHOICES
    page = noa["browser"].get(CHOICES)
    assert page.status_code == 200
    text = page.content.decode()
    for name in (event_a.client.name, event_b.client.name, "Your account at"):
        assert name in text
    assert 'href="/me/choices/"' in text  # in the space navigation


def test_p4_1_restrict_and_lift_at_one_organizer(noa: dict[str, Any], event_a: Any) -> None:
    """R-10 from the personal space: at once, audited as the account, notice sent; the
    other organizer is untouched."""
    a, b = noa["a"], noa["b"]
    response = _post(noa, subject=a.subject_id, action="restrict")
    assert "is now restricted" in response.content.decode()
    assert restriction.is_restricted(a.subject_id)
    assert not restriction.is_restricted(b.subject_id)
    entry = AuditEntry.objects.get(action="subject.restricted")
    assert entry.actor == f"account:{noa['user'].pk}" and entry.details == {"source": "space"}
    assert OutboxMessage.objects.filter(kind=restriction.NOTICE_KIND,
                                        subject_id=a.subject_id).count() == 1
    assert "Lift the restriction" in noa["browser"].get(CHOICES).content.decode()
    response = _post(noa, subject=a.subject_id, action="lift")
    assert "is lifted" in response.content.decode()
    assert not restriction.is_restricted(a.subject_id)


def test_p4_1_restrict_the_platform_account(noa: dict[str, Any]) -> None:
    user = noa["user"]
    _post(noa, subject=user.subject_id, action="restrict")
    assert restriction.is_restricted(user.subject_id)
    # Its security mails still go; nothing else does.
    notice = OutboxMessage.objects.get(kind=restriction.NOTICE_KIND, subject=user.subject)
    assert notice.client_id is None


def test_p4_1_object_to_statistics_and_withdraw(noa: dict[str, Any]) -> None:
    """R-11: object, effect at once, withdraw; each audited."""
    a = noa["a"]
    response = _post(noa, subject=a.subject_id, action="object", purpose="statistics")
    assert "You object to" in response.content.decode()
    assert objection.objects_to(a.subject_id, "statistics")
    assert not objection.objects_to(noa["b"].subject_id, "statistics")
    _post(noa, subject=a.subject_id, action="withdraw_objection", purpose="statistics")
    assert not objection.objects_to(a.subject_id, "statistics")
    actions = list(AuditEntry.objects.filter(target=f"subject:{a.subject_id}")
                   .values_list("action", flat=True).order_by("id"))
    assert actions[-2:] == ["subject.objected", "subject.objection_withdrawn"]


def test_p4_1_reminders_cannot_be_objected_at_the_platform(noa: dict[str, Any]) -> None:
    user = noa["user"]
    response = _post(noa, subject=user.subject_id, action="object", purpose="reminders")
    assert "not available" in response.content.decode()
    assert not objection.objects_to(user.subject_id, "reminders")


def test_p7_5_withdraw_a_consent_and_give_it_again(noa: dict[str, Any],
                                                  event_a: Any) -> None:
    """P7.5: withdrawal at once from the space, and giving it again as easily; both in
    the ledger and the audit trail."""
    a = noa["a"]
    client_id = event_a.client_id
    assert current_consents(client_id, a.subject_id) == {"organizer_news": True}
    response = _post(noa, subject=a.subject_id, action="withdraw_consent",
                     purpose="organizer_news")
    assert "is withdrawn" in response.content.decode()
    assert current_consents(client_id, a.subject_id) == {"organizer_news": False}
    _post(noa, subject=a.subject_id, action="give_consent", purpose="organizer_news")
    assert current_consents(client_id, a.subject_id) == {"organizer_news": True}
    assert AuditEntry.objects.filter(action="consent.given",
                                     target=f"subject:{a.subject_id}").count() == 1


def test_p4_1_another_persons_subject_is_404(noa: dict[str, Any], event_a: Any) -> None:
    """A subject id not held by the account: 404, nothing changes."""
    other = register(event_a, email="someone@example.org", first_name="S",
                     last_name="O").registration
    response = noa["browser"].post(CHOICES, {"subject": other.subject_id,
                                             "action": "restrict"})
    assert response.status_code == 404
    assert not restriction.is_restricted(other.subject_id)
    malformed = noa["browser"].post(CHOICES, {"subject": "not-a-uuid", "action": "restrict"},
                                    follow=True)
    assert "not available here" in malformed.content.decode()


def test_p4_1_anonymous_is_sent_to_sign_in(noa: dict[str, Any]) -> None:
    response = Browser().post(CHOICES, {"subject": noa["a"].subject_id, "action": "restrict"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Registration.objects.filter(subject__restricted_at__isnull=False).exists()
