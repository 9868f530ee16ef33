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
