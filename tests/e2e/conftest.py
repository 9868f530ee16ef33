"""One Playwright driver for the whole browser run.

Playwright's sync API runs its own event loop: a second ``sync_playwright()`` started while
another is open fails ("using Playwright Sync API inside the asyncio loop"). The flows keep a
browser for the whole session and the older browser tests one per module, so both launch
their browsers from this one driver. It ends with the folder's tests, before any other
test starts a driver of its own (or reads the database in a thread whose loop it ran).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Playwright, sync_playwright


@pytest.fixture(scope="package")
def playwright_driver() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver
