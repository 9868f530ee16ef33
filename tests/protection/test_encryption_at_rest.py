"""Direct identifiers are encrypted at rest and shreddable (issue 2 §3, P3.3, P6.8)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connections
from django.test import Client as Browser

from livesession.protection import crypto, keystore
from livesession.protection.models import DataKey
from livesession.protection.services import shred_subject
from livesession.registrations.models import Registration

EMAIL = "camille.durand@example.org"
FIRST, LAST = "Camille", "Durandeau"


def _raw_storage(alias: str) -> bytes:
    """Every byte the database holds: the SQLite file image, or every row of every table
    read with plain SQL on PostgreSQL."""
    connection = connections[alias]
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        raw = connection.connection
        image = raw.serialize() if hasattr(raw, "serialize") else b""
        dump = "\n".join(raw.iterdump()).encode()
        return image + dump
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        tables = [row[0] for row in cursor.fetchall()]
        chunks = []
        for table in tables:
            cursor.execute(f'SELECT t::text FROM "{table}" t')  # noqa: S608  (names from pg_tables)
            chunks.extend(row[0] for row in cursor.fetchall())
    return "\n".join(chunks).encode()


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_p3_3_registration_leaves_no_email_or_name_in_clear(event_a: Any) -> None:
    response = Browser().post(
        f"/api/v1/events/{event_a.pk}/registrations",
        {"email": EMAIL, "first_name": FIRST, "last_name": LAST},
        content_type="application/json",
    )
    assert response.status_code == 202, response.content
    registration = Registration.objects.get()
    assert registration.email == EMAIL and registration.last_name == LAST  # readable via keys
    for alias in ("default", "keystore"):
        raw = _raw_storage(alias)
        assert len(raw) > 1000  # the storage was really read
        for secret in (EMAIL, FIRST, LAST, EMAIL.split("@")[0]):
            assert secret.encode() not in raw, f"{secret!r} in clear in {alias}"
    # The ciphertext is in the main database, the key only in the keystore.
    assert registration.email_enc.encode() in _raw_storage("default")
    assert DataKey.objects.filter(subject_id=registration.subject_id).exists()


def test_p6_8_shredding_the_key_makes_every_copy_unreadable(event_a: Any) -> None:
    from livesession.registrations.services import register

    made = register(event_a, email=EMAIL, first_name=FIRST, last_name=LAST)
    reg = Registration.objects.get(pk=made.registration.pk)
    copy_of_backup = reg.email_enc  # what a backup of the main database would hold
    key = keystore.get_key(reg.subject_id)
    assert crypto.open_sealed(key, copy_of_backup, Registration.email.context) == EMAIL

    shred_subject(reg.subject)

    with pytest.raises(crypto.KeyDestroyed):
        keystore.get_key(reg.subject_id)
    assert Registration.objects.get(pk=reg.pk).email == ""
    assert DataKey.objects.get(subject_id=reg.subject_id).wrapped is None
    # The same person may register again: a fresh subject and key.
    again = register(event_a.__class__.objects.get(pk=event_a.pk), email="other@example.org",
                     first_name="A", last_name="B")
    assert again.registration.subject_id != reg.subject_id


@pytest.mark.no_db
def test_p3_3_ciphertext_is_bound_to_its_column() -> None:
    key = crypto.new_data_key()
    token = crypto.seal(key, "secret", "model.email")
    assert crypto.open_sealed(key, token, "model.email") == "secret"
    from cryptography.exceptions import InvalidTag

    with pytest.raises(InvalidTag):
        crypto.open_sealed(key, token, "model.last_name")
    assert crypto.seal(key, "secret", "model.email") != token  # fresh nonce every time


@pytest.mark.no_db
def test_p3_3_email_lookup_uses_a_keyed_hash() -> None:
    index = crypto.email_index(" Camille@Example.ORG ")
    assert index == crypto.email_index("camille@example.org")
    assert "camille" not in index and len(index) == 64
    import hashlib

    assert index != hashlib.sha256(b"email:camille@example.org").hexdigest()


def test_p6_8_shredding_removes_the_search_tokens(event_a: Any) -> None:
    from livesession.registrations.models import SearchToken
    from livesession.registrations.services import register

    made = register(event_a, email="findme@example.org", first_name="Findable",
                    last_name="Person")
    assert SearchToken.objects.filter(registration=made.registration).exists()
    shred_subject(made.registration.subject)
    assert not SearchToken.objects.filter(registration=made.registration).exists()
