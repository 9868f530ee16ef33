"""The daily computation of the comparison snapshot (issue 7 §8, P2.2): 04:41 UTC, after
the retention purge (03:17), so erased and expired rows are already gone."""

from livesession.comparison.compute import compute
from livesession.core import tasks


@tasks.periodic(minutes="41", hours="4")
def daily_comparison() -> None:
    compute(actor="job")
