"""Figures in the reader's language: "1 234,5" and "4,8 %" in French, "1,234.5" and "4.8%"
in English.

Python's own formatting (``f"{x:.1f} %"``) ignores the language, so a French page said
"4.8 %" and an English one "4.8 %". These helpers go through Django's locale formats
(decimal and thousands separators) and through the catalog for the place of the percent
sign, so each language writes it its own way."""

from __future__ import annotations

from decimal import Decimal

from django.utils import formats
from django.utils.translation import pgettext

Number = int | float | Decimal


def number(value: Number, digits: int | None = None) -> str:
    """``value`` with the separators of the active language, ``digits`` decimals if given
    (else as the value has them); thousands grouped ("12 480" in French)."""
    return formats.number_format(value, decimal_pos=digits, use_l10n=True,
                                 force_grouping=True)


def percent(value: Number, digits: int = 1) -> str:
    """``value`` (already in percent: 4.8 for 4.8 %) in the active language."""
    # The catalog places the sign: French puts a non-breaking space before it.
    return pgettext("a number followed by the percent sign", "%(number)s%%") % {
        "number": number(round(float(value), digits), digits)}


def ratio_percent(ratio: float | None, digits: int = 1, missing: str = "—") -> str:
    """A ratio (0.048) shown as a percentage ("4,8 %"); ``missing`` when there is none."""
    return missing if ratio is None else percent(ratio * 100, digits)
