"""Manager pages for messages (issue 4 §7, §9): templates with preview, reminder settings,
messages to a segment, per-recipient statuses."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as Browser

from livesession.core.models import Role
from livesession.messaging.models import (
    Campaign,
    MessageTemplate,
    OutboxMessage,
    OutboxStatus,
)
from livesession.registrations import services as reg

BASE = "/manager/alpha"


@pytest.fixture
def owner(owner_a: Any) -> Browser:
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(owner_a)
    return browser


@pytest.fixture
def viewer(client_a: Any, make_member: Any) -> Browser:
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(make_member(client_a, Role.VIEWER, "viewer@alpha.test"))
    return browser


def test_issue4_7_templates_listed_with_built_in_wording(owner: Browser) -> None:
    page = owner.get(f"{BASE}/messages/").content.decode()
    assert "Registration confirmed" in page and "Follow-up to those absent" in page
    assert "Your registration: {{ event_title }}" in page and "Built-in" in page


def test_issue4_7_editor_previews_with_sample_values_then_saves(owner: Browser) -> None:
    url = f"{BASE}/messages/template/?kind=reminder&language=en"
    page = owner.get(url).content.decode()
    assert "{{ join_link }}" in page and "Camille" in page  # placeholders and a preview
    text = {"kind": "reminder", "language": "en", "subject": "Soon: {{ event_title }}",
            "body": "Hi {{ first_name }}, it starts {{ event_start }}.\n{{ join_link }}"}
    preview = owner.post(f"{BASE}/messages/template/", {**text, "action": "preview"})
    assert preview.status_code == 200 and "Hi Camille, it starts" in preview.content.decode()
    assert not MessageTemplate.objects.exists()  # a preview saves nothing
    saved = owner.post(f"{BASE}/messages/template/", {**text, "action": "save"})
    assert saved.status_code == 302
    row = MessageTemplate.objects.get()
    assert (row.kind, row.language, row.subject) == ("reminder", "en",
                                                     "Soon: {{ event_title }}")
    reset = owner.post(f"{BASE}/messages/template/", {**text, "action": "reset"})
    assert reset.status_code == 302 and not MessageTemplate.objects.exists()


def test_issue4_7_editor_refuses_unknown_placeholders_naming_them(owner: Browser) -> None:
    answer = owner.post(f"{BASE}/messages/template/", {
        "kind": "denied", "language": "fr", "action": "save", "subject": "Non",
        "body": "Voici {{ join_link }} et {{ nom }"})
    page = answer.content.decode()
    assert answer.status_code == 400
    assert "{{ join_link }}" in page and "{{ note }}" in page and "brace" in page.lower()
    assert not MessageTemplate.objects.exists()


def test_issue4_7_viewer_reads_but_cannot_edit(viewer: Browser, event_a: Any) -> None:
    assert viewer.get(f"{BASE}/messages/").status_code == 200
    assert viewer.get(f"{BASE}/events/{event_a.pk}/messages/").status_code == 200
    assert viewer.post(f"{BASE}/messages/template/", {
        "kind": "reminder", "language": "en", "action": "save", "subject": "x",
        "body": "y"}).status_code == 403
    assert viewer.post(f"{BASE}/events/{event_a.pk}/messages/settings/",
                       {"reminder_offsets": "30"}).status_code == 403
    assert not MessageTemplate.objects.exists()


def test_issue4_7_reminder_offsets_and_followup_switch(owner: Browser, event_a: Any) -> None:
    url = f"{BASE}/events/{event_a.pk}/messages/settings/"
    assert 'value="1 day, 1 hour"' in owner.get(url).content.decode()
    assert owner.post(url, {"reminder_offsets": "2 days, 30 min"}).status_code == 302
    event_a.refresh_from_db()
    assert event_a.reminder_offsets == [2880, 30] and event_a.followup_enabled is False
    assert "Reminders before each start: 2 days, 30 minutes" in owner.get(
        f"{BASE}/events/{event_a.pk}/messages/").content.decode()
    assert owner.post(url, {"reminder_offsets": "2880, 30"}).status_code == 302  # minutes
    bad = owner.post(url, {"reminder_offsets": "soon", "followup_enabled": "on"})
    assert bad.status_code == 400 and "is not a duration" in bad.content.decode()
    assert 'value="soon"' in bad.content.decode()  # what was typed stays
    assert owner.post(url, {"reminder_offsets": "1"}).status_code == 400


def test_issue4_9_send_to_a_segment_and_see_progress(
        owner: Browser, event_a: Any, django_capture_on_commit_callbacks: Any) -> None:
    for name in ("ann", "bob"):
        reg.register(event_a, email=f"{name}@example.org", first_name=name.title(),
                     last_name="X", language="en")
    url = f"{BASE}/events/{event_a.pk}/messages/send/"
    form = owner.get(url).content.decode()
    assert "2 people" in form and "{{ unsubscribe_link }}" in form
    with django_capture_on_commit_callbacks(execute=True):
        sent = owner.post(url, {"segment": "registered", "subject_fr": "Merci",
                                "body_fr": "Bonjour {{ first_name }}",
                                "subject_en": "Thanks", "body_en": "Hi {{ first_name }}"})
    assert sent.status_code == 302
    campaign = Campaign.objects.get()
    assert (campaign.status, campaign.queued, campaign.total) == ("done", 2, 2)
    page = owner.get(f"{BASE}/events/{event_a.pk}/messages/").content.decode()
    assert "queued: 2, skipped: 0, of 2" in page


def test_issue4_7_statuses_per_recipient_filterable_without_bodies(
        owner: Browser, event_a: Any) -> None:
    made = reg.register(event_a, email="ann@example.org", first_name="Ann",
                        last_name="Lee", language="en")
    reg.register(event_a, email="bob@example.org", first_name="Bob", last_name="Ray")
    first = OutboxMessage.objects.get(registration=made.registration)
    OutboxMessage.objects.filter(pk=first.pk).update(
        status=OutboxStatus.FAILED, attempts=1, last_error="SMTPRecipientsRefused 550")
    url = f"{BASE}/events/{event_a.pk}/messages/"
    page = owner.get(url).content.decode()
    assert "Ann Lee" in page and "Bob Ray" in page and "SMTPRecipientsRefused 550" in page
    assert "Registration confirmed" in page
    assert made.token not in page  # bodies (and their personal links) are not shown
    failed = owner.get(url, {"status": "failed"}).content.decode()
    assert "Ann Lee" in failed and "Bob Ray" not in failed
    by_kind = owner.get(url, {"kind": "registration.denied"}).content.decode()
    assert "Ann Lee" not in by_kind and "No message yet." in by_kind


def test_issue4_7_event_page_and_nav_link_the_messages(owner: Browser, event_a: Any) -> None:
    page = owner.get(f"{BASE}/events/{event_a.pk}/").content.decode()
    assert f"{BASE}/events/{event_a.pk}/messages/" in page and f"{BASE}/messages/" in page
