"""Steps the organizer's and the operator's flows share: signing in, answering the cookie
banner, finding a button or a link by what it says, and checking that the page fits."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, expect

from tests.e2e.flows.harness import Person

Name = str | re.Pattern[str]


def button(person: Person, name: Name) -> Locator:
    return person.page.get_by_role("button", name=name)


def link(person: Person, name: Name) -> Locator:
    """A link of the page's main content (the header's menu has links of the same words)."""
    return person.page.locator("#main").get_by_role("link", name=name).first


def menu(person: Person, name: Name) -> Locator:
    """A link of the header's menu; on a phone it is the same list, wrapped."""
    return person.page.get_by_role("banner").get_by_role("link", name=name).first


def fits(person: Person) -> None:
    """Nothing wider than the screen: no sideways scrolling, on a phone above all."""
    widths = person.page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"horizontal overflow on {person.page.url}: {widths}"


def refuse_cookies(person: Person) -> None:
    """A person answers the banner once; the choice holds for the rest of the visit."""
    refuse = button(person, "Tout refuser")
    if refuse.count():
        person.follow(refuse)
    expect(button(person, "Tout refuser")).to_have_count(0)


def sign_in(person: Person, email: str, password: str) -> None:
    person.open("/accounts/login/")
    refuse_cookies(person)
    page = person.page
    person.type(page.get_by_label("Adresse e-mail"), email)
    person.type(page.get_by_label("Mot de passe"), password)
    person.submit(button(person, "Se connecter"))
