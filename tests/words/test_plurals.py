"""Numbers agree with their nouns, in French and English: "1 inscription", "2 inscriptions",
"0 inscription" (French treats 0 and 1 as singular). Every count that meets a noun goes
through ngettext / {% blocktranslate count %}, so the catalog holds a form per number.

Two kinds of tests: scanners that keep the old hand-made plurals from coming back
(``|pluralize`` on French text, "(s)" suffixes, ``"s" if n`` in code, a count put before a
noun in a message that has no plural form), and renderings of real figures with 0, 1 and 2
items in both languages, asserting the exact words."""

from __future__ import annotations

import ast
import datetime as dt
import re
from pathlib import Path
from typing import Any

import polib
import pytest
from django.utils import translation

from livesession.analytics import present, suppression
from livesession.analytics.figures import Conversion, Durations, Figures, Point, Row, Timeline
from livesession.cookies import inventory
from livesession.desk import services as desk_services

SOURCE = Path(__file__).resolve().parents[2] / "src" / "livesession"
CATALOG = SOURCE / "locale" / "en" / "LC_MESSAGES" / "django.po"

# Nouns that take a plural: after a number they need ngettext.
NOUNS = {
    "account", "attempt", "attendance", "backup", "category", "categories", "character",
    "choice", "client", "code", "cohort", "day", "document", "entry", "entries", "event",
    "group", "hour", "line", "message", "migration", "minute", "month", "notice", "option",
    "participant", "people", "person", "place", "purpose", "question", "record",
    "registrant", "registration", "request", "second", "session", "time", "token", "view",
    "visitor", "week", "year",
}
PLACEHOLDER = re.compile(r"%\((?P<name>\w+)\)[sd]|%d|\{\{ *(?P<var>[\w.]+) *\}\}")
# Words that may stand between a number and its noun: "3 or more people", "2 wrong attempts".
BETWEEN = {"or", "more", "wrong", "page", "open", "recovery", "earlier"}


def _noun(word: str) -> bool:
    word = word.lower()
    singular = word[:-3] + "y" if word.endswith("ies") else word[:-1] if word.endswith("s") \
        else word
    return word in NOUNS or singular in NOUNS


def counts_before_nouns(text: str) -> list[str]:
    """The places of ``text`` where a placeholder is followed by a countable noun."""
    found = []
    for match in PLACEHOLDER.finditer(text):
        words = re.findall(r"[A-Za-z]+", text[match.end():match.end() + 40])
        while words and words[0].lower() in BETWEEN:
            words = words[1:]
        rest = text[match.end():].lstrip()
        if words and rest[:1].isalpha() and _noun(words[0]):
            found.append(text[max(0, match.start() - 20):match.end() + 20])
    return found


@pytest.mark.no_db
def test_the_scanner_finds_a_count_before_a_noun() -> None:
    """The scanner itself, or the catalog test could pass for the wrong reason."""
    assert counts_before_nouns("%(n)d registrations received")
    assert counts_before_nouns("Wait %(s)d seconds, then try again.")
    assert counts_before_nouns("{{ n }} or more people")
    assert counts_before_nouns("Within {{ h }} days")
    assert not counts_before_nouns("Position %(n)s on the waiting list.")
    assert not counts_before_nouns("%(h)d h %(m)02d min")
    assert not counts_before_nouns("Page %(n)s of %(total)s")
    assert not counts_before_nouns("Hello %(name)s, your sessions")


@pytest.mark.no_db
def test_no_message_without_plural_forms_puts_a_count_before_a_noun() -> None:
    """Every marked string, from the code and the templates alike (the catalog holds both):
    a message with a count before a noun must be a plural message (ngettext or
    {% blocktranslate count %}), or French reads "1 présents"."""
    po = polib.pofile(str(CATALOG))
    wrong = [f"{entry.occurrences[0][0] if entry.occurrences else '?'}: {place!r}"
             for entry in po if not entry.obsolete and not entry.msgid_plural
             for place in counts_before_nouns(entry.msgid)]
    assert not wrong, "use ngettext / blocktranslate count:\n" + "\n".join(wrong)


def _templates() -> list[Path]:
    return sorted(p for p in SOURCE.rglob("*") if p.suffix in {".html", ".txt"}
                  and "locale" not in p.parts)


def _python() -> list[Path]:
    return sorted(p for p in SOURCE.rglob("*.py") if "migrations" not in p.parts)


@pytest.mark.no_db
def test_no_template_makes_plurals_by_hand() -> None:
    """No ``|pluralize`` (it only knows the English "s"), no "(s)", and no count written
    before a noun outside a translation block."""
    wrong = []
    block = re.compile(r"\{% *blocktranslate.*?\{% *endblocktranslate *%\}", re.S)
    for path in _templates():
        text = path.read_text(encoding="utf-8")
        name = str(path.relative_to(SOURCE))
        if "|pluralize" in text:
            wrong.append(f"{name}: |pluralize")
        if re.search(r"[a-z]\(s\)", text):
            wrong.append(f"{name}: (s)")
        outside = block.sub(" ", text)
        outside = re.sub(r"\{%.*?%\}|<[^>]*>", " ", outside, flags=re.S)
        wrong += [f"{name}: {place!r}" for place in counts_before_nouns(outside)]
    assert not wrong, "\n".join(wrong)


@pytest.mark.no_db
def test_no_python_source_makes_plurals_by_hand() -> None:
    """No ``"s" if n != 1 else ""``, no ``word + "s"`` and no "(s)" in a string of the
    code: ngettext knows each language's rule, the hand-made "s" knows English only."""
    wrong = []
    for path in _python():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        name = str(path.relative_to(SOURCE))
        # Docstrings and comments speak to developers and may say "(s)".
        docstrings = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Expr)}
        for node in ast.walk(tree):
            if id(node) in docstrings:
                continue
            if isinstance(node, ast.IfExp) and any(
                    isinstance(v, ast.Constant) and v.value in ("s", "es")
                    for v in (node.body, node.orelse)):
                wrong.append(f"{name}:{node.lineno}: \"s\" if …")
            elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add) and \
                    isinstance(node.right, ast.Constant) and node.right.value == "s":
                wrong.append(f"{name}:{node.lineno}: + \"s\"")
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) and \
                    re.search(r"[a-z]\(s\)", node.value):
                wrong.append(f"{name}:{node.lineno}: {node.value[:60]!r}")
    assert not wrong, "\n".join(wrong)


# --- real figures with 0, 1 and 2 -------------------------------------------------------

def _figures(n: int) -> Figures:
    start = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    return Figures(
        timeline=Timeline("day", [Point(start.date(), n)] if n else [], n),
        sources={name: suppression.Table() for name in ("referrer_host", "utm_source",
                                                        "utm_medium", "utm_campaign")},
        conversion=Conversion(received=n, confirmed=n, registered=n, present=n),
        durations=Durations([(0, 30, n)], measured=n, unmeasured=n, median_minutes=12.5),
        rows=[Row(str(i), f"S{i}", start, 1, 1, None) for i in range(n)],
        breakdowns={}, pending_facts=n)


def _summaries(n: int, lang: str) -> dict[str, str]:
    with translation.override(lang):
        return {s.slug: s.summary for s in present.figure_sets(_figures(n), per="sessions")}


@pytest.mark.no_db
@pytest.mark.parametrize(("n", "lang", "expected"), [
    (0, "fr", {"conversion": "Présence\u00a0: 0 sur 0 inscrit (—). 0 inscription reçue, "
                             "0 confirmée.",
               "durations": "0 présence mesurée, médiane de 12,5 min. 0 non mesurée (salle "
                            "sur un autre site\u00a0: seul l'accès est connu).",
               "sessions": "0 session."}),
    (1, "fr", {"registrations": "1 inscription reçue, par jour\u00a0; le pic\u00a0: "
                                "02/03/2026 (1).",
               "conversion": "Présence\u00a0: 1 sur 1 inscrit (100,0\u00a0%). 1 inscription "
                             "reçue, 1 confirmée.",
               "sessions": "1 session."}),
    (2, "fr", {"registrations": "2 inscriptions reçues, par jour\u00a0; le pic\u00a0: "
                                "02/03/2026 (2).",
               "conversion": "Présence\u00a0: 2 sur 2 inscrits (100,0\u00a0%). 2 inscriptions "
                             "reçues, 2 confirmées.",
               "durations": "2 présences mesurées, médiane de 12,5 min. 2 non mesurées "
                            "(salles sur un autre site\u00a0: seul l'accès est connu).",
               "sessions": "2 sessions."}),
    (1, "en", {"conversion": "1 present out of 1 registered (100.0%). 1 registration "
                             "received, 1 confirmed.",
               "durations": "1 attendance measured, median 12.5 min. 1 not measured (rooms "
                            "on another site: only the access is known).",
               "sessions": "1 session."}),
    (2, "en", {"conversion": "2 present out of 2 registered (100.0%). 2 registrations "
                             "received, 2 confirmed.",
               "sessions": "2 sessions."}),
])
def test_analytics_summaries_agree_with_their_numbers(n: int, lang: str,
                                                      expected: dict[str, str]) -> None:
    """The summaries of the analytics charts, word for word, in both languages."""
    got = _summaries(n, lang)
    for slug, text in expected.items():
        assert got[slug] == text


@pytest.mark.no_db
@pytest.mark.parametrize(("lang", "head"), [("fr", ["Titre", "Début", "Inscrits", "Présents"]),
                                             ("en", ["Title", "Start", "Registered",
                                                     "Present"])])
def test_analytics_heads_a_count_as_a_count(lang: str, head: list[str]) -> None:
    """"Registered" over a column of numbers is a count ("Inscrits"), not the date column
    of the registrants list ("Inscrit le")."""
    with translation.override(lang):
        sets = {s.slug: s for s in present.figure_sets(_figures(2), per="sessions")}
    assert sets["sessions"].header[:4] == head
    assert "Inscrit le" not in [str(h) for s in sets.values() for h in s.header]


class _Tracker:
    third_party = False

    def __init__(self, seconds: int) -> None:
        self.max_age = seconds


@pytest.mark.no_db
@pytest.mark.parametrize(("seconds", "lang", "text"), [
    (86400, "fr", "1 jour (non prolongé par les visites suivantes)"),
    (2 * 86400, "fr", "2 jours (non prolongé par les visites suivantes)"),
    (60, "fr", "1 minute"), (120, "en", "2 minutes"), (60, "en", "1 minute"),
    (86400, "en", "1 day (not extended by later visits)"),
])
def test_cookie_lifetimes_agree_with_their_numbers(seconds: int, lang: str, text: str) -> None:
    """The lifetime of each cookie on the cookie page and in the privacy notice."""
    with translation.override(lang):
        tracker: Any = _Tracker(seconds)
        assert inventory.lifetime_label(tracker) == text


@pytest.mark.no_db
@pytest.mark.parametrize(("left", "lang", "text"), [
    (1, "fr", "Ce code n'est pas celui qui a été envoyé. Il reste 1 tentative."),
    (2, "fr", "Ce code n'est pas celui qui a été envoyé. Il reste 2 tentatives."),
    (0, "fr", "Ce code n'est pas celui qui a été envoyé. Il reste 0 tentative."),
    (1, "en", "This code is not the one sent. 1 attempt left."),
    (2, "en", "This code is not the one sent. 2 attempts left."),
])
def test_a_wrong_code_says_how_many_attempts_are_left(left: int, lang: str, text: str) -> None:
    with translation.override(lang):
        assert desk_services._wrong_code(left) == text


@pytest.mark.no_db
@pytest.mark.parametrize(("lang", "expected", "wrong"), [
    ("fr", ["inscription rattachée à un compte", "inscription", "place dans une session"],
     ["un comptes", "une sessions", "inscriptionss"]),
    ("en", ["registration of an account", "registration", "session place"],
     ["accounts"]),
])
def test_the_erasure_receipt_names_each_kind_without_a_made_up_plural(
        lang: str, expected: list[str], wrong: list[str]) -> None:
    """The receipt shown after erasing reads "kind: count"; Django's default plural (the
    whole name plus "s") gave "inscription rattachée à un comptes"."""
    from collections import Counter

    from livesession.accounts.erase_views import receipt_lines
    from livesession.protection.erasure import Receipt

    receipt = Receipt(counts=Counter({"accounts.AccountLink": 1, "registrations.SessionSeat": 2,
                                      "registrations.Registration": 2}))
    with translation.override(lang):
        labels = [label for label, _count in receipt_lines(receipt)]
    assert labels == expected
    assert not [w for w in wrong for label in labels if w in label]
