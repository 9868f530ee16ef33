"""AES-GCM field encryption with one data key per (controller, person), and keyed hashes.

Data keys are random 256-bit keys, stored in the keystore database wrapped (AES-GCM) by the
master key. Destroying a data key makes every copy of that person's encrypted fields
unreadable, backups included (P6.8, DESIGN rule 4).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from livesession.config.env import master_key

VERSION = b"\x01"
NONCE_BYTES = 12


class KeyDestroyed(Exception):
    """The data key was shredded: the value is gone for good."""


@lru_cache(maxsize=1)
def _master() -> bytes:
    return master_key()


def _derive(purpose: bytes) -> bytes:
    return HKDF(algorithm=SHA256(), length=32, salt=None, info=purpose).derive(_master())


@lru_cache(maxsize=1)
def _index_key() -> bytes:
    return _derive(b"livesession blind index v1")


def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def wrap_key(data_key: bytes, key_id: str) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return VERSION + nonce + AESGCM(_master()).encrypt(nonce, data_key, key_id.encode())


def unwrap_key(wrapped: bytes, key_id: str) -> bytes:
    nonce = wrapped[1 : 1 + NONCE_BYTES]
    return AESGCM(_master()).decrypt(nonce, wrapped[1 + NONCE_BYTES :], key_id.encode())


def seal(data_key: bytes, plaintext: str, context: str) -> str:
    """Encrypt ``plaintext``; ``context`` (model.field) is bound as associated data so a
    ciphertext cannot be moved to another column unnoticed."""
    nonce = os.urandom(NONCE_BYTES)
    blob = VERSION + nonce + AESGCM(data_key).encrypt(nonce, plaintext.encode(), context.encode())
    return base64.urlsafe_b64encode(blob).decode()


def open_sealed(data_key: bytes, token: str, context: str) -> str:
    blob = base64.urlsafe_b64decode(token.encode())
    nonce = blob[1 : 1 + NONCE_BYTES]
    return AESGCM(data_key).decrypt(nonce, blob[1 + NONCE_BYTES :], context.encode()).decode()


def client_secret_key(client_id: int) -> bytes:
    """The key sealing a client's configuration secrets (room provider secrets, issue 4 §3).
    They are not personal data, so they are not tied to a person's key: derived from the
    master key per client, they read back with the master key alone."""
    return _derive(b"livesession client secrets v1:" + str(client_id).encode())


def normalize_email(email: str) -> str:
    return email.strip().lower()


def blind_index(value: str, kind: str = "email") -> str:
    """Keyed hash for equality lookups (email) without storing the value in clear."""
    digest = hmac.new(_index_key(), f"{kind}:{value}".encode(), hashlib.sha256)
    return digest.hexdigest()


def email_index(email: str) -> str:
    return blind_index(normalize_email(email), "email")


def token_digest(token: str) -> str:
    """Stored form of a bearer secret (access links, API tokens): a leak of the database
    does not hand out working links."""
    return hashlib.sha256(token.encode()).hexdigest()
