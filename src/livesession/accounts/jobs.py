"""Periodic jobs of accounts: the session list keeps nothing past the session."""

from livesession.accounts import services
from livesession.core import tasks


@tasks.periodic(minutes="17")
def purge_ended_sessions() -> int:
    """Hourly: rows of sessions idle past their lifetime go (retention of UserSession)."""
    return services.purge_ended_sessions()
