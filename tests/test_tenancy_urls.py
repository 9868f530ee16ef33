"""Every URL of the project against every kind of visitor (issue 2 §2; P6.1, P3.4).

The resolver tree is walked and each named URL must have an entry in
``tests/tenancy_inventory.py`` saying who may reach it; a new URL without an entry fails
here. Then, URL by URL: a member of client A gets 404 on client B's objects and reads
none of B's data, while the same URL on A's own objects works (so the 404 is about
tenancy, not a broken URL); roles bound what a member may do inside its own client; an
API token of A sees and changes only A; an anonymous visitor reaches only public pages;
members do not enter the console and operator staff do not enter the Manager.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.test import Client as Browser
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from livesession.accounts.models import User
from livesession.api.models import ApiToken
from livesession.api.services import revoke_token
from livesession.core.models import Client, Membership, Role
from livesession.events.models import Event, EventStatus
from livesession.registrations.models import Registration
from tests.tenancy_inventory import (
    API_PUBLIC,
    API_TOKEN,
    CAPABILITIES,
    INVENTORY,
    KINDS,
    MANAGE_EVENTS,
    MANAGE_MEMBERS,
    MANAGE_SECURITY,
    MANAGE_TOKENS,
    MEMBER,
    OPERATOR,
    OPERATOR_API,
    OPERATOR_GRANT,
    PUBLIC,
    VIEW,
    Side,
    build_side,
)

# Every method is tried: one a URL does not list must not reach another client's object.
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
DONE = {200, 201, 202, 204, 302}

# What each role may do inside its own client, written here on purpose rather than read
# from the code: widening a role must be a decision that changes this test (P3.4).
ROLE_MAY = {
    Role.OWNER: {VIEW, MANAGE_EVENTS, MANAGE_TOKENS, MANAGE_MEMBERS, MANAGE_SECURITY},
    Role.ADMIN: {VIEW, MANAGE_EVENTS, MANAGE_TOKENS, MANAGE_MEMBERS},
    Role.ORGANIZER: {VIEW, MANAGE_EVENTS},
    Role.VIEWER: {VIEW},
}


# --- The resolver tree -------------------------------------------------------------------

def walk(patterns: Sequence[Any] | None = None, namespace: str = "",
         prefix: str = "") -> Iterator[tuple[str | None, str]]:
    """(namespace:name or None, route) for every URL pattern under ROOT_URLCONF."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from walk(pattern.url_patterns, inner, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}{pattern.name}" if pattern.name else None
            yield name, prefix + str(pattern.pattern)
        else:  # pragma: no cover - Django only has these two
            raise TypeError(f"unexpected entry in the URL tree: {pattern!r}")


PATTERNS = list(walk())
NAMES = sorted({name for name, _ in PATTERNS if name})


def names_of(*kinds: str) -> list[str]:
    return sorted(name for name, route in INVENTORY.items() if route.kinds & set(kinds))


@pytest.mark.no_db
def test_the_walk_finds_the_whole_tree() -> None:
    """The walk reaches into every include (a walk that found nothing would prove nothing)."""
    prefixes = {route.split("/")[0] for _, route in PATTERNS}
    assert {"healthz", "accounts", "manager", "console", "api", ""} <= prefixes
    assert "api:event-registrations" in NAMES and "portal:home" in NAMES


@pytest.mark.no_db
def test_every_url_pattern_has_a_name() -> None:
    """Only a named URL can be inventoried and reversed by this test (P6.1)."""
    unnamed = [route for name, route in PATTERNS if name is None]
    assert not unnamed, f"URL patterns without a name: {unnamed}"


@pytest.mark.no_db
def test_no_two_url_patterns_share_a_name() -> None:
    """A second pattern under the same name could not be reversed, so it would go untested."""
    seen: dict[str, list[str]] = {}
    for name, route in PATTERNS:
        if name:
            seen.setdefault(name, []).append(route)
    assert not {n: r for n, r in seen.items() if len(r) > 1}


@pytest.mark.no_db
@pytest.mark.parametrize("name", NAMES)
def test_every_url_has_an_inventory_entry(name: str) -> None:
    """A new URL without an entry fails here: decide who may reach it first (P6.1, P3.4)."""
    assert name in INVENTORY, (
        f"URL {name!r} has no entry in tests/tenancy_inventory.py: say its kind "
        "(public, member, operator, api-token, api-public) and how to point it at a client"
    )


@pytest.mark.no_db
@pytest.mark.parametrize("name", sorted(INVENTORY))
def test_every_inventory_entry_is_a_live_url(name: str) -> None:
    """An entry for a URL that is gone would test nothing: remove it."""
    assert name in NAMES, f"the inventory names {name!r}, which no URL pattern has"


@pytest.mark.no_db
@pytest.mark.parametrize("name", sorted(INVENTORY))
def test_inventory_entry_is_well_formed(name: str) -> None:
    route = INVENTORY[name]
    assert route.methods and set(route.methods) <= set(METHODS), name
    assert route.kinds <= KINDS, f"{name}: unknown kind in {set(route.kinds)}"
    if MEMBER in route.kinds:
        assert route.kinds == {MEMBER} and route.capability in CAPABILITIES, name
    else:
        assert not route.capability, f"{name}: only member URLs carry a capability"


# --- Setup and helpers -------------------------------------------------------------------

@dataclass(frozen=True)
class World:
    a: Side
    b: Side


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Iterator[None]:
    """Registration and sign-in throttles count in the cache; this test makes many calls."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(client_a: Client, client_b: Client) -> World:
    return World(a=build_side(client_a, "alphaco"), b=build_side(client_b, "betaco"))


def send(browser: Browser, name: str, method: str, kwargs: dict[str, Any], *,
         token: str | None = None) -> HttpResponse:
    url = reverse(name, kwargs=kwargs)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    body = INVENTORY[name].body if method in {"POST", "PUT", "PATCH"} else {}
    if method == "GET":
        return browser.get(url, **headers)
    if name.startswith("api:"):
        return browser.generic(method, url, json.dumps(body),
                               content_type="application/json", **headers)
    return browser.generic(method, url, urlencode(body),
                           content_type="application/x-www-form-urlencoded", **headers)


def text_of(response: HttpResponse) -> str:
    return response.content.decode(errors="replace") + response.get("Location", "")


def leaked(response: HttpResponse, markers: Sequence[str]) -> list[str]:
    body = text_of(response)
    return [marker for marker in markers if marker in body]


def state(side: Side) -> tuple[Any, ...]:
    """Everything of a client a write could change, and the number of clients."""
    client = side.client
    return (
        tuple(Client.objects.filter(pk=client.pk).values_list("name", "slug", "is_active")),
        sorted(Event.objects.filter(client=client).values_list(
            "id", "title", "description", "status", "room_url", "starts_at", "ends_at")),
        sorted(ApiToken.objects.filter(client=client).values_list("id", "name", "revoked_at")),
        sorted(Registration.objects.filter(client=client).values_list("id", "status")),
        sorted(Membership.objects.filter(client=client).values_list("user_id", "role")),
        Client.objects.count(),
    )


def expect_closed(name: str, method: str, response: HttpResponse, markers: Sequence[str],
                  problems: list[str]) -> None:
    """A listed method answers 404 on another client's object; an unlisted one 404 or 405.
    Never 403 (it would confirm the object exists), never the data."""
    allowed = {404} if method in INVENTORY[name].methods else {404, 405}
    if response.status_code not in allowed:
        problems.append(f"{method} {name}: {response.status_code}, expected {sorted(allowed)}")
    if found := leaked(response, markers):
        problems.append(f"{method} {name}: the answer shows {found}")


def member_of_a(request: pytest.FixtureRequest, role: str, owner_a: User) -> User:
    if role == Role.OWNER:
        return owner_a
    make_member = request.getfixturevalue("make_member")
    return make_member(request.getfixturevalue("client_a"), role, f"{role}@alpha.test")


# --- Members of client A against client B ---------------------------------------------

@pytest.mark.parametrize("role", [Role.OWNER, Role.VIEWER])
@pytest.mark.parametrize("name", names_of(MEMBER))
def test_member_of_a_gets_404_on_client_b(name: str, role: str, world: World, owner_a: User,
                                          request: pytest.FixtureRequest) -> None:
    """P6.1: B's slug, or A's slug with B's object ids, answer 404 to every method, the
    answer carries none of B's data, and nothing of B changes."""
    route = INVENTORY[name]
    browser = Browser()
    browser.force_login(member_of_a(request, role, owner_a))
    before = state(world.b)
    foreign = route.kwargs(world.b)
    problems: list[str] = []
    if foreign == route.kwargs(world.a):
        # Not scoped to a client (the Manager's home): it must still show nothing of B.
        for method in METHODS:
            response = send(browser, name, method, foreign)
            if found := leaked(response, world.b.markers):
                problems.append(f"{method} {name}: the answer shows {found}")
    else:
        variants = [foreign]
        if len(foreign) > 1:  # the classic slip: own slug, another client's object id
            variants.append({**foreign, "client_slug": world.a.slug})
        for kwargs in variants:
            for method in METHODS:
                expect_closed(name, method, send(browser, name, method, kwargs),
                              world.b.markers, problems)
    assert not problems, problems
    assert state(world.b) == before, f"{name} changed client B's data"


@pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN, Role.ORGANIZER, Role.VIEWER])
@pytest.mark.parametrize("name", names_of(MEMBER))
def test_member_inside_own_client(name: str, role: str, world: World, owner_a: User,
                                  request: pytest.FixtureRequest) -> None:
    """P3.4: on A's own objects the same URL works (200/302, so the 404 above is about
    tenancy); a role that lacks the capability gets 403 and changes nothing."""
    route = INVENTORY[name]
    browser = Browser()
    browser.force_login(member_of_a(request, role, owner_a))
    may = route.capability in ROLE_MAY[role]
    before = state(world.a)
    problems: list[str] = []
    for method in METHODS:
        response = send(browser, name, method, route.kwargs(world.a))
        # A method the URL does not list may be refused, never a 404 on one's own object.
        unlisted = {200, 302, 403, 405}
        expected = unlisted if method not in route.methods else DONE if may else {403}
        if response.status_code not in expected:
            problems.append(f"{method} {name} as {role}: {response.status_code}, "
                            f"expected {sorted(expected)}")
        if found := leaked(response, world.b.markers):
            problems.append(f"{method} {name} as {role}: the answer shows {found}")
    assert not problems, problems
    if not may:
        assert state(world.a) == before, f"a {role} changed client A's data through {name}"


def test_viewer_lists_but_cannot_create_or_publish(world: World, make_member: Any,
                                                   client_a: Client) -> None:
    """P3.4, spelled out: a viewer reads the list, and is refused creation and publication."""
    browser = Browser()
    browser.force_login(make_member(client_a, Role.VIEWER, "viewer@alpha.test"))
    listing = browser.get(reverse("manager:events", kwargs={"client_slug": "alpha"}))
    assert listing.status_code == 200 and world.a.event.title in listing.content.decode()
    assert world.b.event.title not in listing.content.decode()
    created = browser.post(reverse("manager:event-create", kwargs={"client_slug": "alpha"}),
                           INVENTORY["manager:event-create"].body)
    assert created.status_code == 403
    published = browser.post(reverse("manager:event-publish", kwargs={
        "client_slug": "alpha", "event_id": world.a.draft.pk}))
    assert published.status_code == 403
    assert Event.objects.filter(client=client_a).count() == 2
    assert Event.objects.get(pk=world.a.draft.pk).status == EventStatus.DRAFT


def test_markers_are_visible_to_their_own_client(world: World, owner_b: User) -> None:
    """The leak checks can fail: B's own owner and token do see every marker looked for."""
    browser = Browser()
    browser.force_login(owner_b)
    pages = "".join(text_of(browser.get(reverse(name, kwargs=kwargs))) for name, kwargs in [
        ("manager:events", {"client_slug": "beta"}),
        ("manager:event", {"client_slug": "beta", "event_id": world.b.event.pk}),
        ("manager:event-edit", {"client_slug": "beta", "event_id": world.b.event.pk}),
        ("manager:event-edit", {"client_slug": "beta", "event_id": world.b.draft.pk}),
        ("manager:tokens", {"client_slug": "beta"}),
    ])
    api = Browser(HTTP_AUTHORIZATION=f"Bearer {world.b.secret}")
    pages += text_of(api.get(reverse("api:event-registrations",
                                     kwargs={"event_id": world.b.event.pk})))
    # The raw secret is shown once, at creation; the prefix is what lists show.
    assert [m for m in world.b.markers if m not in pages] == [world.b.secret]


# --- API tokens ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", names_of(API_TOKEN))
def test_token_of_a_gets_404_on_client_b(name: str, world: World) -> None:
    """P6.1: with A's token, B's objects answer 404 to every method, show nothing, and
    nothing of B changes. The public registration POST is not tenant-bound: skipped."""
    route = INVENTORY[name]
    browser = Browser()
    before = state(world.b)
    foreign = route.kwargs(world.b)
    scoped = foreign != route.kwargs(world.a)
    problems: list[str] = []
    for method in METHODS:
        if route.methods.get(method) == API_PUBLIC:
            continue
        response = send(browser, name, method, foreign, token=world.a.secret)
        if scoped:
            expect_closed(name, method, response, world.b.markers, problems)
        elif found := leaked(response, world.b.markers):
            problems.append(f"{method} {name}: the answer shows {found}")
    assert not problems, problems
    assert state(world.b) == before, f"{name} changed client B's data"


@pytest.mark.parametrize("name", names_of(API_TOKEN))
def test_token_of_a_works_on_its_own_client(name: str, world: World) -> None:
    """The same URLs on A's objects answer 2xx: the 404 above is about tenancy."""
    route = INVENTORY[name]
    browser = Browser()
    for method in route.methods:
        response = send(browser, name, method, route.kwargs(world.a), token=world.a.secret)
        assert response.status_code in DONE, (method, name, response.status_code,
                                              response.content[:500])
        assert not leaked(response, world.b.markers)


@pytest.mark.parametrize("name", names_of(API_TOKEN))
def test_api_without_a_valid_token_is_refused(name: str, world: World, owner_a: User) -> None:
    """No token, a made-up token, a revoked token, or only a Manager session: 401/403."""
    route = INVENTORY[name]
    revoke_token(ApiToken.objects.get(pk=world.a.token_id), actor="test")
    signed_in = Browser()
    signed_in.force_login(owner_a)
    before = (state(world.a), state(world.b))
    for method, kind in route.methods.items():
        if kind != API_TOKEN:
            continue
        for browser, token in [(Browser(), None), (Browser(), "lsk_made-up"),
                               (Browser(), world.a.secret), (signed_in, None)]:
            for side in (world.a, world.b):
                response = send(browser, name, method, route.kwargs(side), token=token)
                assert response.status_code in {401, 403}, (method, name, token,
                                                             response.status_code)
                assert not leaked(response, world.a.markers + world.b.markers)
    assert (state(world.a), state(world.b)) == before


def test_event_list_of_a_token_never_shows_client_b(world: World) -> None:
    api = Browser(HTTP_AUTHORIZATION=f"Bearer {world.a.secret}")
    response = api.get(reverse("api:events"))
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()}
    assert ids == {str(world.a.event.pk), str(world.a.draft.pk)}
    assert not leaked(response, world.b.markers)


def test_event_created_with_a_token_belongs_to_its_client(world: World) -> None:
    """The client comes from the token, never from the body (P6.1)."""
    api = Browser(HTTP_AUTHORIZATION=f"Bearer {world.a.secret}")
    before = state(world.b)
    body = {**INVENTORY["api:events"].body, "client": world.b.client.pk,
            "client_id": world.b.client.pk}
    response = api.post(reverse("api:events"), body, content_type="application/json")
    assert response.status_code == 201, response.content
    assert Event.objects.get(pk=response.json()["id"]).client_id == world.a.client.pk
    assert state(world.b) == before


# --- Anonymous visitors --------------------------------------------------------------------

@pytest.mark.parametrize("name", names_of(MEMBER, OPERATOR, OPERATOR_GRANT, API_TOKEN,
                                          OPERATOR_API))
def test_anonymous_reaches_no_private_url(name: str, world: World) -> None:
    """Manager and console send to the sign-in page; the API answers 401; no data, no
    change, whichever client the URL points at."""
    route = INVENTORY[name]
    login = reverse("accounts:login")
    before = (state(world.a), state(world.b))
    problems: list[str] = []
    for side in (world.a, world.b):
        for method in METHODS:
            if route.methods.get(method) in {PUBLIC, API_PUBLIC}:
                continue
            response = send(Browser(), name, method, route.kwargs(side))
            status, kind = response.status_code, route.methods.get(method)
            to_login = status == 302 and response["Location"].startswith(login + "?")
            if kind in {MEMBER, OPERATOR, OPERATOR_GRANT}:
                ok = to_login
            elif kind == API_TOKEN:
                ok = status == 401
            elif kind == OPERATOR_API:
                ok = status in {401, 403}
            else:
                ok = to_login or status in {401, 403, 404, 405}
            if not ok:
                problems.append(f"{method} {name} ({side.slug}): {status}")
            if found := leaked(response, world.a.markers + world.b.markers):
                problems.append(f"{method} {name}: the answer shows {found}")
    assert not problems, problems
    assert (state(world.a), state(world.b)) == before


@pytest.mark.parametrize("name", names_of(PUBLIC, API_PUBLIC))
def test_anonymous_reaches_public_urls(name: str, world: World) -> None:
    """Public URLs answer an anonymous visitor without error, on any method."""
    route = INVENTORY[name]
    for method in METHODS:
        response = send(Browser(), name, method, route.kwargs(world.b))
        if route.methods.get(method) in {PUBLIC, API_PUBLIC} and name != "accounts:login":
            assert response.status_code < 400, (method, name, response.status_code)
        assert response.status_code < 500, (method, name, response.status_code)


def test_draft_of_client_b_is_not_public(world: World) -> None:
    """A draft is nobody's public page: 404 on the page, the confirmation and the API."""
    kwargs = {"event_id": world.b.draft.pk}
    visitor = Browser()
    answers = [
        visitor.get(reverse("portal:event", kwargs=kwargs)),
        visitor.post(reverse("portal:event", kwargs=kwargs), INVENTORY["portal:event"].body),
        visitor.get(reverse("portal:registered", kwargs=kwargs)),
        visitor.post(reverse("api:event-registrations", kwargs=kwargs),
                     INVENTORY["api:event-registrations"].body,
                     content_type="application/json"),
    ]
    assert [r.status_code for r in answers] == [404, 404, 404, 404]
    assert not any(leaked(r, world.b.markers) for r in answers)
    assert not Registration.objects.filter(event=world.b.draft).exists()


# --- Operator and Manager stay apart ---------------------------------------------------

@pytest.mark.parametrize("name", names_of(OPERATOR, OPERATOR_GRANT, OPERATOR_API))
def test_client_member_gets_404_in_the_console(name: str, world: World, owner_a: User) -> None:
    """P3.4: the console does not exist for a client's member (404, not 403)."""
    browser = Browser()
    browser.force_login(owner_a)
    before = (state(world.a), state(world.b))
    for method in METHODS:
        response = send(browser, name, method, INVENTORY[name].kwargs(world.b))
        assert response.status_code == 404, (method, name, response.status_code)
        assert not leaked(response, world.b.markers)
    assert (state(world.a), state(world.b)) == before


@pytest.mark.parametrize("name", names_of(OPERATOR, OPERATOR_API))
def test_operator_console_shows_no_client_data(name: str, world: World,
                                               operator: User) -> None:
    """P3.4: staff reach the console, which shows no client's events, people or tokens."""
    browser = Browser()
    browser.force_login(operator)
    for method, _kind in INVENTORY[name].methods.items():
        if method != "GET":
            continue
        response = send(browser, name, method, INVENTORY[name].kwargs(world.b))
        assert response.status_code == 200, (name, response.status_code)
        assert not leaked(response, world.a.client_data + world.b.client_data)


@pytest.mark.parametrize("name", names_of(OPERATOR_GRANT))
def test_operator_without_an_open_grant_gets_403_and_no_client_data(
        name: str, world: World, operator: User) -> None:
    """P3.4 (issue 6 §6): a client's data in the console needs an open staff access grant
    of one's own; another staff member's grant opens nothing (403, nothing shown)."""
    browser = Browser()
    browser.force_login(operator)
    before = (state(world.a), state(world.b))
    for method in INVENTORY[name].methods:
        response = send(browser, name, method, INVENTORY[name].kwargs(world.b))
        assert response.status_code == 403, (method, name, response.status_code)
        assert not leaked(response, world.a.client_data + world.b.client_data)
    assert (state(world.a), state(world.b)) == before


@pytest.mark.parametrize("name", names_of(MEMBER))
def test_operator_gets_404_in_the_manager(name: str, world: World, operator: User) -> None:
    """P3.4: staff are members of no client; every Manager URL of any client is a 404
    (the Manager's home sends them to the console)."""
    route = INVENTORY[name]
    browser = Browser()
    browser.force_login(operator)
    before = (state(world.a), state(world.b))
    problems: list[str] = []
    for side in (world.a, world.b):
        kwargs = route.kwargs(side)
        for method in METHODS:
            response = send(browser, name, method, kwargs)
            if not kwargs:
                if response.status_code != 302 or response["Location"] != reverse(
                        "console:home"):
                    problems.append(f"{method} {name}: {response.status_code}")
            else:
                expect_closed(name, method, response, side.markers, problems)
    assert not problems, problems
    assert (state(world.a), state(world.b)) == before
