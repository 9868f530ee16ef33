"""French typography in the French catalog: a non-breaking space (U+00A0, or the narrow
U+202F) before ":", ";", "?", "!" and "%", so the sign never starts a line and reads as
French ("Début : 10 h", "4,8 %"). URLs, times such as 10:30, ratios and printf
placeholders are not prose and are left alone."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest

CATALOG = (Path(__file__).resolve().parents[2] / "src" / "livesession" / "locale" / "fr"
           / "LC_MESSAGES" / "django.po")
NO_BREAK = "\u00a0\u202f"
# Not prose: URLs and paths, times and ratios (10:30, 1:2), printf placeholders and the
# literal %% of a python-format string, template-ish tokens such as client:3.
NOT_PROSE = re.compile(
    r"https?://\S*|www\.\S+|[\w.-]+@[\w.-]+|\?[\w-]+=\S*"
    r"|\d+:\d+"
    r"|%\([^)]*\)[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]|%[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]"
    r"|\w+:\w+")
SIGNS = ":;?!%"


def french_typography_problems(text: str) -> list[str]:
    """The signs of ``text`` not preceded by a non-breaking space, each shown in context."""
    prose = NOT_PROSE.sub(lambda m: "x" * len(m.group(0)), text.replace("%%", "%"))
    problems = []
    for i, char in enumerate(prose):
        if char in SIGNS and i > 0 and prose[i - 1] not in NO_BREAK:
            # a run such as "?!" or "…?" needs the space only before its first sign
            if prose[i - 1] in SIGNS:
                continue
            problems.append(text[max(0, i - 20):i + 5])
    return problems


def _french_strings() -> list[tuple[str, str]]:
    po = polib.pofile(str(CATALOG))
    out: list[tuple[str, str]] = []
    for entry in po:
        if entry.obsolete:
            continue
        forms = ([entry.msgstr_plural[k] for k in sorted(entry.msgstr_plural)]
                 if entry.msgid_plural else [entry.msgstr])
        out.extend((entry.msgid, form) for form in forms)
    return out


@pytest.mark.no_db
def test_the_checker_knows_french_typography() -> None:
    """The checker itself: it must catch what it is written for and spare what is not prose,
    or the catalog test below could pass for the wrong reason."""
    assert french_typography_problems("Début: 10 h")
    assert french_typography_problems("Vraiment ?")  # a plain space can break the line
    assert french_typography_problems("Taux : 4,8%")
    assert french_typography_problems("un ; deux")
    assert not french_typography_problems("Début\u00a0: 10 h\u202f; vraiment\u202f?")
    assert not french_typography_problems("Voir https://example.org/a?b=c à 10:30")
    assert not french_typography_problems("%(field)s\u00a0: %(message)s, 4,8\u202f%%")
    assert not french_typography_problems("Réessayez\u00a0!?")


@pytest.mark.no_db
def test_french_catalog_puts_a_non_breaking_space_before_high_signs() -> None:
    """Every French string of the catalog follows French typography before : ; ? ! and %."""
    wrong = [f"{msgid[:50]!r} -> {problem!r}" for msgid, text in _french_strings()
             for problem in french_typography_problems(text)]
    assert not wrong, f"{len(wrong)} French strings lack the space:\n" + "\n".join(wrong)


_BLOCK = re.compile(r"\{% *blocktranslate.*?\{% *endblocktranslate *%\}", re.S)
# A colon glued to a template value or tag ("{{ label }}: ", "{% translate "X" %}:"): the
# catalog cannot give it the French space. URLs ("{{ scheme }}://") are not labels.
_GLUED = re.compile(r"(?:%\}|\}\})(?:</\w+>)*(?::(?!//)|[;?!](?=\s|<|$))")


@pytest.mark.no_db
def test_no_template_glues_a_colon_after_a_translated_label() -> None:
    """Outside translation blocks, a colon after a label is written ``{% colon %}`` (the
    figures tag library), which gives each language its own spacing."""
    source = CATALOG.parents[3]
    wrong = []
    for path in sorted(p for p in source.rglob("*") if p.suffix in {".html", ".txt"}
                       and "locale" not in p.parts):
        text = _BLOCK.sub(" ", path.read_text(encoding="utf-8"))
        wrong += [f"{path.relative_to(source)}: {m.group(0)!r}" for m in _GLUED.finditer(text)]
    assert not wrong, "\n".join(wrong)


@pytest.mark.no_db
def test_the_colon_tag_speaks_each_language() -> None:
    from django.template import Context, Template
    from django.utils import translation

    page = Template('{% load i18n figures %}{% translate "Reason" %}{% colon %} x')
    with translation.override("fr"):
        assert page.render(Context()) == "Motif\u00a0: x"
    with translation.override("en"):
        assert page.render(Context()) == "Reason: x"
