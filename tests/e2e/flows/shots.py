"""Screenshots of the main pages, taken by the browser suite's own flows.

With ``SCREENSHOTS_DIR`` set (``make screenshots`` sets it to docs/screenshots), each call saves
``<name>-<width>.png`` there: the viewport only, so a long page stays a small file. Without it,
nothing is written and the flows run as tests only."""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import Locator, Page

DIRECTORY = "SCREENSHOTS_DIR"


def shot(page: Page, name: str, top: Locator | None = None) -> Path | None:
    """Save what the person sees now as ``<name>-<viewport width>.png``, when asked to;
    with ``top``, scrolled first so that this element starts the picture."""
    folder = os.environ.get(DIRECTORY)
    if not folder:
        return None
    if top is not None:
        top.evaluate("element => element.scrollIntoView({block: 'start'})")
    viewport = page.viewport_size or {"width": 0}
    path = Path(folder) / f"{name}-{viewport['width']}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    # The caret blinks and animations run: a still picture must not depend on the instant.
    # CSS pixels: a phone's picture is 390 wide, not 780 (smaller file, same look).
    page.screenshot(path=path, animations="disabled", caret="hide", scale="css")
    return path
