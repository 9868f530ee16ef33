"""Periodic job of the sub-processor register: stale DPF checks (reference T-02)."""

from livesession.core import tasks
from livesession.processors import services


@tasks.periodic(minutes="20", hours="6")
def flag_stale_dpf_checks() -> None:
    services.flag_stale_dpf_checks()
