"""What a participant sees, in a real browser: radio buttons and checkboxes sit before their
label at a desktop and a phone width; the privacy notice reads in ink, not in the error
colour; a personal link weeks before the event counts in days; every date of an event is
shown in the event's zone with the visitor's own zone beside it. Same real stack as
``test_browser.py`` (``livesession`` CLI processes, Debian's Chromium through Playwright)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.test_browser import (  # noqa: F401 - fixtures used by name
    MIN_FILL_SECONDS,
    TIMEOUT_MS,
    Stack,
    _fits_the_screen,
    _mail_to,
    _sign_in,
    browser,
    chromium_path,
    stack,
)

pytestmark = [pytest.mark.slow, pytest.mark.no_db]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
# A form with a question of each kind that draws boxes, through the product's own services,
# for an event whose room opens 37 days, 3 hours and 13 minutes from now (plus a margin of
# seconds for the time the test takes to get there).
FAR_EVENT = """
import datetime as dt
from livesession.core.clock import now
from livesession.core.models import Client
from livesession.events.services import create_event, publish_event
from livesession.privacy.services import ensure_builtin_purposes
from livesession.registrations.fields_services import add_custom_field
from livesession.registrations.sessions import add_session
client = Client.objects.get(slug="demo")
ensure_builtin_purposes(client)
starts = now() + dt.timedelta(days=37, hours=3, minutes=13 + 15, seconds=50)
event = create_event(client, actor="test", title="Atelier lointain", description="Loin.",
                     starts_at=starts, ends_at=starts + dt.timedelta(hours=2),
                     time_zone="Europe/Paris", room_url="https://example.org/salle/loin",
                     opens_minutes_before=15)
def ask(key, kind, fr, en, options=()):
    add_custom_field(event, {"key": key, "kind": kind, "label_fr": fr, "label_en": en,
                             "purpose": "Préparer l'atelier", "options": list(options)},
                     actor="test")
ask("format", "single_choice", "Format préféré", "Preferred format",
    [{"value": "salle", "label_fr": "En salle", "label_en": "In a room"},
     {"value": "ligne", "label_fr": "En ligne", "label_en": "Online"}])
ask("themes", "multiple_choice", "Thèmes", "Topics",
    [{"value": "a", "label_fr": "Accessibilité", "label_en": "Accessibility"},
     {"value": "b", "label_fr": "Budget", "label_en": "Budget"},
     {"value": "c", "label_fr": "Calendrier", "label_en": "Calendar"}])
ask("rappel", "checkbox", "J'accepte d'être rappelé", "I agree to be called back")
add_session(event, actor="test", title="Première partie", starts_at=starts,
            ends_at=starts + dt.timedelta(hours=1), capacity=None, room_url="")
publish_event(event, actor="test")
print("EVENT=/e/%s/" % event.pk)
"""
ERROR_COLOUR = "rgb(164, 22, 26)"  # --bad in site.css
VISITOR = "camille.far+e2e@example.org"


@pytest.fixture(scope="module")
def far_event(stack: Stack) -> str:  # noqa: F811
    found = re.search(r"EVENT=(\S+)", stack.run("manage", "shell", "-c", FAR_EVENT))
    assert found
    return stack.base + found.group(1)


@contextmanager
def _page(browser: Browser, viewport: dict[str, int], zone: str = "America/New_York",  # noqa: F811
          **extra: Any) -> Iterator[Page]:
    context = browser.new_context(viewport=viewport, locale="fr-FR", timezone_id=zone,
                                  **extra)
    context.set_default_timeout(TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture(params=[DESKTOP, PHONE], ids=["desktop", "phone"])
def page(request: pytest.FixtureRequest, browser: Browser) -> Iterator[Page]:  # noqa: F811
    with _page(browser, request.param) as made:
        yield made


# What the person sees of each box: its size, and where the words of its label are.
BOXES = """(scope = '#registration-form') => [...document.querySelectorAll(
    `${scope} input[type=radio], ${scope} input[type=checkbox]`)]
  .filter(el => el.offsetParent !== null)
  .map(el => {
    const box = el.getBoundingClientRect();
    const label = el.closest('label');
    let words = null;
    if (label) {
      const range = document.createRange();
      range.selectNodeContents(label);
      range.setStartAfter(el);
      const rects = [...range.getClientRects()].filter(r => r.width > 0);
      if (rects.length) words = {left: rects[0].left, top: rects[0].top,
                                 bottom: rects[0].bottom, right: rects[0].right};
    }
    return {id: el.id, type: el.type, text: label ? label.textContent.trim() : '',
            box: {left: box.left, right: box.right, top: box.top, bottom: box.bottom,
                  width: box.width, height: box.height},
            label: label ? label.getBoundingClientRect().height : 0, words};
  })"""


def _boxes_sit_before_their_words(boxes: list[dict[str, Any]]) -> None:
    for b in boxes:
        box, words = b["box"], b["words"]
        assert box["width"] <= 32 and box["height"] <= 32, b
        assert words is not None, f"#{b['id']} is not inside a label with words: {b}"
        # Right after the box, on the same line as it.
        assert 0 <= words["left"] - box["right"] <= 20, b
        assert words["top"] < box["bottom"] and words["bottom"] > box["top"], b
        assert b["label"] >= 40, f"#{b['id']}: a touch target under 44 px: {b}"


def test_boxes_sit_before_their_labels_and_the_label_ticks_them(
        stack: Stack, far_event: str, page: Page) -> None:  # noqa: F811
    page.goto(far_event)
    _fits_the_screen(page)
    boxes = page.evaluate(BOXES, "#registration-form")
    kinds = {b["type"] for b in boxes}
    assert kinds == {"radio", "checkbox"}, boxes
    assert len([b for b in boxes if b["type"] == "radio"]) == 2
    assert len(boxes) >= 2 + 3 + 1 + 2  # radios, multiple choice, checkbox, two consents
    _boxes_sit_before_their_words(boxes)

    # A tap on the words ticks the box, as a person expects.
    for b in boxes:
        if b["type"] == "radio" and not b["text"].startswith("En ligne"):
            continue
        target = page.locator(f"[id='{b['id']}']")
        expect(target).not_to_be_checked()
        target.scroll_into_view_if_needed()
        words = next(seen["words"] for seen in page.evaluate(BOXES, "#registration-form")
                     if seen["id"] == b["id"])
        page.mouse.click((words["left"] + words["right"]) / 2,
                         (words["top"] + words["bottom"]) / 2)
        expect(target).to_be_checked()
    width = page.viewport_size["width"] if page.viewport_size else 0
    page.screenshot(path=stack.shots / f"registration-boxes-{width}.png", full_page=True)


def test_manager_and_cookie_boxes_sit_before_their_labels(
        stack: Stack, far_event: str, page: Page) -> None:  # noqa: F811
    """The event's settings (checkboxes), its room (the provider's radio buttons), the
    cookie choices: the same rule as the public form."""
    _sign_in(page, stack, "owner")
    manager = far_event.replace("/e/", "/manager/demo/events/")
    for path, kinds in ((f"{manager}edit/", {"checkbox"}), (f"{manager}room/", {"radio"}),
                        (f"{stack.base}/cookies/", {"checkbox"})):
        page.goto(path)
        _fits_the_screen(page)
        boxes = page.evaluate(BOXES, "#main form")
        assert {b["type"] for b in boxes} == kinds, (path, boxes)
        _boxes_sit_before_their_words(boxes)


def test_a_focused_box_shows_a_ring(far_event: str, browser: Browser) -> None:  # noqa: F811
    with _page(browser, PHONE) as page:
        page.goto(far_event)
        radio = page.locator("input[type=radio]").first
        radio.focus()
        page.keyboard.press("ArrowDown")  # into the group with the keyboard
        focused = page.evaluate("""() => { const el = document.activeElement;
            const s = getComputedStyle(el); return [el.type, s.outlineStyle, s.outlineWidth]; }""")
        assert focused[0] == "radio" and focused[1] != "none" and focused[2] != "0px", focused


def test_the_privacy_notice_reads_in_ink(stack: Stack, browser: Browser) -> None:  # noqa: F811
    with _page(browser, PHONE) as page:
        page.goto(f"{stack.base}/privacy/")
        expect(page.locator("h1")).to_be_visible()
        colours = page.evaluate("""() => [...document.querySelectorAll(
            '#main .card h2, #main .card h3, #main .card p, #main .card li, #main .card td')]
            .map(el => getComputedStyle(el).color)""")
        assert len(colours) > 20
        red = [c for c in colours if c == ERROR_COLOUR]
        assert not red, f"{len(red)} of {len(colours)} blocks of the notice are in the error colour"


def test_the_personal_link_counts_in_days_with_or_without_script(
        stack: Stack, far_event: str, browser: Browser) -> None:  # noqa: F811
    with _page(browser, PHONE) as page:
        page.goto(far_event)
        page.locator("#id_email").fill(VISITOR)
        page.locator("#id_first_name").fill("Camille")
        page.locator("#id_last_name").fill("Lointain")
        page.get_by_text("En salle").click()
        page.wait_for_timeout(MIN_FILL_SECONDS * 1000 + 200)
        with page.expect_navigation():
            page.locator("#registration-form button[type=submit]").click()
        assert page.url.endswith("/registered/"), page.locator("[role=alert]").all_inner_texts()
        # The confirmation page says when, in the event's zone and the visitor's.
        expect(page.locator("#main")).to_contain_text("Europe/Paris")
        expect(page.locator("#main")).to_contain_text("America/New_York")
    mail = _mail_to(stack, VISITOR)
    body = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    link = re.search(re.escape(stack.base) + r"/j/[A-Za-z0-9_-]+/", body)
    assert link
    said = {}
    for script in (True, False):
        with _page(browser, PHONE, java_script_enabled=script) as page:
            page.goto(link.group(0))
            countdown = page.locator("#countdown")
            expect(countdown).to_be_visible()
            said[script] = countdown.inner_text().strip()
            assert re.fullmatch(r"37 jours 3 h 1[23] min", said[script]), said
            _fits_the_screen(page)
    assert said[True] == said[False]


def test_the_event_page_shows_every_date_in_both_zones(far_event: str,
                                                       browser: Browser) -> None:  # noqa: F811
    with _page(browser, DESKTOP) as page:
        page.goto(far_event)
        for where in ("#start", "#end", "#sessions li"):
            shown = page.locator(where).first.inner_text()
            assert "Europe/Paris" in shown and "America/New_York" in shown, (where, shown)
            hours = re.findall(r"\b(\d{1,2}):\d\d\b", shown)
            assert len(hours) == 2 and hours[0] != hours[1], (where, shown)  # 6 h apart
    # A visitor in the event's own zone reads it once.
    with _page(browser, DESKTOP, zone="Europe/Paris") as page:
        page.goto(far_event)
        for where in ("#start", "#end", "#sessions li"):
            shown = page.locator(where).first.inner_text()
            assert shown.count("Europe/Paris") == 1 and "America" not in shown, (where, shown)
