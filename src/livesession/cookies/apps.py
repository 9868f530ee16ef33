from typing import Any

from django.apps import AppConfig
from django.core import checks


def lifetimes_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """P7.2 at start-up: no declared cookie over 13 months, the choice asked again within
    6 months (``inventory.lifetime_problems``)."""
    from livesession.cookies.inventory import lifetime_problems

    return [checks.Error(problem, hint="Shorten it in cookies/inventory.py or the settings.",
                         id="cookies.E001") for problem in lifetime_problems()]


class CookiesConfig(AppConfig):
    """Cookie inventory, consent receipts, first-party audience measurement (issue 7 §1-6;
    P1.6, P2.3, P7.1-P7.5)."""

    name = "livesession.cookies"
    label = "cookies"
    verbose_name = "Cookies"

    def ready(self) -> None:
        checks.register(lifetimes_check, "cookies")
