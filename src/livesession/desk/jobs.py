"""Periodic jobs of the request desk."""

from livesession.core import tasks
from livesession.desk import alerts


@tasks.periodic(minutes="5", hours="*")
def desk_deadline_alerts() -> None:
    """Hourly: D-7, D-2 and overdue alerts, each once per request (R-14)."""
    alerts.send_due_alerts()


@tasks.periodic(minutes="35", hours="*")
def desk_purge_deliveries() -> None:
    """Hourly: links to copies of data that expired, with their archives."""
    from livesession.desk.services import purge_deliveries

    purge_deliveries()
