"""The breakdown facts job (new, changed, erased registrations) and the capture of a
registration's source through the public form and the API (issue 7 §7)."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client as Browser

from livesession.analytics import facts, normalize
from livesession.analytics.jobs import refresh_facts
from livesession.analytics.models import RegistrationFacts, RegistrationSource
from livesession.events.models import Event
from livesession.protection import erasure, restriction
from livesession.registrations import services as reg
from tests.analytics.conftest import SCOPE, Seed, person


def test_the_job_computes_new_registrations(seeded: Seed) -> None:
    assert not RegistrationFacts.objects.exists()
    assert refresh_facts.call_local() == 32
    row = RegistrationFacts.objects.get(registration=seeded.people[1])
    assert (row.job_function, row.city, row.department) == ("chef de projet", "ajaccio", "2A")
    assert refresh_facts.call_local() == 0  # nothing new


def test_the_job_computes_a_changed_registration_again(seeded: Seed) -> None:
    facts.refresh()
    changed = seeded.people[0]
    reg.update_answers(changed, {"first_name": "P", "last_name": "0", "city": "Lyon",
                                 "postal_code": "69003", "job_function": "Pilote"},
                       actor="test")
    assert facts.refresh() == 1
    row = RegistrationFacts.objects.get(registration=changed)
    assert (row.job_function, row.city, row.department) == ("pilote", "lyon", "69")


def test_only_fields_the_form_collects_are_kept(client_a: Any, make_event: Any) -> None:
    event = make_event(client_a)
    event.form_scope = {**SCOPE, "job_function": {"enabled": False, "required": False,
                                                  "purpose": ""}}
    event.save()
    r = person(event, 1, city="Paris", postal_code="75001")
    facts.refresh()
    row = RegistrationFacts.objects.get(registration=r)
    assert row.job_function is None and row.city == "paris" and row.department == "75"


def test_nothing_is_decrypted_for_a_restricted_person_until_lifted(seeded: Seed) -> None:
    """R-10: storage only. The row is withheld (no value), and computed once lifted."""
    target = seeded.people[2]
    restriction.restrict([target.subject_id], actor="test", source="manager")
    facts.refresh()
    row = RegistrationFacts.objects.get(registration=target)
    assert row.withheld and row.city is None and row.job_function is None
    restriction.lift([target.subject_id], actor="test", source="manager")
    facts.refresh()
    row.refresh_from_db()
    assert not row.withheld and row.city == "bastia"


def test_p4_3_an_erased_persons_facts_and_source_are_gone(seeded: Seed) -> None:
    from livesession.analytics.sources import capture

    target = seeded.people[5]
    capture(target, {"utm_source": "newsletter", "ref_host": "news.example"})
    facts.refresh()
    erasure.erase_person(target.subject, actor="test")
    assert not RegistrationFacts.objects.filter(registration_id=target.pk).exists()
    assert not RegistrationSource.objects.filter(registration_id=target.pk).exists()
    assert RegistrationFacts.objects.count() == 31


def test_a_page_fills_missing_facts_within_its_bound(seeded: Seed, settings: Any) -> None:
    settings.ANALYTICS_FACTS_ON_DEMAND = 20
    left = facts.fill_missing(seeded.event.client_id, [seeded.event.pk])
    assert left == 12 and RegistrationFacts.objects.count() == 20
    assert facts.fill_missing(seeded.event.client_id, [seeded.event.pk]) == 0


def test_normalization_of_departments_and_cities() -> None:
    assert [normalize.department(c) for c in ("75011", "20000", "20190", "20200", "97400",
                                              "98800", "1234", "abcde", "01000")] == \
        ["75", "2A", "2A", "2B", "974", "988", "", "", "01"]
    assert normalize.city("St-Étienne ") == normalize.city("saint etienne") == "saint etienne"
    assert normalize.city("Paris 15e") == "paris"
    assert normalize.job_function("  Chef  de PROJET") == "chef de projet"


def test_the_form_carries_utm_values_and_the_referrer_host(event_a: Event) -> None:
    visitor = Browser(HTTP_ACCEPT_LANGUAGE="en")
    page = visitor.get(f"/e/{event_a.pk}/?utm_source=newsletter&utm_medium=email"
                       "&utm_campaign=spring", HTTP_REFERER="https://News.Example/path?u=lea")
    html = page.content.decode()
    hidden = dict(re.findall(r'<input type="hidden" name="(utm_\w+|ref_host)" value="([^"]*)"',
                             html))
    assert hidden == {"utm_source": "newsletter", "utm_medium": "email",
                      "utm_campaign": "spring", "ref_host": "news.example"}
    response = visitor.post(f"/e/{event_a.pk}/", {"email": "lea@example.org",
                                                  "first_name": "Léa", "last_name": "Martin",
                                                  **hidden})
    assert response.status_code == 302
    source = RegistrationSource.objects.get()
    assert (source.utm_source, source.utm_medium, source.utm_campaign,
            source.referrer_host) == ("newsletter", "email", "spring", "news.example")


def test_the_sites_own_pages_are_not_a_referrer(event_a: Event) -> None:
    html = Browser().get(f"/e/{event_a.pk}/", HTTP_REFERER="http://testserver/other/")
    assert 'name="ref_host"' not in html.content.decode()


def test_the_api_registration_records_its_source(event_a: Event) -> None:
    response = Browser().post(
        f"/api/v1/events/{event_a.pk}/registrations",
        {"email": "api@example.org", "first_name": "A", "last_name": "B",
         "utm_source": "partner", "referrer": "https://partner.example/page"},
        content_type="application/json")
    assert response.status_code == 202
    source = RegistrationSource.objects.get()
    assert (source.utm_source, source.referrer_host) == ("partner", "partner.example")


def test_no_source_no_row(event_a: Event) -> None:
    response = Browser().post(f"/api/v1/events/{event_a.pk}/registrations",
                              {"email": "plain@example.org", "first_name": "A",
                               "last_name": "B"}, content_type="application/json")
    assert response.status_code == 202
    assert not RegistrationSource.objects.exists()
