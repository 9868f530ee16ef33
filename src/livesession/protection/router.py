"""Sends the keystore's model to its own database, and nothing else there."""

from __future__ import annotations

from typing import Any

KEYSTORE_APP = "protection"
KEYSTORE_MODELS = {"datakey"}


def _is_keystore(model: Any) -> bool:
    meta = model._meta
    return meta.app_label == KEYSTORE_APP and meta.model_name in KEYSTORE_MODELS


class KeystoreRouter:
    def db_for_read(self, model: Any, **hints: Any) -> str:
        return "keystore" if _is_keystore(model) else "default"

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return "keystore" if _is_keystore(model) else "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        if _is_keystore(obj1) or _is_keystore(obj2):
            return False
        return None

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None,
                      **hints: Any) -> bool:
        in_keystore = app_label == KEYSTORE_APP and model_name in KEYSTORE_MODELS
        return in_keystore if db == "keystore" else not in_keystore
