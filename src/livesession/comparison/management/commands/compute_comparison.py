"""``livesession manage compute_comparison``: publish the comparison snapshot now (the
worker does it daily). Prints counts only, never a person's figure."""

from typing import Any

from django.core.management.base import BaseCommand

from livesession.comparison.compute import compute


class Command(BaseCommand):
    help = "Compute the anonymized peer comparison snapshot now (issue 7 §8, P2.2)."

    def handle(self, *args: Any, **options: Any) -> None:
        run = compute(actor="cli")
        self.stdout.write(f"comparison run {run.pk}: {run.cohorts_published} cohorts "
                          f"published, {run.cohorts_suppressed} under k={run.k}, "
                          f"pooling {'on' if run.pooling else 'off'}")
