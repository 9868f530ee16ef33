"""Pages of a long list, 50 rows a page, with the page links kept in the list's filters.

``page_of(request, rows)`` returns Django's ``Page`` (an out-of-range or malformed
``?page=`` gives the last or the first page, never an error) and the context the shared
navigation needs (``templates/includes/pager.html``: a ``nav`` named for screen readers,
the current page marked ``aria-current``, previous and next links, long ranges elided).
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

PER_PAGE = 50


def page_of(request: HttpRequest, rows: Any, per_page: int = PER_PAGE) -> dict[str, Any]:
    page: Page[Any] = Paginator(rows, per_page).get_page(request.GET.get("page"))
    kept = request.GET.copy()
    kept.pop("page", None)
    keep = kept.urlencode()
    return {
        "page": page,
        "page_range": list(page.paginator.get_elided_page_range(page.number, on_each_side=2,
                                                                on_ends=1)),
        "page_keep": f"{keep}&" if keep else "",
        "page_ellipsis": Paginator.ELLIPSIS,
    }
