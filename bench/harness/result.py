"""The result format every scenario returns (S1-S8), and its JSON form.

One ``Result`` per scenario and backend::

    {"scenario": "S1", "title": "Join spike", "backend": "postgresql" | "sqlite",
     "gates": [{"name", "passed": bool, "detail"}],
     "figures": [{"name", "value", "unit", "target" (text), "met": bool | None,
                  "ratio_to": "R_noop" | None}],
     "notes": [...], "extra": {...}}

Gates are hard correctness checks: a failed gate makes the scenario FAILED in the table,
whatever its figures. A figure with ``ratio_to="R_noop"`` is a fraction of the baseline
(0.15 = 15 %); the table prints it as a percentage. Figures whose unit is "ms" are drawn
in the latency plot, figures with ``ratio_to`` in the throughput plot.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Gate:
    name: str
    passed: bool
    detail: str = ""


@dataclass
class Figure:
    name: str
    value: float | None
    unit: str = ""
    target: str = ""  # the target in words, e.g. ">= 15 % of R_noop", "<= 50 ms"
    met: bool | None = None  # None: no target (informative figure)
    ratio_to: str | None = None  # "R_noop" when value is a fraction of that baseline


@dataclass
class Result:
    scenario: str  # "S1"
    title: str
    backend: str  # "postgresql" | "sqlite"
    gates: list[Gate] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)  # raw data (runs, percentiles)

    # --- building ------------------------------------------------------------------------
    def gate(self, name: str, passed: bool, detail: str = "") -> Gate:
        item = Gate(name, bool(passed), detail)
        self.gates.append(item)
        return item

    def figure(self, name: str, value: float | None, unit: str = "", *, target: str = "",
               met: bool | None = None, ratio_to: str | None = None) -> Figure:
        item = Figure(name, None if value is None else float(value), unit, target, met,
                      ratio_to)
        self.figures.append(item)
        return item

    def at_most(self, name: str, value: float | None, bound: float, unit: str = "ms",
                ) -> Figure:
        """A figure whose target is an upper bound."""
        met = None if value is None else value <= bound
        return self.figure(name, value, unit, target=f"<= {bound:g} {unit}".strip(), met=met)

    def latency(self, name: str, value: float | None, bound: float, *, complete: bool,
                ) -> Figure:
        """An open-loop latency bound: missed when the run could not be completed (the
        server fell behind and sending stopped, or requests went unanswered), even when
        no answer came back to measure (value n/a)."""
        figure = self.at_most(name, value, bound, "ms")
        if not complete:
            figure.met = False
        return figure

    def at_least(self, name: str, value: float | None, bound: float, unit: str = "",
                 ) -> Figure:
        met = None if value is None else value >= bound
        return self.figure(name, value, unit, target=f">= {bound:g} {unit}".strip(), met=met)

    def ratio(self, name: str, value: float | None, baseline: float | None, target: float,
              stretch: float | None = None) -> Figure:
        """``value`` (req/s) as a fraction of ``baseline`` (R_noop), target a fraction."""
        if value is None or not baseline:
            return self.figure(name, None, "% of R_noop", target=f">= {target:.0%}",
                               ratio_to="R_noop")
        fraction = value / baseline
        words = f">= {target:.0%}" + (f" (stretch {stretch:.0%})" if stretch else "")
        return self.figure(name, fraction, "% of R_noop", target=words,
                           met=fraction >= target, ratio_to="R_noop")

    def note(self, text: str) -> None:
        self.notes.append(text)

    # --- reading -------------------------------------------------------------------------
    @property
    def passed(self) -> bool:
        """Every gate held (and there was at least one)."""
        return bool(self.gates) and all(g.passed for g in self.gates)

    @property
    def targets_met(self) -> bool:
        return all(f.met is not False for f in self.figures)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Result:
        return cls(scenario=data["scenario"], title=data["title"], backend=data["backend"],
                   gates=[Gate(**g) for g in data.get("gates", [])],
                   figures=[Figure(**f) for f in data.get("figures", [])],
                   notes=list(data.get("notes", [])), extra=dict(data.get("extra", {})))


def failed(scenario: str, title: str, backend: str, error: str) -> Result:
    """The result of a scenario that raised: reported as FAILED, never hidden."""
    result = Result(scenario, title, backend)
    result.gate("scenario ran to the end", False, error[-2000:])
    return result


def write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
