"""Figures in the reader's language: "4,8 %" with a non-breaking space and "12 480" in
French, "4.8%" and "12,480" in English. Python's own formatting (f"{x:.1f} %") wrote
"4.8 %" in both."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils import translation

from livesession.core.numbers import number, percent, ratio_percent

NBSP = "\u00a0"


@pytest.mark.no_db
@pytest.mark.parametrize(("lang", "expected"), [
    ("fr", ["4,8" + NBSP + "%", "4,9" + NBSP + "%", "100" + NBSP + "%", "12" + NBSP + "480",
            "12,5", "—"]),
    ("en", ["4.8%", "4.9%", "100%", "12,480", "12.5", "—"]),
])
def test_numbers_and_percentages_follow_the_language(lang: str, expected: list[str]) -> None:
    with translation.override(lang):
        got = [percent(4.8), ratio_percent(0.0486), percent(100, 0), number(12480),
               number(12.5), ratio_percent(None)]
    assert got == expected


@pytest.mark.no_db
@pytest.mark.parametrize(("lang", "expected"), [("fr", "62,5" + NBSP + "% · 1" + NBSP + "234"),
                                                 ("en", "62.5% · 1,234")])
def test_template_filters_write_figures_the_readers_way(lang: str, expected: str) -> None:
    page = Template("{% load figures %}{{ rate|percent }} · {{ n|number }}")
    with translation.override(lang):
        assert page.render(Context({"rate": 62.5, "n": 1234})) == expected
