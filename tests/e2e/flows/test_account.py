"""A participant's account, at a desktop and a phone width, clicking and typing as a person
does: sign up, confirm the address from the mail, sign in, every page of the personal space,
"My data" downloaded as a ZIP and opened, choices changed, another session signed out, "this
was not me", a password reset from the mail, erasure at one organizer, then of everything.
"""

from __future__ import annotations

import io
import json
import re
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from tests.e2e.flows.common import Events, register, someone
from tests.e2e.flows.harness import Person
from tests.e2e.flows.shots import shot

pytestmark = [pytest.mark.slow, pytest.mark.no_db]

# A reset link (the "password changed" mail links to the page that asks for one).
RESET_LINK = r"/accounts/password/reset/[^/\s]+/"

# Every page of the personal space, as its header names it, with its heading.
SPACE_PAGES: list[tuple[str, str | re.Pattern[str]]] = [
    ("Mes inscriptions", "Mon espace personnel"),
    ("Mon profil", "Mon profil"),
    ("Partage", "Ce que reçoit chaque organisateur"),
    ("Mes choix", "Mes choix"),
    ("Comparer ma participation", re.compile(r"\S")),
    ("Sessions et sécurité", "Sessions et sécurité"),
    ("Mes données", "Mes données"),
]


@dataclass
class Account:
    who: dict[str, str]
    password: str

    @property
    def email(self) -> str:
        return self.who["email"]


def _password() -> str:
    return f"Corde-{uuid.uuid4().hex[:6]}-cheval-batterie"


def sign_up(person: Person, tag: str) -> Account:
    """From the sign-in page's link to the mail's link, confirmed."""
    page = person.page
    account = Account(someone(tag), _password())
    person.open("/accounts/login/")
    person.follow(page.locator("#main").get_by_role("link", name="Créer un compte"))
    expect(page.locator("h1")).to_have_text("Créer un compte")
    person.type("#id_email", account.email)
    person.type("#id_first_name", account.who["first_name"])
    person.type("#id_last_name", account.who["last_name"])
    person.type("#id_password", account.password)
    person.type("#id_password2", account.password)
    person.submit(page.get_by_role("button", name="Créer mon compte"))
    expect(page.locator("h1")).to_have_text("Consultez votre messagerie")

    mail = person.mail(account.email, "/accounts/verify/")
    person.open(mail.link(r"/accounts/verify/"))
    expect(page.locator("h1")).to_have_text("Confirmez votre adresse e-mail")
    person.submit(page.get_by_role("button", name="Confirmer mon adresse"))
    expect(page.locator("h1")).to_have_text("Adresse confirmée")
    return account


def sign_in(person: Person, account: Account, password: str | None = None) -> None:
    """On the sign-in page (opened if the person is not on it)."""
    page = person.page
    if "/accounts/login/" not in page.url:
        person.open("/accounts/login/")
    person.type("#id_email", account.email)
    person.type("#id_password", password or account.password)
    person.submit(page.locator("#main").get_by_role("button", name="Se connecter"))


def sign_out(person: Person) -> None:
    person.follow(person.page.locator("header").get_by_role("button", name="Se déconnecter"))


def nav(person: Person, name: str) -> None:
    """A link of the personal space's header (behind no menu, on a phone too)."""
    person.follow(person.page.locator("header nav").get_by_role("link", name=name, exact=True))


def test_sign_up_then_walk_and_use_the_personal_space(
        people: Callable[[], Person], events: Events, tmp_path_factory: pytest.TempPathFactory
) -> None:
    person = people()
    page = person.page
    account = sign_up(person, "espace")
    # A registration made with the address before: the confirmed account shows it.
    register(person, events.url("PLAIN"), account.who)
    person.open("/accounts/login/")
    sign_in(person, account)
    expect(page.locator("h1")).to_have_text("Mon espace personnel")
    row = page.locator("#main tbody tr", has_text="Atelier simple")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Démo Formation")
    shot(page, "personal-space", top=page.locator("h1"))

    # Every page of the personal space, from its header.
    for link, heading in SPACE_PAGES:
        nav(person, link)
        expect(page.locator("h1").first).to_have_text(heading)
    person.switch_language("en")
    expect(page.locator("h1")).to_have_text("My data")
    person.switch_language("fr")

    # "My data": prepared, downloaded, opened.
    person.submit(page.get_by_role("button", name="Préparer mon téléchargement"))
    with page.expect_download() as downloading:
        page.get_by_role("link", name="Télécharger mes données").click()
    saved = tmp_path_factory.mktemp("download") / downloading.value.suggested_filename
    downloading.value.save_as(saved)
    assert saved.suffix == ".zip", saved.name
    with zipfile.ZipFile(saved) as archive:
        names = archive.namelist()
        kinds = {name.rsplit(".", 1)[-1] for name in names}
        assert {"json", "csv", "html"} <= kinds, names
        documents = [archive.read(n) for n in names if n.endswith(".json")]
        text = "\n".join(d.decode() for d in documents)
        for document in documents:
            json.loads(document)
        assert account.email in text and "Atelier simple" in text
        html = next(archive.read(n).decode() for n in names if n.endswith(".html"))
        assert account.email in html
        first_csv = next(n for n in names if n.endswith(".csv"))
        assert io.StringIO(archive.read(first_csv).decode()).readline().strip()

    # Choices changed: the profile, what an organizer receives, a restriction.
    nav(person, "Mon profil")
    new_name = f"Durand-{uuid.uuid4().hex[:6]}"
    person.type("#id_last_name", new_name)
    person.submit(page.locator("#main").get_by_role("button", name="Enregistrer"))
    nav(person, "Mon profil")
    expect(page.locator("#id_last_name")).to_have_value(new_name)
    nav(person, "Partage")
    boxes = page.locator("#main input[type=checkbox]")
    expect(boxes.first).to_be_visible()
    was = boxes.first.is_checked()
    boxes.first.set_checked(not was)
    person.submit(page.locator("#main").get_by_role("button", name="Enregistrer"))
    nav(person, "Partage")
    expect(page.locator("#main input[type=checkbox]").first).to_be_checked(checked=not was)
    nav(person, "Mes choix")
    person.submit(page.get_by_role("button", name="Limiter le traitement").first)
    expect(page.get_by_role("button", name="Lever la limitation").first).to_be_visible()
    person.submit(page.get_by_role("button", name="Lever la limitation").first)
    expect(page.get_by_role("button", name="Lever la limitation")).to_have_count(0)

    # Signed in on another device too; that session is signed out from this one.
    other = people()
    sign_in(other, account)
    expect(other.page.locator("h1")).to_have_text("Mon espace personnel")
    nav(person, "Sessions et sécurité")
    sessions = page.locator("#main ul.sessions > li")
    expect(sessions).to_have_count(2)
    person.submit(page.get_by_role("button", name=re.compile("^Déconnecter cette session")))
    expect(page.locator("#main ul.sessions > li")).to_have_count(1)
    other.open("/me/")  # sent to the sign-in page
    expect(other.page.locator("h1")).to_have_text("Se connecter")

    # Erase at one organizer: the registration there is gone, the account stays.
    nav(person, "Mes inscriptions")
    person.follow(page.get_by_role("link", name="Supprimer mes données chez un organisateur"))
    person.follow(page.get_by_role("link", name="Supprimer mes données chez cet organisateur"))
    expect(page.locator("h1")).to_contain_text("Démo Formation")
    person.type("#id_password", account.password)
    person.submit(page.locator("#main").get_by_role(
        "button", name="Supprimer mes données chez cet organisateur"))
    expect(page.locator("h1")).to_contain_text("Démo Formation")
    person.follow(page.get_by_role("link", name="Retour à mon espace personnel"))
    expect(page.locator("#main tbody tr", has_text="Atelier simple")).to_have_count(0)


def test_this_was_not_me_password_reset_then_erase_everything(person: Person) -> None:
    page = person.page
    account = sign_up(person, "securite")
    person.follow(page.get_by_role("link", name="Aller à mon espace personnel"))
    sign_in(person, account)
    expect(page.locator("h1")).to_have_text("Mon espace personnel")

    # "This was not me": every session ends, the password stops working, a mail comes.
    nav(person, "Sessions et sécurité")
    person.submit(page.get_by_role("button", name=re.compile("^Ce n.était pas moi")))
    expect(page.locator("header").get_by_role("button", name="Se déconnecter")).to_have_count(0)
    mail = person.mail(account.email, RESET_LINK)
    with person.allowing(400, r"^/accounts/login/"):
        sign_in(person, account)
        expect(page.get_by_role("alert")).to_be_visible()

    # A new password from the mail's link.
    second = _password()
    person.open(mail.link(RESET_LINK))
    expect(page.locator("h1")).to_have_text("Choisissez un nouveau mot de passe")
    person.type("#id_password", second)
    person.type("#id_password2", second)
    person.submit(page.get_by_role("button", name="Enregistrer le nouveau mot de passe"))
    expect(page.locator("h1")).to_have_text("Se connecter")
    sign_in(person, account, second)
    expect(page.locator("h1")).to_have_text("Mon espace personnel")

    # Forgotten again: the sign-in page's link, the mail, a third password.
    sign_out(person)
    person.open("/accounts/login/")
    person.follow(page.get_by_role("link", name=re.compile("^Mot de passe oublié")))
    person.type("#id_email", account.email)
    person.submit(page.get_by_role("button", name="M'envoyer un lien"))
    third = _password()
    reset = person.mail(account.email, RESET_LINK)
    person.open(reset.link(RESET_LINK))
    person.type("#id_password", third)
    person.type("#id_password2", third)
    person.submit(page.get_by_role("button", name="Enregistrer le nouveau mot de passe"))
    sign_in(person, account, third)
    expect(page.locator("h1")).to_have_text("Mon espace personnel")

    # Everything erased: signed out, and the account is gone.
    person.follow(page.get_by_role("link", name="Supprimer mon compte et tout le reste"))
    person.type("#id_password", third)
    person.submit(page.locator("#main").get_by_role(
        "button", name="Supprimer mon compte et tout le reste"))
    expect(page.locator("header").get_by_role("button", name="Se déconnecter")).to_have_count(0)
    with person.allowing(400, r"^/accounts/login/"):
        sign_in(person, account, third)
        expect(page.get_by_role("alert")).to_be_visible()
