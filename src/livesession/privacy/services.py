"""Consent ledger writes and the privacy notice with its versions (P0.3, P1.3, P2.3, P4.5,
P7.5)."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import translation

from livesession.audit.services import record
from livesession.core.clock import now
from livesession.core.models import Client
from livesession.privacy.models import (
    ConsentAction,
    ConsentPurpose,
    ConsentRecord,
    NoticeVersion,
)
from livesession.protection.models import Subject

BUILTIN_PURPOSES = (
    (ConsentPurpose.NEWS,
     "Recevoir par e-mail les actualités et les prochains événements de l'organisateur.",
     "Receive the organizer's news and upcoming events by email."),
    (ConsentPurpose.ATTENDEE_LIST,
     "Apparaître (nom et prénom) dans la liste des participants visible des autres "
     "participants.",
     "Appear (first and last name) in the list of participants that other participants "
     "can see."),
)


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# --- The privacy notice (P0.3, P4.5, issue 5 §10) ---------------------------------------------
#
# One text per language, generated from the personal-data registry and the settings that
# name the operator, so the notice cannot drift from the code. Its versions are the hash of
# both texts together: a new text is a new ``NoticeVersion`` row, and old rows stay readable
# at /privacy/versions/<digest>/. The text is what is stored and hashed, and the pages show
# that very text (``portal.privacy_views.render_notice``), so what a person read is what
# the digest proves. Its light markup: "# " and "## " headings, "- " list items, "| "
# table rows, paragraphs between blank lines; addresses become links on the page.

def _site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def privacy_contact_email() -> str:
    """Where people write about their data (the operator's privacy contact)."""
    if settings.PRIVACY_CONTACT_EMAIL:
        return str(settings.PRIVACY_CONTACT_EMAIL)
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"privacy@{host}"


def _purposes(rows: list[dict[str, str]], controller: str) -> list[dict[str, Any]]:
    """The registry's rows of one controller, grouped by purpose and legal basis: what data
    serves it (by category) and how long it is kept."""
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        if row["controller"] != controller:
            continue
        group = groups.setdefault((row["purpose"], row["legal_basis"]), {
            "purpose": row["purpose"], "basis": row["legal_basis_label"],
            "data": [], "retention": []})
        data = row["data"].replace("|", "/")
        if data not in group["data"]:
            group["data"].append(data)
        if row["retention"] not in group["retention"]:
            group["retention"].append(row["retention"])
    return sorted(groups.values(), key=lambda g: str(g["purpose"]).lower())


def _categories(rows: list[dict[str, str]], controller: str) -> list[str]:
    names = []
    for row in rows:
        if row["controller"] == controller:
            category = row["data"].split(":", 1)[0]
            if category not in names:
                names.append(category)
    return sorted(names, key=str.lower)


def notice_context() -> dict[str, Any]:
    """The facts of the notice, in the active language: the registry's purposes, data,
    legal bases and retention per controller, the recipients and transfers from the
    settings, the rights with the personal-space pages that serve them, the CNIL."""
    from django.urls import reverse

    from livesession.cookies import inventory as cookie_inventory
    from livesession.protection.access_export import CNIL
    from livesession.protection.registry import Controller, register_of_processing

    rows = register_of_processing()
    subprocessors = notice_subprocessors()
    return {
        "operator": settings.PLATFORM_OPERATOR_NAME,
        "hosting_country": settings.HOSTING_COUNTRY,
        "contact_email": privacy_contact_email(),
        "postal_address": settings.PRIVACY_POSTAL_ADDRESS,
        "operator_purposes": _purposes(rows, Controller.OPERATOR.value),
        "client_purposes": _purposes(rows, Controller.CLIENT.value),
        "operator_categories": _categories(rows, Controller.OPERATOR.value),
        "client_categories": _categories(rows, Controller.CLIENT.value),
        "subprocessors": subprocessors,
        "transfers": notice_transfers(subprocessors),
        "links": {name: _site_url(reverse(f"accounts:{name}"))
                  for name in ("space", "profile", "data", "erase", "security", "sharing",
                               "login", "signup")},
        "privacy_url": _site_url(reverse("portal:privacy")),
        "versions_url": _site_url(reverse("portal:privacy-versions")),
        "cnil": CNIL,
        # The cookie section reads the cookie inventory (issue 7 §1, P7.1).
        "cookies": cookie_inventory.rows(),
        "cookies_url": _site_url(reverse("cookies:settings")),
    }


def notice_subprocessors() -> list[dict[str, Any]]:
    """The operator's hosting providers from their register (P2.4, P6.11)."""
    from livesession.processors.services import for_notice

    return for_notice()


def notice_transfers(subprocessors: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Transfers outside the EEA: those declared in the settings, and every sub-processor
    located outside the EEA with its safeguard (GDPR art. 13(1)(f), 15(2))."""
    transfers = [{"recipient": r, "country": c, "safeguard": g}
                 for r, c, g in settings.PERSONAL_DATA_TRANSFERS]
    transfers += [{"recipient": sp["legal_entity"], "country": sp["country_name"],
                   "safeguard": sp["safeguard"]}
                  for sp in subprocessors if not sp["in_eea"]]
    return transfers


def _subprocessor_key() -> tuple[Any, ...]:
    """What of the sub-processor register shows in the notice: a change makes a new
    version of the notice."""
    from livesession.processors.services import current

    return tuple((row.pk, row.legal_entity, row.service, row.service_kind, row.country,
                  tuple(row.data_categories), row.mechanism, str(row.dpf_checked_on),
                  row.scc_module, row.tia_reference, str(row.active_from),
                  str(row.active_until), row.active_from > now().date())
                 for row in current())


def notice_text(language: str) -> str:
    from django.template.loader import render_to_string

    with translation.override(language):
        return render_to_string("portal/privacy_text.txt", notice_context()).strip() + "\n"


def _notice_key() -> tuple[Any, ...]:
    """What, besides the code and the catalogs, the text depends on."""
    return (settings.SITE_URL, settings.PLATFORM_OPERATOR_NAME, settings.HOSTING_COUNTRY,
            settings.PRIVACY_CONTACT_EMAIL, settings.PRIVACY_POSTAL_ADDRESS,
            tuple(tuple(t) for t in settings.PERSONAL_DATA_TRANSFERS), _subprocessor_key(),
            _cookie_key())


def _cookie_key() -> str:
    """The cookie inventory's digest: a new cookie makes a new version of the notice."""
    from livesession.cookies.inventory import inventory_hash

    return inventory_hash()


@lru_cache(maxsize=4)
def _current_texts(key: tuple[Any, ...]) -> tuple[str, str, str]:
    text_fr, text_en = notice_text("fr"), notice_text("en")
    return digest(text_fr + "\n---\n" + text_en), text_fr, text_en


def current_notice() -> NoticeVersion:
    """The notice in force; a new version row appears whenever its text changes (the
    registry, the catalogs or the operator's settings changed), and old ones are kept."""
    key, text_fr, text_en = _current_texts(_notice_key())
    notice, _created = NoticeVersion.objects.get_or_create(
        digest=key, defaults={"text_fr": text_fr, "text_en": text_en})
    return notice


def current_notice_digest() -> str:
    """The digest of the notice in force, its version row made if missing, without
    reading the two texts back (a registration records the digest only; the texts are
    tens of kilobytes: issue 9, S2)."""
    key = _current_texts(_notice_key())[0]
    if not NoticeVersion.objects.filter(digest=key).exists():
        current_notice()
    return key


def notice_versions() -> list[NoticeVersion]:
    """Every version, newest first (the date is when it was first shown)."""
    current_notice()
    return list(NoticeVersion.objects.order_by("-created_at", "digest"))


def notice_version(key: str) -> NoticeVersion | None:
    return NoticeVersion.objects.filter(digest=key).first()


def ensure_builtin_purposes(client: Client) -> None:
    for position, (key, label_fr, label_en) in enumerate(BUILTIN_PURPOSES):
        ConsentPurpose.objects.get_or_create(
            client=client, key=key,
            defaults={"label_fr": label_fr, "label_en": label_en, "position": position})


def purposes_for(client: Client) -> list[ConsentPurpose]:
    """One query on the hot path; the built-in purposes are created on first use."""
    rows = list(ConsentPurpose.objects.filter(client=client))
    if not rows:
        ensure_builtin_purposes(client)
        rows = list(ConsentPurpose.objects.filter(client=client))
    return [row for row in rows if row.active]


@transaction.atomic
def add_purpose(client: Client, key: str, label_fr: str, label_en: str, *,
                actor: str) -> ConsentPurpose:
    from django.core.exceptions import ValidationError
    from django.utils.text import slugify
    from django.utils.translation import gettext as _

    from livesession.protection.sensitive import validate_field_texts

    errors = {}
    if not label_fr.strip():
        errors["label_fr"] = _("Write the purpose in French.")
    if not label_en.strip():
        errors["label_en"] = _("Write the purpose in English.")
    slug = slugify(key or label_en)[:50]
    if ConsentPurpose.objects.filter(client=client, key=slug).exists():
        errors["key"] = _("A purpose with this key exists already. Choose another key.")
    if errors:
        raise ValidationError(errors)
    validate_field_texts(label_fr, label_en)
    purpose = ConsentPurpose.objects.create(
        client=client, key=slug, label_fr=label_fr.strip(), label_en=label_en.strip(),
        position=ConsentPurpose.objects.filter(client=client).count())
    record(actor, "consent_purpose.created", target=f"consent_purpose:{purpose.pk}",
           client_id=client.pk)
    return purpose


def record_consent(*, client_id: int, subject: Subject, purpose: ConsentPurpose, given: bool,
                   language: str, channel: str, registration_id: Any = None) -> ConsentRecord:
    """Append one consent action with the hash of the exact text shown (P1.3)."""
    return ConsentRecord.objects.create(
        client_id=client_id, subject=subject, purpose=purpose,
        registration_id=registration_id,
        action=ConsentAction.GIVEN if given else ConsentAction.WITHDRAWN,
        text_digest=digest(purpose.label(language)), language=language, channel=channel,
        at=now(),
    )


def current_consents(client_id: int, subject_id: Any) -> dict[str, bool]:
    """Purpose key -> whether consent stands now (the latest action wins)."""
    state: dict[str, bool] = {}
    rows = (ConsentRecord.objects.filter(client_id=client_id, subject_id=subject_id)
            .select_related("purpose").order_by("at", "id"))
    for row in rows:
        state[row.purpose.key] = row.action == ConsentAction.GIVEN
    return state


@transaction.atomic
def withdraw(*, client_id: int, subject: Subject, purpose_key: str, language: str,
             channel: str, actor: str) -> bool:
    """Withdrawal takes effect at once (P7.5); returns False when nothing stood."""
    if not current_consents(client_id, subject.pk).get(purpose_key):
        return False
    purpose = ConsentPurpose.objects.get(client_id=client_id, key=purpose_key)
    record_consent(client_id=client_id, subject=subject, purpose=purpose, given=False,
                   language=language, channel=channel)
    record(actor, "consent.withdrawn", target=f"subject:{subject.pk}", client_id=client_id,
           details={"purpose": purpose_key})
    return True


@transaction.atomic
def deactivate_purpose(purpose: ConsentPurpose, *, actor: str) -> ConsentPurpose:
    """Stop offering a purpose on registration forms (P2.3). Consents already given stay in
    the ledger (P1.3), and a participant can still withdraw them."""
    if purpose.active:
        purpose.active = False
        purpose.save(update_fields=["active"])
        record(actor, "consent_purpose.deactivated", target=f"consent_purpose:{purpose.pk}",
               client_id=purpose.client_id)
    return purpose


@transaction.atomic
def reactivate_purpose(purpose: ConsentPurpose, *, actor: str) -> ConsentPurpose:
    """Offer a deactivated purpose again, with its same texts."""
    if not purpose.active:
        purpose.active = True
        purpose.save(update_fields=["active"])
        record(actor, "consent_purpose.reactivated", target=f"consent_purpose:{purpose.pk}",
               client_id=purpose.client_id)
    return purpose
