"""Forms posted from pages whose address holds a secret pass the CSRF check as a browser
posts them, and the secret still never reaches another site (P6.5; core/referrer.py).

Django's test client sends no ``Origin`` header; a browser does. What it sends follows from
the page's ``Referrer-Policy`` (Fetch standard, "serializing a request origin"): under
``no-referrer`` every post carries ``Origin: null``; under ``same-origin`` a post to the
page's own origin carries that origin. ``_origin_sent`` is that rule, and each page's form
is posted with what Chromium would send for the header the page really has.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client as Browser
from django.urls import reverse

from livesession.access.services import resolve
from livesession.accounts import services as accounts
from livesession.accounts import tokens
from livesession.messaging.unsubscribe import make_token
from livesession.registrations.services import register

ORIGIN = "http://testserver"
PASSWORD = "violet kayak at noon"
# A policy that sends no referrer anywhere, or only to the page's own origin: either keeps a
# secret in the address away from other sites.
PRIVATE = {"no-referrer", "same-origin"}


def _origin_sent(policy: str) -> str:
    """The Origin header Chromium sends on a same-origin form post from a page served with
    ``policy`` (Fetch: the request's referrer policy decides; "no-referrer" gives null)."""
    return "null" if policy == "no-referrer" else ORIGIN


def _page(browser: Browser, path: str) -> tuple[str, str]:
    """Open a page as a person does (following redirects): its final path and policy."""
    answer = browser.get(path, follow=True)
    assert answer.status_code == 200, (path, answer.status_code)
    policy = answer["Referrer-Policy"]
    assert policy in PRIVATE, (path, policy)
    return answer.request["PATH_INFO"], policy


def _post(browser: Browser, target: str, policy: str, data: dict[str, str] | None = None,
          ) -> Any:
    token = browser.cookies["csrftoken"].value
    return browser.post(target, {"csrfmiddlewaretoken": token, **(data or {})},
                        HTTP_ORIGIN=_origin_sent(policy))


def _language_switch(browser: Browser, page: str, policy: str) -> None:
    """The language switch every page carries."""
    answer = _post(browser, reverse("set_language"), policy, {"language": "en", "next": page})
    assert answer.status_code == 302, f"language switch on {page}: {answer.status_code}"


def _cookie_banner(browser: Browser, page: str, policy: str) -> None:
    answer = _post(browser, reverse("cookies:consent"), policy,
                   {"choice": "reject", "surface": "banner", "next": page})
    assert answer.status_code == 302, f"cookie banner on {page}: {answer.status_code}"


@pytest.fixture
def link(event_a: Any) -> str:
    made = register(event_a, email="ines.roux@example.org", first_name="Inès", last_name="Roux")
    return str(made.token)


def test_p6_5_personal_link_forms_work_and_the_link_stays_private(link: str) -> None:
    browser = Browser(enforce_csrf_checks=True)
    page, policy = _page(browser, f"/j/{link}/")
    assert policy == "same-origin"
    _cookie_banner(browser, page, policy)
    _language_switch(browser, page, policy)
    cancel_page, policy = _page(browser, f"/j/{link}/cancel/")
    assert _post(browser, cancel_page, policy).status_code == 302
    assert resolve(link).status == "cancelled"  # type: ignore[union-attr]


def test_p6_5_unsubscribe_page_language_switch_works(link: str) -> None:
    registration = resolve(link)
    assert registration is not None
    browser = Browser(enforce_csrf_checks=True)
    page, policy = _page(browser, reverse("messaging:unsubscribe", kwargs={
        "token": make_token(registration.client_id, registration.subject_id)}))
    _language_switch(browser, page, policy)


def test_p6_5_verify_link_leaves_the_address_then_the_button_works() -> None:
    user = accounts.create_account("noa.petit@example.org", PASSWORD, first_name="Noa",
                                   last_name="Petit", verified=False, language="en",
                                   actor="test")
    token = tokens.make(tokens.VERIFY, user)
    browser = Browser(enforce_csrf_checks=True)
    page, policy = _page(browser, reverse("accounts:verify", kwargs={"token": token}))
    assert token not in page  # the token left the address bar and the history
    _language_switch(browser, page, policy)
    done = _post(browser, page, policy)
    assert done.status_code == 200 and b"Address confirmed" in done.content
    user.refresh_from_db()
    assert user.is_verified


def test_p6_5_reset_link_leaves_the_address_then_the_form_works() -> None:
    user = accounts.create_account("noa.petit@example.org", PASSWORD, first_name="Noa",
                                   last_name="Petit", verified=True, language="en",
                                   actor="test")
    token = tokens.make(tokens.RESET, user)
    browser = Browser(enforce_csrf_checks=True)
    page, policy = _page(browser, reverse("accounts:password-reset-confirm",
                                          kwargs={"token": token}))
    assert token not in page
    new = "amber lantern by the sea"
    done = _post(browser, page, policy, {"password": new, "password2": new})
    assert done.status_code == 302 and done["Location"] == reverse("accounts:login")
    user.refresh_from_db()
    assert user.check_password(new)


def test_p6_5_my_data_prepare_button_works() -> None:
    accounts.create_account("noa.petit@example.org", PASSWORD, first_name="Noa",
                            last_name="Petit", verified=True, language="en", actor="test")
    browser = Browser(enforce_csrf_checks=True)
    browser.get(reverse("accounts:login"))
    assert _post(browser, reverse("accounts:login"), "same-origin",
                 {"email": "noa.petit@example.org", "password": PASSWORD}).status_code == 302
    _page_path, policy = _page(browser, reverse("accounts:data"))
    made = _post(browser, reverse("accounts:data-link"), policy)
    assert made.status_code == 302
    html = browser.get(reverse("accounts:data")).content.decode()
    download = re.search(r'href="(/me/data/download/[^"]+)"', html)
    assert download, "no download link after preparing"
    archive = browser.get(download.group(1))
    assert archive.status_code == 200 and archive["Referrer-Policy"] in PRIVATE


def test_csrf_still_refuses_a_null_origin(link: str) -> None:
    """The fix is the page's policy, never a weaker check: a post that does carry
    ``Origin: null`` (a sandboxed or no-referrer page) is refused."""
    browser = Browser(enforce_csrf_checks=True)
    page, _policy = _page(browser, f"/j/{link}/cancel/")
    refused = _post(browser, page, "no-referrer")
    assert refused.status_code == 403
    assert resolve(link).status != "cancelled"  # type: ignore[union-attr]


def test_the_site_wide_policy_is_same_origin() -> None:
    """Every other page gets the site-wide policy: it must keep forms working too."""
    from livesession.config import settings as shipped

    assert shipped.SECURE_REFERRER_POLICY == "same-origin"
    assert Browser().get("/")["Referrer-Policy"] == "same-origin"
