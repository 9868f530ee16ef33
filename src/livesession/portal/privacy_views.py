"""The privacy notice pages (issue 5 §10; P0.3, P4.5): the version in force in the visitor's
language with a switch to the other one, the list of versions with their dates and digests,
and each version in French or English.

Every page shows the stored text of a ``NoticeVersion`` (``privacy.services``), turned
into HTML here: what a person read is exactly the text whose digest a registration
records. The markup is the notice's own small one (headings, lists, tables, paragraphs);
everything is escaped first, then addresses become links.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import escape, urlize
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from livesession.privacy import services
from livesession.privacy.models import NoticeVersion

LANGUAGES = ("fr", "en")
_DIGEST = re.compile(r"^[0-9a-f]{64}$")


def _inline(text: str) -> str:
    """Escaped text with its web and email addresses as links."""
    return str(urlize(escape(text.strip()), autoescape=False))


def _table(lines: list[str]) -> str:
    rows = [[cell.strip() for cell in line.strip().strip("|").split("|")] for line in lines]
    head, body = rows[0], rows[1:]
    out = ['<div class="table-wrap"><table><thead><tr>']
    out += [f'<th scope="col">{_inline(cell)}</th>' for cell in head]
    out.append("</tr></thead><tbody>")
    for row in body:
        out.append("<tr>" + "".join(f"<td>{_inline(cell)}</td>" for cell in row) + "</tr>")
    out.append("</tbody></table></div>")
    return "".join(out)


def render_notice(text: str) -> SafeString:
    """The notice's text as HTML: "# " → h2, "## " → h3, "- " lines → a list, "| " lines
    → a table (first row: headers), other blocks → paragraphs. Escaped throughout."""
    html: list[str] = []
    block: list[str] = []

    def flush() -> None:
        if not block:
            return
        if all(line.startswith("- ") for line in block):
            html.append("<ul>" + "".join(f"<li>{_inline(line[2:])}</li>" for line in block)
                        + "</ul>")
        elif all(line.startswith("|") for line in block):
            html.append(_table(block))
        else:
            html.append("<p>" + " ".join(_inline(line) for line in block) + "</p>")
        block.clear()

    for raw in text.splitlines():
        line = raw.rstrip()
        if line.startswith("## "):
            flush()
            html.append(f"<h3>{_inline(line[3:])}</h3>")
        elif line.startswith("# "):
            flush()
            html.append(f"<h2>{_inline(line[2:])}</h2>")
        elif not line.strip():
            flush()
        else:
            kind = line.startswith("- "), line.startswith("|")
            if block and (block[-1].startswith("- "), block[-1].startswith("|")) != kind:
                flush()
            block.append(line)
    flush()
    return mark_safe("\n".join(html))  # noqa: S308 - every piece was escaped by _inline


def _language(request: HttpRequest) -> str:
    """?lang=fr|en when the visitor switched, else the page's language."""
    asked = request.GET.get("lang", "")
    if asked in LANGUAGES:
        return asked
    current = (get_language() or settings.LANGUAGE_CODE)[:2]
    return current if current in LANGUAGES else "fr"


def _page(request: HttpRequest, notice: NoticeVersion, *, current: NoticeVersion) -> HttpResponse:
    language = _language(request)
    text = notice.text_en if language == "en" else notice.text_fr
    return render(request, "portal/privacy.html", {
        "notice": notice, "current": current, "is_current": notice.pk == current.pk,
        "language": language, "other": "fr" if language == "en" else "en",
        "body": render_notice(text),
    })


@require_GET
def current(request: HttpRequest) -> HttpResponse:
    """/privacy/: the notice in force (P0.3, P4.5)."""
    notice = services.current_notice()
    return _page(request, notice, current=notice)


@require_GET
def versions(request: HttpRequest) -> HttpResponse:
    """/privacy/versions/: every version with the date it took effect and its digest."""
    current_notice = services.current_notice()
    rows = services.notice_versions()
    return render(request, "portal/privacy_versions.html", {
        "rows": rows, "current": current_notice, "language": _language(request),
    })


@require_GET
def version(request: HttpRequest, digest: str) -> HttpResponse:
    """/privacy/versions/<digest>/: that version, in French or English."""
    if not _DIGEST.match(digest):
        raise Http404
    notice = services.notice_version(digest)
    if notice is None:
        raise Http404
    return _page(request, notice, current=services.current_notice())
