"""Charts as server-rendered inline SVG (issue 7 §7): no JavaScript, no library, no CDN.

A chart is geometry computed here and drawn by ``manager/analytics/_chart.html``: an
``<svg role="img">`` with its title and a text summary (``<title>``, ``<desc>``), scaled to
the width of the screen (``viewBox``), followed by the same figures as a table for screen
readers and for reading exact values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

WIDTH = 640
COLUMN_HEIGHT = 200
ROW_HEIGHT = 26
LABEL_WIDTH = 220
AXIS = 22


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    text: str  # the value as shown (a number, or "fewer than 10")
    hatched: bool = False  # a suppressed value: drawn as a pattern, never to scale

    @property
    def label_x(self) -> float:
        return self.x - 8

    @property
    def text_x(self) -> float:
        return round(self.x + self.width + 6, 2)

    @property
    def text_y(self) -> float:
        return self.y + 13


@dataclass
class Chart:
    slug: str
    title: str
    summary: str
    kind: str  # "columns" or "rows"
    width: int
    height: int
    bars: list[Bar] = field(default_factory=list)
    ticks: list[tuple[float, str]] = field(default_factory=list)  # (x, label) under columns
    maximum: int = 0


def _nice(value: int) -> int:
    if value <= 5:
        return max(value, 1)
    magnitude = 10 ** (len(str(value)) - 1)
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return value


def columns(slug: str, title: str, summary: str,
            points: Sequence[tuple[str, int]], tick_every: int = 0) -> Chart:
    """Vertical bars over time, one per point (label, count)."""
    top = _nice(max((n for _label, n in points), default=0))
    count = max(len(points), 1)
    slot = (WIDTH - 40) / count
    chart = Chart(slug, title, summary, "columns", WIDTH, COLUMN_HEIGHT + AXIS, maximum=top)
    every = tick_every or max(1, count // 6)
    for i, (label, n) in enumerate(points):
        height = (COLUMN_HEIGHT - 10) * n / top if top else 0
        x = 40 + i * slot
        chart.bars.append(Bar(round(x + slot * 0.1, 2), round(COLUMN_HEIGHT - height, 2),
                              round(max(slot * 0.8, 1), 2), round(height, 2), label, str(n)))
        if i % every == 0:
            chart.ticks.append((round(x, 2), label))
    return chart


def rows(slug: str, title: str, summary: str,
         items: Sequence[tuple[str, int | None, str]]) -> Chart:
    """Horizontal bars, one per category (label, count or None when suppressed, text)."""
    top = _nice(max((n for _label, n, _text in items if n is not None), default=0))
    chart = Chart(slug, title, summary, "rows", WIDTH, max(len(items), 1) * ROW_HEIGHT + 4,
                  maximum=top)
    span = WIDTH - LABEL_WIDTH - 90
    for i, (label, n, text) in enumerate(items):
        y = i * ROW_HEIGHT + 4
        if n is None:
            chart.bars.append(Bar(LABEL_WIDTH, y, 24, ROW_HEIGHT - 8, label, text, hatched=True))
            continue
        width = span * n / top if top else 0
        chart.bars.append(Bar(LABEL_WIDTH, y, round(width, 2), ROW_HEIGHT - 8, label, text))
    return chart
