"""``Sealed``: a model attribute stored encrypted with the row's subject key.

The column (``<name>_enc``) holds only ciphertext; reading the attribute decrypts it through
the keystore. The model must have a ``subject`` foreign key set before a value is assigned.
"""

from __future__ import annotations

from typing import Any

from livesession.protection import crypto, keystore


class Sealed:
    def __init__(self, column: str) -> None:
        self.column = column
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name
        self.context = f"{owner.__module__}.{owner.__qualname__}.{name}"

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        token = getattr(instance, self.column)
        if not token:
            return ""
        try:
            return crypto.open_sealed(keystore.get_key(instance.subject_id), token, self.context)
        except crypto.KeyDestroyed:
            return ""

    def __set__(self, instance: Any, value: str) -> None:
        if not value:
            setattr(instance, self.column, "")
            return
        if instance.subject_id is None:
            raise ValueError(f"{self.context}: set the subject before a sealed value")
        key = keystore.get_key(instance.subject_id)
        setattr(instance, self.column, crypto.seal(key, str(value), self.context))


class ClientSecret:
    """A model attribute holding a client's configuration secret (a provider's shared secret),
    stored encrypted in ``column`` with the client's secrets key. The model needs a
    ``client_id``. Reading never fails on a configuration row: a value sealed for another
    client (a copied row) reads as empty."""

    def __init__(self, column: str) -> None:
        self.column = column
        self.context = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.context = f"{owner.__module__}.{owner.__qualname__}.{name}"

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        token = getattr(instance, self.column)
        if not token:
            return ""
        try:
            return crypto.open_sealed(crypto.client_secret_key(instance.client_id), token,
                                      self.context)
        except Exception:  # InvalidTag from a row moved across clients: unreadable is empty
            return ""

    def __set__(self, instance: Any, value: str) -> None:
        if not value:
            setattr(instance, self.column, "")
            return
        if instance.client_id is None:
            raise ValueError(f"{self.context}: set the client before a secret")
        setattr(instance, self.column, crypto.seal(crypto.client_secret_key(instance.client_id),
                                                   str(value), self.context))
