"""Fixtures of the browser suite's flows: one real stack and one Chromium for the session,
a fresh browser context (a ``Person``) for each test, at each of the two viewports."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, Playwright

from tests.e2e.flows.common import EVENTS, Events
from tests.e2e.flows.harness import VIEWPORTS, Mailbox, Person, axe_source
from tests.e2e.flows.stack import running_stack, shell
from tests.e2e.test_browser import CHROMIUM_FLAGS, Stack, debian_chromium


@pytest.fixture(scope="package")
def flows_chromium() -> str:
    return debian_chromium()


@pytest.fixture(scope="package")
def axe(flows_chromium: str) -> str:
    return axe_source()


@pytest.fixture(scope="package")
def site(axe: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The real product, started once for every flow."""
    with running_stack(tmp_path_factory.mktemp("var"),
                       tmp_path_factory.mktemp("screenshots")) as made:
        yield made


@pytest.fixture(scope="package")
def events(site: Stack) -> Events:
    """Events of the demo client for the participant and account flows (common.EVENTS)."""
    return Events(site.base, shell(site, EVENTS))


@pytest.fixture(scope="package")
def mailbox(site: Stack) -> Mailbox:
    return Mailbox(site.var / "mail")


@pytest.fixture(scope="package")
def chromium(flows_chromium: str, playwright_driver: Playwright) -> Iterator[Browser]:
    launched = playwright_driver.chromium.launch(executable_path=flows_chromium,
                                                 args=CHROMIUM_FLAGS)
    try:
        yield launched
    finally:
        launched.close()


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request: pytest.FixtureRequest) -> str:
    """Each flow runs at a desktop width (1280) and at a phone width (390)."""
    return str(request.param)


@pytest.fixture
def people(site: Stack, chromium: Browser, viewport: str, mailbox: Mailbox,
           axe: str) -> Iterator[Callable[[], Person]]:
    """Make as many people (browser contexts) as the test needs, at the test's viewport;
    each one's checks run at the end."""
    made: list[Person] = []

    def make() -> Person:
        person = Person(site, chromium, viewport, mailbox, axe)
        made.append(person)
        return person

    yield make
    problems = [problem for person in made for problem in person.finish()]
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


@pytest.fixture
def person(people: Callable[[], Person]) -> Person:
    return people()
