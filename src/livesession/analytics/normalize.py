"""Breakdown dimensions from a registration's answers (issue 7 §7), computed once by the
facts job (``analytics/facts.py``) so that SQL can group on them.

Free text is normalized so that "Chef de projet ", "chef  de PROJET" and "Chef de Projet"
count as one group: accents and case folded, punctuation and spaces collapsed. The postal
department is derived from a French postal code: its first two digits, three for overseas
(97x, 98x), 2A or 2B for Corsica (20000-20199 is Corse-du-Sud, 20200-20999 Haute-Corse).
"""

from __future__ import annotations

import re
import unicodedata

_SEPARATORS = re.compile(r"[\s\-'’‘_/.,;:()\"]+")
_CITY_PREFIXES = (("st ", "saint "), ("ste ", "sainte "))


def _fold(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SEPARATORS.sub(" ", bare.casefold()).strip()


def job_function(value: str) -> str:
    return _fold(value)[:150]


def city(value: str) -> str:
    folded = _fold(value)
    for short, full in _CITY_PREFIXES:
        if folded.startswith(short):
            folded = full + folded[len(short):]
    # "Paris 15e", "Lyon 3eme", "Marseille cedex 01": the city, not its district or sorting
    # office.
    folded = re.sub(r"\s+(cedex(\s+\d+)?|\d+\s*(e|er|eme)?)$", "", folded)
    return folded[:120]


def department(postal_code: str) -> str:
    """The department of a French postal code; empty when it is not one."""
    code = re.sub(r"\s+", "", postal_code or "")
    if not re.fullmatch(r"\d{5}", code):
        return ""
    if code.startswith(("97", "98")):
        return code[:3]
    if code.startswith("20"):
        return "2A" if int(code) < 20200 else "2B"
    if code.startswith("00"):
        return ""
    return code[:2]


def label(value: str) -> str:
    """A normalized value as people read it: first letter up."""
    return value[:1].upper() + value[1:] if value else value
