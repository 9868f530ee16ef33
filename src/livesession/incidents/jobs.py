"""Periodic job of the breach register: alerts at 24, 48 and 60 hours (issue 8 §3, B-02)."""

from livesession.core import tasks
from livesession.incidents import breach


@tasks.periodic(minutes="*/10")
def send_breach_alerts() -> None:
    breach.send_due_alerts()
