"""The benchmark harness (issue 9): server start/stop with a port check, wrk and an
open-loop generator, baselines, the result format and the report.

Scenarios import from here::

    from bench.harness import Context, Result
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench" / "results"

from bench.harness.context import Context  # noqa: E402 - ROOT first: context imports it
from bench.harness.result import Figure, Gate, Result  # noqa: E402 - same

__all__ = ["RESULTS", "ROOT", "Context", "Figure", "Gate", "Result"]
