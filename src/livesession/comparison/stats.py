"""The arithmetic of the comparison, with no database: normalization of categories,
percentiles, rounding, the k-threshold and the band a person falls in (P2.2, A10 ST-01/02).

Kept pure so the property tests can throw any population at it."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings

# The smallest cohort ever published; the setting may raise it, never lower it.
K_FLOOR = 10
PERCENTILES = (25, 50, 75, 90)
SESSIONS_STEP = 1
MINUTES_STEP = 5
SIZE_STEP = 5
# The period is fixed (no arbitrary date range can be asked for: ST-02).
PERIOD_DAYS = 365

_NOT_WORD = re.compile(r"[^0-9a-z]+")


def min_cohort() -> int:
    """K: ``COMPARISON_MIN_COHORT``, never below 10."""
    return max(K_FLOOR, int(getattr(settings, "COMPARISON_MIN_COHORT", K_FLOOR)))


def normalize(text: str) -> str:
    """The category key of a free-text value: accents dropped, case folded, punctuation
    and spaces collapsed ("  Infirmière-cadre " and "infirmiere cadre" are one category)."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(_NOT_WORD.sub(" ", plain).split())[:150]


def percentile(values: Sequence[float], p: float) -> float:
    """Linear interpolation between the closest ranks (the usual definition): it mixes two
    people's values rather than repeating one."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values")
    rank = (p / 100) * (len(ordered) - 1)
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def round_to(value: float, step: int) -> int:
    """Half up to the nearest multiple of ``step``."""
    return math.floor(value / step + 0.5) * step


def round_size(n: int) -> int:
    """Sizes are published rounded down to a multiple of 5."""
    return n - n % SIZE_STEP


@dataclass(frozen=True)
class Thresholds:
    p25: int
    p50: int
    p75: int
    p90: int

    def as_dict(self) -> dict[str, int]:
        return {"p25": self.p25, "p50": self.p50, "p75": self.p75, "p90": self.p90}


def thresholds(values: Sequence[float], step: int, k: int) -> Thresholds | None:
    """Rounded percentile thresholds of ``values``, or None when fewer than ``k`` values:
    a cohort under the threshold yields no number at all."""
    if len(values) < max(k, K_FLOOR):
        return None
    p25, p50, p75, p90 = (round_to(percentile(values, p), step) for p in PERCENTILES)
    return Thresholds(p25, p50, p75, p90)


@dataclass(frozen=True)
class PersonFigures:
    """One person's figures over the period: sessions attended, and minutes present where
    presence was measured (None when it never was)."""

    sessions: int
    minutes: int | None


@dataclass(frozen=True)
class Aggregate:
    size: int  # rounded down to a multiple of 5
    sessions: Thresholds
    minutes_size: int | None
    minutes: Thresholds | None


def aggregate(people: Sequence[PersonFigures], k: int) -> Aggregate | None:
    """The published figures of one cohort (eligible people only), or None under ``k``."""
    sessions = thresholds([p.sessions for p in people], SESSIONS_STEP, k)
    if sessions is None:
        return None
    measured = [p.minutes for p in people if p.minutes is not None]
    minutes = thresholds(measured, MINUTES_STEP, k)
    return Aggregate(size=round_size(len(people)), sessions=sessions,
                     minutes_size=round_size(len(measured)) if minutes else None,
                     minutes=minutes)


@dataclass(frozen=True)
class Band:
    """Between which percentiles a value sits: ``low`` in 0/25/50/75/90, ``high`` in
    25/50/75/90/100. Where thresholds are equal (many people with the same value), the
    band spans them all rather than picking a side: a person with 0 sessions when half the
    cohort has 0 is "in the lowest 50 %", not "between the 25th and 50th percentile"."""

    low: int
    high: int

    @property
    def key(self) -> str:
        return f"p{self.low}-p{self.high}"


def band(value: float, limits: Thresholds) -> Band:
    """Where ``value`` falls against the rounded thresholds."""
    values = (limits.p25, limits.p50, limits.p75, limits.p90)
    below = sum(1 for t in values if t < value)  # thresholds strictly under the value
    upto = sum(1 for t in values if t <= value)  # thresholds the value reaches
    lows = (0, *PERCENTILES)
    highs = (*PERCENTILES, 100)
    return Band(low=lows[below], high=highs[upto])
