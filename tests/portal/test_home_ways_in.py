"""The home page shows every way in: a participant finds their personal link again, reaches
their registrations, signs in or creates an account; an organizer reaches the Manager's
sign-in. In French (the default) and in English, and every link leads somewhere real."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client as Browser
from django.urls import reverse

WAYS = {
    "fr": ["Retrouver mon lien personnel", "Mes inscriptions (espace personnel)",
           "Se connecter", "Créer un compte", "Connexion au Manager"],
    "en": ["Find my personal link again", "My registrations (personal space)", "Sign in",
           "Create an account", "Manager sign-in"],
}


def _links(html: str) -> dict[str, str]:
    main = html[html.index('<main'):html.index("</main>")]
    return {re.sub(r"\s+", " ", text).strip(): href
            for href, text in re.findall(r'<a[^>]*href="([^"]+)"[^>]*>(.*?)</a>', main, re.S)}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_home_offers_participants_and_organizers_a_way_in(lang: str) -> None:
    browser = Browser(headers={"Accept-Language": lang})
    page = browser.get("/")
    assert page.status_code == 200
    links = _links(page.content.decode())
    for label in WAYS[lang]:
        assert label in links, f"{label!r} missing from the home page ({lang}): {links}"
    assert links[WAYS[lang][0]] == reverse("portal:resend")
    assert links[WAYS[lang][1]] == reverse("accounts:space")
    assert links[WAYS[lang][2]] == reverse("accounts:login")
    assert links[WAYS[lang][3]] == reverse("accounts:signup")
    assert links[WAYS[lang][4]] == reverse("manager:home")
    for href in links.values():  # each one answers, or sends to the sign-in page
        answer = browser.get(href)
        assert answer.status_code == 200 or (
            answer.status_code == 302 and answer["Location"].startswith("/accounts/login/")
        ), (href, answer.status_code)


def test_home_for_a_signed_in_participant_has_no_sign_in_link(owner_a: Any) -> None:
    browser = Browser(headers={"Accept-Language": "en"})
    browser.force_login(owner_a)
    links = _links(browser.get("/").content.decode())
    assert "My registrations (personal space)" in links
    assert "Sign in" not in links and "Create an account" not in links
