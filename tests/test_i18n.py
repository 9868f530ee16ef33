"""French first, English second: every string translatable; both catalogs compiled and
complete (issue 2; DESIGN.md "Language").

The catalogs live in ``src/livesession/locale``. The compiled ``.mo`` files are committed, so
a fresh machine serves both languages without GNU gettext; these tests fail when a catalog
is incomplete, when ``compilemessages`` was forgotten, or when a marked string never reached
the catalogs (``makemessages`` forgotten).

To refresh after changing strings (needs GNU gettext), from ``src/livesession``::

    DJANGO_SETTINGS_MODULE=livesession.config.settings PYTHONPATH=.. \\
        ../../.venv/bin/django-admin makemessages -l fr -l en --no-obsolete
    # translate the new entries in both django.po files, then
    DJANGO_SETTINGS_MODULE=livesession.config.settings PYTHONPATH=.. \\
        ../../.venv/bin/django-admin compilemessages
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.test import Client as Browser
from django.utils import translation
from django.utils.translation.template import templatize

SOURCE = Path(__file__).resolve().parents[1] / "src" / "livesession"
LOCALE = SOURCE / "locale"
LANGUAGES = ("fr", "en")
PLURAL_FORMS = {"fr": "nplurals=2; plural=(n > 1);", "en": "nplurals=2; plural=(n != 1);"}

# A printf-style conversion as Python's % operator reads it: %(name)s, %d, %.2f ...
PLACEHOLDER = re.compile(r"%(?:\((?P<name>[^)]*)\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?"
                         r"[diouxXeEfFgGcrsa%]")

Key = tuple[str | None, str]  # (msgctxt, msgid)


def _po(lang: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / lang / "LC_MESSAGES" / "django.po"))


def _live(po: polib.POFile) -> list[polib.POEntry]:
    return [entry for entry in po if not entry.obsolete]


def _placeholders(text: str) -> Counter[str]:
    return Counter(m.group(0) for m in PLACEHOLDER.finditer(text) if m.group(0) != "%%")


def _translation(entry: polib._BaseEntry) -> str | tuple[str, ...]:
    if entry.msgid_plural:
        return tuple(entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural))
    return str(entry.msgstr)


# --- (a) both catalogs are complete and well formed -------------------------------------

@pytest.mark.no_db
@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalog_has_no_untranslated_or_fuzzy_entry(lang: str) -> None:
    """Every string translatable; both catalogs compiled and complete (issue 2): no entry
    of the catalog is left empty or fuzzy (a fuzzy entry is ignored by compilemessages, so
    the page would silently fall back to the English source)."""
    po = _po(lang)
    assert po.metadata.get("Language") == lang
    assert po.metadata.get("Plural-Forms") == PLURAL_FORMS[lang]
    assert not po.metadata_is_fuzzy, f"{lang}: the header is still marked fuzzy"
    entries = _live(po)
    assert len(entries) > 100, "the catalog lost its entries"
    untranslated = [e.msgid for e in entries if not e.translated() and "fuzzy" not in e.flags]
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    assert not untranslated, f"{lang}: untranslated entries: {untranslated}"
    assert not fuzzy, f"{lang}: fuzzy entries: {fuzzy}"


@pytest.mark.no_db
@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_keep_the_placeholders_of_their_source(lang: str) -> None:
    """Every string translatable; both catalogs compiled and complete (issue 2): a
    translation that drops, renames or retypes a %(name)s placeholder either loses the value
    or raises at render time. Plural forms may leave the number out of a form (French "une
    inscription"), but never use a name the source does not give."""
    problems = []
    for entry in _live(_po(lang)):
        source = _placeholders(entry.msgid)
        if not (source or "python-format" in entry.flags):
            continue
        if entry.msgid_plural:
            allowed = set(source) | set(_placeholders(entry.msgid_plural))
            forms = [entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural)]
            unknown = any(set(_placeholders(form)) - allowed for form in forms)
            if unknown or _placeholders(forms[-1]) != _placeholders(entry.msgid_plural):
                problems.append(entry.msgid)
        elif _placeholders(entry.msgstr) != source:
            problems.append(entry.msgid)
    assert not problems, f"{lang}: placeholders differ from the source in: {problems}"


@pytest.mark.no_db
def test_english_catalog_says_what_the_source_says() -> None:
    """Every string translatable; both catalogs compiled and complete (issue 2): the source
    strings are English, so the English catalog repeats them, plural forms included."""
    wrong = [entry.msgid for entry in _live(_po("en"))
             if _translation(entry) != ((entry.msgid, entry.msgid_plural)
                                        if entry.msgid_plural else entry.msgid)]
    assert not wrong, f"en: msgstr differs from msgid in: {wrong}"


@pytest.mark.no_db
def test_french_catalog_is_actually_french() -> None:
    """Every string translatable; both catalogs compiled and complete (issue 2): a French
    catalog filled by copying the English source would pass the completeness test; most
    sentences must differ from their source."""
    sentences = [e for e in _live(_po("fr")) if " " in e.msgid and not e.msgid_plural]
    copied = [e.msgid for e in sentences if e.msgstr == e.msgid]
    assert len(copied) <= len(sentences) // 20, f"fr: copied from English: {copied}"


# --- (b) the committed .mo files are the compiled .po files ------------------------------

@pytest.mark.no_db
@pytest.mark.parametrize("lang", LANGUAGES)
def test_committed_mo_matches_the_po(lang: str) -> None:
    """Every string translatable; both catalogs compiled and complete (issue 2): the .mo
    Django reads must hold exactly the .po's translations, so a forgotten compilemessages
    (or a .mo left out of git) fails here."""
    path = LOCALE / lang / "LC_MESSAGES" / "django.mo"
    assert path.is_file(), f"{path} is missing: run compilemessages and commit the .mo"
    po, mo = _po(lang), polib.mofile(str(path))
    expected = {(e.msgctxt, e.msgid): _translation(e)
                for e in _live(po) if e.translated() and "fuzzy" not in e.flags}
    compiled = {(e.msgctxt, e.msgid): _translation(e) for e in mo if e.msgid}
    stale = sorted(key[1] for key in expected.keys() | compiled.keys()
                   if expected.get(key) != compiled.get(key))
    assert not stale, f"{lang}: the .mo differs from the .po for: {stale[:20]}"
    assert mo.metadata.get("Plural-Forms") == po.metadata.get("Plural-Forms")


@pytest.mark.no_db
@pytest.mark.parametrize("lang", LANGUAGES)
def test_django_serves_the_catalog(lang: str) -> None:
    """Every string translatable; both catalogs compiled and complete (issue 2): through
    Django's own lookup (LOCALE_PATHS, merged with Django's catalogs), every entry comes out
    as the catalog says, plurals chosen by the language's rule."""
    wrong = []
    with translation.override(lang):
        for entry in _live(_po(lang)):
            if entry.msgid_plural:
                forms = [entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural)]
                got = [translation.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n)
                       if entry.msgctxt else
                       translation.ngettext(entry.msgid, entry.msgid_plural, n) for n in (1, 5)]
                if got != [forms[0], forms[1]]:
                    wrong.append(entry.msgid)
            elif entry.msgctxt:
                if translation.pgettext(entry.msgctxt, entry.msgid) != entry.msgstr:
                    wrong.append(entry.msgid)
            elif translation.gettext(entry.msgid) != entry.msgstr:
                wrong.append(entry.msgid)
    assert not wrong, f"{lang}: Django does not serve the catalog for: {wrong[:20]}"


# --- every marked string reached the catalogs (a forgotten makemessages) -----------------

_CALLS = {"gettext": (0,), "gettext_lazy": (0,), "gettext_noop": (0,),
          "ngettext": (0, 1), "ngettext_lazy": (0, 1),
          "pgettext": (1,), "pgettext_lazy": (1,), "npgettext": (1, 2), "npgettext_lazy": (1, 2)}


def _keys_of_call(node: ast.Call, function: str) -> Key | None:
    args = [a.value for a in node.args[:max(_CALLS[function]) + 1]
            if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    if len(args) <= max(_CALLS[function]):
        return None  # a variable: nothing for makemessages to extract either
    context = args[0] if function.startswith(("pgettext", "npgettext")) else None
    return context, args[_CALLS[function][0]]


def _python_keys(path: Path) -> set[Key]:
    """Strings marked in a module, whatever name the translation function was imported as
    (an alias xgettext does not know, such as ``_lazy``, never reaches the catalog)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    aliases: dict[str, str] = {}
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
            for name in node.names:
                if name.name in _CALLS:
                    aliases[name.asname or name.name] = name.name
        elif isinstance(node, ast.ImportFrom) and node.module == "django.utils":
            modules |= {n.asname or n.name for n in node.names if n.name == "translation"}
    keys = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        function = None
        if isinstance(node.func, ast.Name):
            function = aliases.get(node.func.id)
        elif (isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name)
              and node.func.value.id in modules and node.func.attr in _CALLS):
            function = node.func.attr
        if function and (key := _keys_of_call(node, function)):
            keys.add(key)
    return keys


_TEMPLATE_CALL = re.compile(r"\b(gettext|gettext_noop|ngettext|pgettext|npgettext)\(")


def _template_keys(path: Path) -> set[Key]:
    """Strings marked in a template, read the way makemessages reads them (templatize)."""
    keys = set()
    for line in templatize(path.read_text(encoding="utf-8"), origin=str(path)).splitlines():
        for match in _TEMPLATE_CALL.finditer(line):
            for end in (i for i, char in enumerate(line) if char == ")" and i > match.end()):
                try:
                    node = ast.parse(line[match.start():end + 1], mode="eval").body
                except SyntaxError:
                    continue
                if isinstance(node, ast.Call) and (key := _keys_of_call(node, match.group(1))):
                    keys.add(key)
                break
    return keys


def _marked_strings() -> dict[Key, str]:
    found: dict[Key, str] = {}
    for path in sorted(SOURCE.rglob("*")):
        if LOCALE in path.parents or "__pycache__" in path.parts or not path.is_file():
            continue
        if path.suffix == ".py":
            keys = _python_keys(path)
        elif path.suffix in {".html", ".txt"}:
            keys = _template_keys(path)
        else:
            continue
        for key in keys:
            found.setdefault(key, str(path.relative_to(SOURCE)))
    return found


@pytest.mark.no_db
def test_every_marked_string_is_in_both_catalogs() -> None:
    """Every string translatable; both catalogs compiled and complete (issue 2): a string
    marked in the code or a template but missing from a catalog shows in English on the
    French pages. Run makemessages (see the module docstring) and translate."""
    marked = _marked_strings()
    assert ("Sign in" in {msgid for _, msgid in marked}), "the extractor found nothing"
    for lang in LANGUAGES:
        known = {(e.msgctxt, e.msgid) for e in _live(_po(lang))}
        missing = sorted(f"{where}: {key[1]!r}" for key, where in marked.items()
                         if key not in known)
        assert not missing, f"{lang}: marked but not in the catalog: {missing}"


# --- (c) French by default, English on request -------------------------------------------

@pytest.mark.django_db(databases="__all__")
def test_french_by_default_and_english_after_choosing_it() -> None:
    """Every string translatable; both catalogs compiled and complete (issue 2), French
    first: a visitor who sends no Accept-Language reads French; the language menu
    (/i18n/setlang/) switches the next pages to English."""
    assert settings.LANGUAGE_CODE == "fr"
    browser = Browser()
    page = browser.get("/").content.decode()
    assert '<html lang="fr">' in page
    assert "Connexion au Manager" in page and "Politique de confidentialité" in page
    assert "Manager sign-in" not in page

    switched = browser.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert switched.status_code == 302 and switched["Location"] == "/"
    page = browser.get("/").content.decode()
    assert '<html lang="en">' in page
    assert "Manager sign-in" in page and "Privacy notice" in page
    assert "Connexion au Manager" not in page


# --- (d) the browser's language is honoured -----------------------------------------------

@pytest.mark.django_db(databases="__all__")
def test_accept_language_en_renders_the_english_home_page() -> None:
    """Every string translatable; both catalogs compiled and complete (issue 2): the public
    home page follows the browser's Accept-Language, and says so to caches (Vary)."""
    french = Browser().get("/")
    english = Browser(HTTP_ACCEPT_LANGUAGE="en").get("/")
    assert french.status_code == english.status_code == 200
    assert french.content != english.content
    assert "Registrations and access to online events" in english.content.decode()
    assert "Inscriptions et accès aux événements en ligne" in french.content.decode()
    assert "Accept-Language" in english["Vary"]
