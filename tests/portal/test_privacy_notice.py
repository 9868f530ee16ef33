"""The privacy notice pages (issue 5 §10; P0.3, P4.5, GDPR art. 13): generated from the
personal-data registry, in French and English, versioned by the digest of both texts, every
version kept readable, and the version in force recorded on each registration."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from django.test import Client as Browser
from django.utils import translation

from livesession.events.models import Event
from livesession.portal.privacy_views import render_notice
from livesession.privacy.models import NoticeVersion
from livesession.privacy.services import current_notice, notice_text
from livesession.protection.access_export import CNIL
from livesession.protection.registry import register_of_processing
from livesession.registrations.models import Registration
from livesession.registrations.services import register

POSTAL = "12 rue de la Paix, 75002 Paris"


def _en() -> Browser:
    return Browser(HTTP_ACCEPT_LANGUAGE="en")


def test_p4_5_notice_says_who_controls_what_the_rights_and_the_cnil_route(
        settings: Any) -> None:
    settings.PRIVACY_CONTACT_EMAIL = "privacy@operator.example"
    settings.PLATFORM_OPERATOR_NAME = "Opérateur Exemple"
    page = _en().get("/privacy/")
    assert page.status_code == 200
    html = page.content.decode()
    # Who controls what: the operator for accounts, each organizer for its participants.
    assert "Opérateur Exemple, is its controller" in html
    assert "the organizer of that event" in html and "as its processor" in html
    # The rights, and how to use them: personal-space links, email, post.
    for article in ("art. 15", "art. 16", "art. 17", "art. 18", "art. 20", "art. 21"):
        assert article in html
    for path in ("/me/data/", "/me/profile/", "/me/erase/", "/me/security/"):
        assert f'<a href="{settings.SITE_URL}{path}"' in html
    assert 'href="mailto:privacy@operator.example"' in html
    assert "By post: write to Opérateur Exemple" in html
    # The complaint route: name, address and address of the CNIL's site.
    assert CNIL["authority"].replace("'", "&#x27;") in html
    assert CNIL["address"] in html and f'<a href="{CNIL["url"]}"' in html
    # Recipients and transfers.
    assert settings.HOSTING_COUNTRY in html
    assert "No personal data is transferred outside the European Union." in html


def test_p0_3_every_purpose_basis_and_retention_of_the_registry_is_in_the_notice(
        settings: Any) -> None:
    """Generated, not written by hand: each registry row's purpose, legal basis, retention
    and data label is in the text; a transfer set in the settings appears too."""
    settings.PERSONAL_DATA_TRANSFERS = [["Relay Inc.", "United States",
                                         "EU-US Data Privacy Framework"]]
    text = current_notice().text_en
    with translation.override("en"):
        rows = register_of_processing()
    assert len(rows) > 50
    missing = [row["field"] for row in rows
               if str(row["purpose"])[:1].upper() + str(row["purpose"])[1:] not in text
               or row["retention"] not in text or row["data"] not in text
               or row["legal_basis_label"][:1].upper() + row["legal_basis_label"][1:]
               not in text]
    assert missing == []
    assert "Relay Inc. (United States): EU-US Data Privacy Framework" in text
    assert "No personal data is transferred" not in text


def test_p4_5_the_visitors_language_with_a_switch_to_the_other(client_a: Any) -> None:
    notice = current_notice()
    assert notice.text_fr != notice.text_en
    french = Browser(HTTP_ACCEPT_LANGUAGE="fr").get("/privacy/").content.decode()
    assert '<div class="privacy-text" lang="fr">' in french and str(render_notice(
        notice.text_fr)) in french
    assert 'href="?lang=en"' in french and "Read this notice in English" in french
    english = Browser(HTTP_ACCEPT_LANGUAGE="fr").get("/privacy/?lang=en").content.decode()
    assert '<div class="privacy-text" lang="en">' in english
    assert str(render_notice(notice.text_en)) in english
    assert "Lire cette notice en français" in english
    assert notice.digest[:12] in english


def test_p0_3_a_new_text_is_a_new_version_and_old_versions_stay_readable(
        settings: Any) -> None:
    first = current_notice()
    assert current_notice().pk == first.pk  # same text, same version
    settings.PRIVACY_POSTAL_ADDRESS = POSTAL
    second = current_notice()
    assert second.pk != first.pk and NoticeVersion.objects.count() == 2
    for version in (first, second):  # the digest proves both texts
        both = version.text_fr + "\n---\n" + version.text_en
        assert hashlib.sha256(both.encode()).hexdigest() == version.digest
        assert version.text_en == NoticeVersion.objects.get(pk=version.pk).text_en
    assert POSTAL in second.text_en and POSTAL not in first.text_en

    listing = _en().get("/privacy/versions/").content.decode()
    assert first.digest in listing and second.digest in listing
    badge = '<span class="badge">in force</span>'
    assert listing.count(badge) == 1
    # Newest first, the badge in its row.
    assert listing.index(badge) < listing.index(second.digest) < listing.index(first.digest)
    assert "<tr>" not in listing[listing.index(badge):listing.index(second.digest)]
    assert f"/privacy/versions/{first.digest}/?lang=fr" in listing

    old = _en().get(f"/privacy/versions/{first.digest}/?lang=en")
    assert old.status_code == 200
    old_html = old.content.decode()
    assert "This is an earlier version of the notice." in old_html
    assert POSTAL not in old_html and str(render_notice(first.text_en)) in old_html
    old_fr = _en().get(f"/privacy/versions/{first.digest}/?lang=fr").content.decode()
    assert str(render_notice(first.text_fr)) in old_fr
    now_page = _en().get(f"/privacy/versions/{second.digest}/").content.decode()
    assert "This is an earlier version" not in now_page and POSTAL in now_page
    assert POSTAL in _en().get("/privacy/").content.decode()


def test_unknown_or_malformed_versions_are_404() -> None:
    current_notice()
    assert _en().get(f"/privacy/versions/{'0' * 64}/").status_code == 404
    assert _en().get("/privacy/versions/not-a-digest/").status_code == 404
    assert _en().get("/privacy/versions/ABC/").status_code == 404


def test_p0_3_each_registration_records_the_version_in_force(event_a: Event,
                                                             settings: Any) -> None:
    before = register(event_a, email="ines.roux@example.org", first_name="Inès",
                      last_name="Roux").registration
    settings.PRIVACY_POSTAL_ADDRESS = POSTAL
    after = register(event_a, email="theo.blanc@example.org", first_name="Théo",
                     last_name="Blanc").registration
    first = Registration.objects.get(pk=before.pk).notice_version
    second = Registration.objects.get(pk=after.pk).notice_version
    assert first != second and second == current_notice().digest
    # The version a participant was shown is still readable.
    assert _en().get(f"/privacy/versions/{first}/").status_code == 200


def test_the_notice_markup_is_escaped_and_addresses_become_links() -> None:
    html = str(render_notice("# Title <b>x</b>\n\nText <script>alert(1)</script> here\n"
                             "and on.\n\n- one https://www.cnil.fr\n- two privacy@example.org"
                             "\n\n| Head | Other |\n| <i>cell</i> | two |\n"))
    assert "<script>" not in html and "&lt;script&gt;" in html and "<i>" not in html
    assert "<h2>Title &lt;b&gt;x&lt;/b&gt;</h2>" in html
    assert "<p>Text &lt;script&gt;alert(1)&lt;/script&gt; here and on.</p>" in html
    assert '<li>one <a href="https://www.cnil.fr"' in html
    assert 'href="mailto:privacy@example.org"' in html
    assert '<th scope="col">Head</th>' in html and "<td>&lt;i&gt;cell&lt;/i&gt;</td>" in html


def test_notice_text_is_generated_per_language() -> None:
    assert notice_text("en").startswith("# 1. Who is responsible for your data")
    assert notice_text("en") == current_notice().text_en


# --- How the notice reads ------------------------------------------------------------------

SITE_CSS = (Path(__file__).resolve().parents[2] / "src" / "livesession" / "static"
            / "livesession" / "site.css")


def _error_classes() -> set[str]:
    """The classes site.css paints in the error colour."""
    classes: set[str] = set()
    for selectors, body in re.findall(r"([^{}]+)\{([^}]*)\}", SITE_CSS.read_text()):
        if re.search(r"(?<![-\w])color\s*:\s*var\(--bad\)", body):
            classes.update(re.findall(r"\.([\w-]+)", selectors))
    return classes


def test_the_notice_text_is_not_wrapped_in_a_class_painted_as_an_error() -> None:
    """The whole notice read in red: its wrapper's class was the error colour's."""
    assert "error" in _error_classes()  # the scan reads the stylesheet
    html = _en().get("/privacy/").content.decode()
    wrapper = re.search(r'<div class="([^"]*)" lang="en">\s*<h2>', html)
    assert wrapper, "the notice's text has no wrapper"
    assert not set(wrapper.group(1).split()) & _error_classes(), wrapper.group(1)


# Words the same in both languages, each with why it is no miss.
SAME_IN_BOTH = {
    "session": "the French word for a signed-in session is « session »",
    "incident": "« incident » is the French word too",
    "message": "« message » is the French word too",
    "action": "« action » is the French word too",
}


def _labels(language: str) -> list[tuple[str, str, str, str]]:
    with translation.override(language):
        return [(row["model"], row["field"], *row["data"].split(": ", 1))
                for row in register_of_processing()]


def test_p4_5_every_registry_label_of_the_french_notice_is_french() -> None:
    """Each data category and field the notice lists has a French wording of its own; the
    English one showing through is a label nobody marked for translation or translated."""
    english, french = _labels("en"), _labels("fr")
    assert len(english) == len(french) > 100
    left: list[str] = []
    for (model, field, en_what, en_field), (_m, _f, fr_what, fr_field) in zip(
            english, french, strict=True):
        if en_what == fr_what and en_what not in SAME_IN_BOTH:
            left.append(f"{model}: {en_what!r}")
        if en_field == fr_field and en_field not in SAME_IN_BOTH:
            left.append(f"{model}.{field}: {en_field!r}")
    assert not left, "English in the French notice:\n" + "\n".join(sorted(set(left)))
    text = notice_text("fr")
    for _model, _field, en_what, en_field in english:
        if en_what not in SAME_IN_BOTH:
            assert f"{en_what}: " not in text, en_what
        assert f": {en_field}" not in text or en_field in SAME_IN_BOTH, en_field
