from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _seed(sender: Any, **kwargs: Any) -> None:
    from livesession.processors.services import seed_from_settings

    if kwargs.get("using", "default") == "default":
        seed_from_settings()


class ProcessorsConfig(AppConfig):
    """The register of sub-processors: hosting only (P2.4, P6.11)."""

    name = "livesession.processors"
    label = "processors"

    def ready(self) -> None:
        # After every migrate (and every flush, which empties the tables in tests).
        post_migrate.connect(_seed, sender=self)
