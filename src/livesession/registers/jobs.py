"""Keep the register's record dates current when nobody reads it (P3.2)."""

from livesession.core import tasks
from livesession.registers.services import snapshot_all


@tasks.periodic(minutes="41")
def snapshot_register() -> None:
    """Hourly: a record whose configuration changed gets its new version within the hour."""
    snapshot_all()
