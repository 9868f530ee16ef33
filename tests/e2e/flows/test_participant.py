"""A participant's flows, at a desktop and a phone width, clicking and typing as a person
does: the event page, the registration form with a question of each kind, the confirmation
page, the mail, the personal link, the waiting page, the room, cancelling, the double opt-in,
"have my link sent again", the cookie banner, and the language switch on each kind of page.

The events are made once for the session through the product's own services (the organizer's
flows make them through the Manager); every test registers its own new person.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, expect

from tests.e2e.flows.common import (
    OPEN_NOW,
    WAITING,
    Events,
    fill_identity,
    personal_link,
    register,
    someone,
)
from tests.e2e.flows.harness import Person
from tests.e2e.flows.shots import shot
from tests.e2e.flows.stack import shell
from tests.e2e.test_browser import Stack

pytestmark = [pytest.mark.slow, pytest.mark.no_db]


def test_register_with_each_kind_of_question_wait_then_enter_the_room(
        person: Person, events: Events, site: Stack, viewport: str) -> None:
    page = person.page
    who = someone("questions")
    person.open(events.url(f"QUESTIONS_{viewport.upper()}"))
    expect(page.locator("h1")).to_have_text(f"Atelier questions {viewport}")
    form = page.locator("#registration-form")

    # Sent with nothing: each required field says so, next to it (answered 400: the form
    # is sent back to be corrected).
    person.wait_min_fill()
    with person.allowing(400, r"^/e/"):
        person.submit("#registration-form button[type=submit]")
    expect(form.locator("[role=alert]").first).to_be_visible()
    for field in ("email", "first_name", "last_name"):
        expect(page.locator(f"#id_{field}")).to_have_attribute("aria-invalid", "true")

    fill_identity(person, who)
    # A question of each kind, answered by its label as a person reads it (named exactly:
    # a box whose label holds the other options' labels is a bug a screen reader meets).
    level = page.get_by_role("radio", name="Confirmé", exact=True)
    level.check()
    expect(level).to_be_checked()
    expect(page.get_by_role("radio", name="Débutant", exact=True)).not_to_be_checked()
    page.get_by_role("checkbox", name="API", exact=True).check()
    page.get_by_role("checkbox", name="Sécurité", exact=True).check()
    page.get_by_label("Créneau préféré").select_option(label="Créneau 4")
    page.get_by_label("Pays").select_option(label="Belgique")
    page.get_by_label("Date d'arrivée").fill("2031-05-17")
    person.type(page.get_by_label("Téléphone"), who["phone"])
    page.get_by_role("checkbox", name="J'ai lu le programme").check()
    # Each option's control sits next to its words: not stretched to the column's width
    # (the circle floated far from its label, and above it on a phone).
    for control in (level, page.get_by_role("checkbox", name="API", exact=True)):
        box = control.bounding_box()
        label = page.locator("label", has=control).bounding_box()
        assert box and label, control
        assert box["width"] < 48, f"a choice's box is {box['width']:.0f} px wide"
        assert label["height"] < 3 * max(box["height"], 16), (box, label)  # one line
    person.wait_min_fill()
    person.submit("#registration-form button[type=submit]")

    # The confirmation page says where the link went.
    expect(page.locator("h1")).to_have_text("Consultez votre messagerie")
    expect(page.get_by_role("status")).to_contain_text(f"Atelier questions {viewport}")

    mail = person.mail(who["email"], "/j/")
    assert mail.subject == f"Votre inscription : Atelier questions {viewport}", mail.subject
    assert who["first_name"] in mail.text
    link = mail.link(r"/j/[^/]+/")

    # The personal link waits: the start, a countdown in days and hours.
    person.open(link)
    expect(page.locator("h1")).to_have_text(f"Atelier questions {viewport}")
    expect(page.get_by_text(WAITING)).to_be_visible()
    countdown = page.get_by_role("timer")
    expect(countdown).to_be_visible()
    expect(countdown).to_have_text(re.compile(r"^\d+\s*j"))  # three days away: days first
    shot(page, "waiting")

    # The organizer's event opens; the person reloads the page and is in the room.
    assert shell(site, OPEN_NOW.format(pk=events.ids[f"QUESTIONS_{viewport.upper()}"]))
    person.follow(page.get_by_role("link", name="Actualiser"))
    player = page.frame_locator("#room-player")
    expect(player.locator("canvas#screen")).to_be_visible()
    expect(page.locator("#presence")).to_have_attribute("data-last", "ok")


def test_cancel_from_the_personal_link(person: Person, events: Events) -> None:
    page = person.page
    who = someone("cancel")
    register(person, events.url("PLAIN"), who)
    person.open(personal_link(person, who))
    expect(page.get_by_text(WAITING)).to_be_visible()

    # Changes their mind once, then cancels.
    person.follow(page.get_by_role("link", name="Annuler mon inscription"))
    expect(page.locator("h1")).to_have_text("Annuler mon inscription")
    person.follow(page.get_by_role("link", name="Non, conserver mon inscription"))
    expect(page.get_by_text(WAITING)).to_be_visible()
    person.follow(page.get_by_role("link", name="Annuler mon inscription"))
    person.submit(page.get_by_role("button", name="Oui, annuler"))
    expect(page.get_by_role("status")).to_contain_text("Cette inscription est annulée")
    expect(page.get_by_role("link", name="Annuler mon inscription")).to_have_count(0)


def test_double_opt_in_confirms_the_address(person: Person, events: Events) -> None:
    page = person.page
    who = someone("optin")
    register(person, events.url("OPTIN"), who)
    person.open(personal_link(person, who))
    expect(page.get_by_text("Confirmez votre adresse", exact=False)).to_be_visible()
    expect(page.get_by_role("timer")).to_have_count(0)
    person.submit(page.get_by_role("button", name="Confirmer mon inscription"))
    expect(page.get_by_text(WAITING)).to_be_visible()
    expect(page.get_by_role("button", name="Confirmer mon inscription")).to_have_count(0)


def test_have_my_link_sent_again(person: Person, events: Events) -> None:
    page = person.page
    who = someone("resend")
    register(person, events.url("PLAIN"), who)
    first = personal_link(person, who)
    person.follow(page.get_by_role("link", name="Me renvoyer mon lien"))
    expect(page.locator("h1")).to_have_text("Me renvoyer mon lien")
    expect(page.locator("#main")).to_contain_text("Atelier simple")
    person.type(page.get_by_label("Adresse e-mail"), who["email"])
    person.submit(page.get_by_role("button", name="Envoyer mon lien"))
    # Said the same whether or not the address is registered; the link is never shown.
    assert "/j/" not in page.content().replace("/j/resend/", "")
    again = personal_link(person, who)
    person.open(again)
    expect(page.locator("h1")).to_have_text("Atelier simple")
    expect(page.get_by_text(WAITING)).to_be_visible()
    assert first  # the first mail's link was read too (its token is searched in the logs)


def _banner(person: Person) -> None:
    expect(person.page.locator("#cookie-banner")).to_be_visible()


def _footer_cookies(person: Person) -> Locator:
    """The footer's "Cookies" link (an event page's footer also has a longer one)."""
    return person.page.locator("footer").get_by_role("link", name="Cookies", exact=True)


def _jar(person: Person) -> set[str]:
    return {c["name"] for c in person.context.cookies()}


def test_cookie_banner_on_the_event_page_and_the_personal_link(
        people: Callable[[], Person], events: Events) -> None:
    make = people  # each person is a fresh browser, with no cookie yet

    # Accept on the event page.
    accepting: Person = make()
    accepting.open(events.url("PLAIN"))
    _banner(accepting)
    accepting.submit(accepting.page.get_by_role("button", name="Tout accepter"))
    expect(accepting.page.locator("#cookie-banner")).to_have_count(0)
    expect(accepting.page.locator("h1")).to_have_text("Atelier simple")  # back where it was
    assert "ls_aud" in _jar(accepting)
    # Withdraw from the footer's link, on the same page.
    accepting.follow(_footer_cookies(accepting))
    accepting.submit(accepting.page.get_by_role("button", name="Tout refuser"))
    assert "ls_aud" not in _jar(accepting)
    accepting.open(events.url("PLAIN"))  # back to the event: no banner, nothing measured
    expect(accepting.page.locator("#cookie-banner")).to_have_count(0)

    # Customise: choose per purpose, then save.
    custom: Person = make()
    custom.open(events.url("PLAIN"))
    custom.submit(custom.page.get_by_role("button", name="Personnaliser"))
    expect(custom.page.locator("h1")).to_have_text("Cookies")
    custom.page.locator("input[name=allow][value=audience]").check()
    custom.submit(custom.page.get_by_role("button", name="Enregistrer mon choix"))
    assert "ls_aud" in _jar(custom)
    expect(custom.page.get_by_role("status").first).to_contain_text("reçu")

    # Refuse on the personal-link page: the person stays on their page.
    refusing: Person = make()
    who = someone("cookies")
    refusing.open(events.url("PLAIN"))
    refusing.submit(refusing.page.get_by_role("button", name="Tout refuser"))
    expect(refusing.page.locator("#cookie-banner")).to_have_count(0)
    register(refusing, events.url("PLAIN"), who)
    link = personal_link(refusing, who)
    # A second browser (the person opens the mail on another device) meets the banner there.
    other: Person = make()
    other.open(link)
    _banner(other)
    other.submit(other.page.get_by_role("button", name="Tout refuser"))
    expect(other.page.locator("#cookie-banner")).to_have_count(0)
    expect(other.page.locator("h1")).to_have_text("Atelier simple")
    assert "ls_aud" not in _jar(other)
    # Then changes their mind from the footer: accept, and withdraw again.
    other.follow(_footer_cookies(other))
    other.submit(other.page.get_by_role("button", name="Tout accepter"))
    assert "ls_aud" in _jar(other)
    other.page.locator("input[name=allow][value=audience]").uncheck()
    other.submit(other.page.get_by_role("button", name="Enregistrer mon choix"))
    assert "ls_aud" not in _jar(other)
    other.open(link)  # the personal link again: no banner
    expect(other.page.locator("#cookie-banner")).to_have_count(0)
    expect(other.page.locator("h1")).to_have_text("Atelier simple")


def _switch_and_back(person: Person, english_h1: str | re.Pattern[str]) -> None:
    """English, then French again, staying on the same page."""
    url = person.page.url
    person.switch_language("en")
    assert person.page.url == url, (url, person.page.url)
    expect(person.page.locator("h1").first).to_have_text(english_h1)
    person.switch_language("fr")
    assert person.page.url == url


def test_language_switch_on_each_kind_of_participant_page(
        person: Person, events: Events, site: Stack) -> None:
    page = person.page
    who = someone("langue")
    # Home, event page, privacy notice, cookie settings, "have my link sent again".
    person.open("/")
    _switch_and_back(person, re.compile(r"\S"))
    person.open(events.url("PLAIN"))
    person.switch_language("en")
    expect(page.locator("#register-title")).to_have_text("Register")
    expect(page.get_by_label("First name")).to_be_visible()
    person.switch_language("fr")
    person.follow(page.locator("footer").get_by_role("link", name="Politique de confidentialité"))
    _switch_and_back(person, re.compile(r"Privacy", re.IGNORECASE))
    person.follow(_footer_cookies(person))
    _switch_and_back(person, "Cookies")
    person.open(f"/j/resend/?event={events.ids['PLAIN']}")
    _switch_and_back(person, "Have my link sent again")

    # The confirmation page, the personal link's page, its cancel page.
    register(person, events.url("PLAIN"), who)
    _switch_and_back(person, "Check your email")
    person.open(personal_link(person, who))
    _switch_and_back(person, "Atelier simple")
    expect(page.get_by_text(WAITING)).to_be_visible()
    person.follow(page.get_by_role("link", name="Annuler mon inscription"))
    _switch_and_back(person, "Cancel my registration")
    # An unknown link's page.
    with person.allowing(404, r"^/j/"):
        person.open("/j/" + "x" * 43 + "/", status=404)
        _switch_and_back(person, re.compile(r"\S"))
