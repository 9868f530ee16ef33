from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _seed(sender: Any, **kwargs: Any) -> None:
    from livesession.retention.services import ensure_rules

    if kwargs.get("using", "default") == "default":
        ensure_rules()


class RetentionConfig(AppConfig):
    """Retention rules as data, the daily purge, legal holds (issue 6 §1; P2.5, P3.8, P4.4,
    P6.10)."""

    name = "livesession.retention"
    label = "retention"
    verbose_name = "Retention"

    def ready(self) -> None:
        post_migrate.connect(_seed, sender=self)
