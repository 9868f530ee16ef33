"""The daily retention purge (issue 6 §1): 03:17 UTC, outside office hours."""

from livesession.core import tasks
from livesession.retention.purge import run_purge


@tasks.periodic(minutes="17", hours="3")
def daily_purge() -> None:
    run_purge()
