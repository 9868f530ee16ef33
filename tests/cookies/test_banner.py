"""The banner and the consent cookie (issue 7 §2-4; P2.3, P7.3, P7.4, P7.5; C-02, C-05, C-06):
shown while there is no valid choice, three equal buttons, closing refuses, a forged or stale
cookie is no choice, the "Cookies" link on every page, the functional-cookie line."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core import signing
from django.test import Client as Browser
from django.urls import reverse

from livesession.cookies import consent, inventory
from livesession.cookies.models import ConsentReceipt
from livesession.core.clock import freeze, now
from tests.cookies.conftest import choose

BANNER = 'id="cookie-banner"'


def _banner(html: str) -> str:
    found = re.search(r'<section class="cookie-banner".*?</section>', html, re.S)
    assert found, "no banner"
    return found.group(0)


def test_p2_3_banner_without_a_choice_and_not_after(visitor: Browser) -> None:
    page = visitor.get("/").content.decode()
    assert BANNER in page
    response = choose(visitor, "reject")
    assert response.status_code == 302 and response["Location"] == "/"
    assert BANNER not in visitor.get("/").content.decode()


def test_p7_4_three_equal_buttons_and_a_close_control(visitor: Browser) -> None:
    """C-02: accept, reject and customize are the same element with the same class, one
    click each; the × submits a refusal. Every form carries its CSRF token (no JavaScript)."""
    banner = _banner(visitor.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode())
    buttons = re.findall(r'<button type="submit"([^>]*)>([^<]*)</button>', banner)
    labelled = {text.strip(): attrs for attrs, text in buttons}
    assert {"Accept all", "Reject all", "Customize"} <= set(labelled)
    classes = {re.search(r'class="([^"]+)"', labelled[name]).group(1)  # type: ignore[union-attr]
               for name in ("Accept all", "Reject all", "Customize")}
    assert classes == {"cookie-choice"}
    assert 'value="close"' in labelled["×"] and 'class="cookie-x"' in labelled["×"]
    assert banner.count('name="csrfmiddlewaretoken"') == 2  # the two POST forms
    assert 'action="/cookies/"' in banner and 'method="get"' in banner


def test_p7_4_closing_the_banner_is_a_refusal(visitor: Browser) -> None:
    choose(visitor, "close")
    receipt = ConsentReceipt.objects.get()
    assert receipt.action == "close" and receipt.surface == "banner"
    assert receipt.choices == {"audience": False, "room_player": False}
    assert BANNER not in visitor.get("/").content.decode()


def test_p2_3_the_banner_form_works_with_csrf_checks_on() -> None:
    strict = Browser(enforce_csrf_checks=True)
    banner = _banner(strict.get("/").content.decode())
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', banner).group(1)  # type: ignore[union-attr]
    refused = strict.post("/cookies/consent/", {"choice": "accept", "next": "/"})
    assert refused.status_code == 403
    done = strict.post("/cookies/consent/", {"choice": "accept", "next": "/",
                                             "csrfmiddlewaretoken": token})
    assert done.status_code == 302 and inventory.CONSENT_COOKIE in done.cookies


def _forge(browser: Browser, payload: dict[str, Any], *, key: str | None = None) -> None:
    value = signing.dumps(payload, salt=consent.SALT, compress=True, key=key)
    browser.cookies[inventory.CONSENT_COOKIE] = value


def _payload(**changes: Any) -> dict[str, Any]:
    body = {"r": "00000000-0000-0000-0000-000000000000",
            "c": {"audience": True, "room_player": True},
            "h": inventory.inventory_hash(), "t": int(now().timestamp())}
    return {**body, **changes}


def test_p7_4_a_well_formed_cookie_is_a_choice(visitor: Browser) -> None:
    _forge(visitor, _payload())  # the control: the same payload, properly signed
    assert BANNER not in visitor.get("/").content.decode()


@pytest.mark.parametrize("case", ["bad_signature", "tampered", "stale_7_months",
                                  "inventory_changed", "future", "garbage"])
def test_p7_4_forged_or_stale_cookie_is_no_choice(visitor: Browser, case: str) -> None:
    """Issue 7 "Bad input": a forged or stale consent cookie is treated as no choice: the
    banner again, and nothing non-functional (no audience row, no visitor cookie)."""
    if case == "bad_signature":
        _forge(visitor, _payload(), key="not-our-secret-key-at-all-0123456789")
    elif case == "tampered":
        _forge(visitor, _payload())
        value = visitor.cookies[inventory.CONSENT_COOKIE].value
        visitor.cookies[inventory.CONSENT_COOKIE] = value[:-3] + ("AAA" if value[-3:] != "AAA"
                                                                  else "BBB")
    elif case == "stale_7_months":
        _forge(visitor, _payload(t=int((now() - dt.timedelta(days=213)).timestamp())))
    elif case == "inventory_changed":
        _forge(visitor, _payload(h="0" * 64))
    elif case == "future":
        _forge(visitor, _payload(t=int((now() + dt.timedelta(days=2)).timestamp())))
    else:
        visitor.cookies[inventory.CONSENT_COOKIE] = "not a cookie at all"
    response = visitor.get("/")
    assert BANNER in response.content.decode()
    assert inventory.AUDIENCE_COOKIE not in response.cookies
    from livesession.cookies.models import PageView
    assert not PageView.objects.exists()


def test_c_05_asked_again_after_six_months(visitor: Browser) -> None:
    choose(visitor, "accept")
    with freeze(now() + dt.timedelta(days=182)):
        assert BANNER not in visitor.get("/").content.decode()
    with freeze(now() + dt.timedelta(days=184)):
        assert BANNER in visitor.get("/").content.decode()


def test_c_05_asked_again_when_the_inventory_changes(visitor: Browser, settings: Any) -> None:
    choose(visitor, "reject")
    assert BANNER not in visitor.get("/").content.decode()
    settings.CSRF_COOKIE_AGE = 100 * 24 * 3600  # a declaration changes: a new hash
    assert BANNER in visitor.get("/").content.decode()


def test_p7_5_cookies_link_on_every_kind_of_page(client_a: Any, owner_a: Any, operator: Any,
                                                  event_a: Any) -> None:
    """C-06: the settings are one link away on the portal, the personal space, the Manager,
    the console, the error pages."""
    link = 'href="/cookies/"'
    anonymous = Browser()
    for url in ("/", reverse("portal:event", args=[event_a.pk]), reverse("portal:privacy"),
                reverse("accounts:login"), "/cookies/", "/no-such-page/"):
        assert link in anonymous.get(url).content.decode(), url
    member = Browser()
    member.force_login(owner_a)
    for url in (reverse("accounts:space"), reverse("manager:events", args=[client_a.slug])):
        assert link in member.get(url).content.decode(), url
    staff = Browser()
    staff.force_login(operator)
    assert link in staff.get(reverse("console:home")).content.decode()
    from pathlib import Path

    from django.conf import settings
    error_page = Path(settings.TEMPLATES[0]["DIRS"][0]) / "500.html"
    assert link in error_page.read_text()


def test_p7_3_pages_say_which_functional_cookies_they_use(client_a: Any, owner_a: Any,
                                                          event_a: Any) -> None:
    line = "This page needs only functional cookies"
    anonymous = Browser(HTTP_ACCEPT_LANGUAGE="en")
    assert line in anonymous.get(reverse("portal:event", args=[event_a.pk])).content.decode()
    assert line not in anonymous.get("/").content.decode()  # only where it was placed
    member = Browser(HTTP_ACCEPT_LANGUAGE="en")
    member.force_login(owner_a)
    for url in (reverse("accounts:space"), reverse("manager:events", args=[client_a.slug])):
        page = member.get(url).content.decode()
        assert line in page and "<code>csrftoken</code>" in page and "<code>sessionid</code>" \
            in page, url


def test_p7_3_settings_page_lists_functional_cookies_and_why(visitor: Browser) -> None:
    page = visitor.get("/cookies/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for tracker in inventory.functional():
        assert f"<code>{tracker.name}</code>" in page
    assert "Functional cookies (always on)" in page
    assert 'name="allow" value="audience"' in page and 'name="allow" value="room_player"' in page
    assert "checked" not in page  # C-04: nothing ticked before a choice
    choose(visitor, "accept")
    assert visitor.get("/cookies/").content.decode().count("checked") == 2


def test_french_and_english_every_banner_and_settings_text_is_marked(visitor: Browser) -> None:
    """Every sentence of the banner and the settings page is a marked string (the French
    catalogue gets them from makemessages), nothing hard-coded."""
    from pathlib import Path

    from tests.test_i18n import SOURCE, _python_keys, _template_keys

    marked = {msgid for path in (SOURCE / "templates" / "cookies").glob("*.html")
              for _ctx, msgid in _template_keys(path)}
    marked |= {msgid for _ctx, msgid in _python_keys(Path(inventory.__file__))}
    html = visitor.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    texts = [t.strip() for t in re.findall(r">([^<>]+)<", _banner(html)) if t.strip()]
    assert texts
    for text in texts:
        if text == "×":
            continue
        assert any(text.startswith(m.split("%(")[0].strip()) for m in marked), text
    assert 'lang="fr"' in Browser().get("/").content.decode()  # French first


def test_p7_4_next_never_leaves_the_site(visitor: Browser) -> None:
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = choose(visitor, "reject", next=target)
        assert response["Location"] == "/cookies/", target
    assert choose(visitor, "reject", next="/privacy/")["Location"] == "/privacy/"


def test_p7_4_unknown_choice_is_refused(visitor: Browser) -> None:
    assert choose(visitor, "maybe").status_code == 400
    assert choose(visitor, "grant", tracker="nothing").status_code == 400
    assert not ConsentReceipt.objects.exists()
