"""The cookie and tracker inventory (issue 7 §1; P7.1, P7.2): one declaration per cookie or
tracker the platform's pages may place on a device, with its emitter, purpose, lifetime,
whether it is functional (exempt from consent, ePrivacy art. 5(3)) and why it is needed.

The cookie settings page, the banner, the privacy notice (``privacy.services``) and the
register of processing (``registers.build``) all read this module, and
``tests/cookies/test_inventory.py`` walks the main pages and fails on any Set-Cookie that is
not declared here or that lives longer than declared. ``inventory_hash`` is a stable
digest of the declarations (language-independent: keys, names, emitters, purposes, paths,
lifetimes, functional or not): when it changes, every stored choice is stale and the banner
asks again (CNIL 2020-092, C-05).

The third-party room player: a room of kind "embed" shows the organizer's stream inside our
page. When that stream comes from another site, its iframe is a tracker of that site: it is
loaded only after the visitor allowed it (a click-to-load placeholder stands in its place,
``templates/cookies/player.html``). Replays and the other room kinds are redirects to the
organizer's service: nothing of theirs is loaded inside our pages.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

DAY = 24 * 3600
# No cookie lives longer than 13 months (P7.2, CNIL 2020-092 art. 5): 395 days.
MAX_LIFETIME = 395 * DAY
# A choice is asked again after 6 months (CNIL good practice, C-05).
CONSENT_LIFETIME = 183 * DAY

CONSENT_COOKIE = "ls_consent"
AUDIENCE_COOKIE = "ls_aud"

# Keys of the non-functional trackers, as stored in a choice.
AUDIENCE = "audience"
ROOM_PLAYER = "room_player"

# Emitters: who places the tracker.
OPERATOR = "operator"
THIRD_PARTY_PLAYER = "third_party_player"

# Purposes (P7.1: identify the participant, administer the personal space, improve content,
# measure audience), the functional ones first.
PURPOSES: dict[str, Promise] = {
    "identification": _("Identify you on the platform and keep your personal space signed in"),
    "security": _("Protect the forms you send"),
    "preferences": _("Remember your language and your cookie choice"),
    "audience": _("Measure the audience (pages viewed, most used services) to improve the "
                  "content"),
    "embedded_player": _("Show a live room hosted by the organizer's video service inside "
                         "the page"),
}


def emitter_label(key: str) -> str:
    if key == OPERATOR:
        return str(_("%(operator)s (the platform, first party)")
                   % {"operator": settings.PLATFORM_OPERATOR_NAME})
    return str(_("the organizer's video service (third party; its address is shown before "
                 "it loads)"))


@dataclass(frozen=True)
class Tracker:
    key: str
    name: str | Promise  # the cookie's name as set (for a third party: what it is)
    emitter: str
    purpose: str
    max_age: int | None  # seconds; None: until the browser closes (or unknown, third party)
    functional: bool
    why: str | Promise  # what it holds and why it is needed
    path: str = "/"
    third_party: bool = False
    used_on: tuple[str, ...] = ()  # page areas that need it (registration, space, manager)

    @property
    def purpose_label(self) -> str:
        return str(PURPOSES[self.purpose])

    @property
    def emitter_label(self) -> str:
        return emitter_label(self.emitter)

    @property
    def lifetime_label(self) -> str:
        return lifetime_label(self)

    def structure(self) -> dict[str, Any]:
        """What the hash covers: everything but the (translated) explanations."""
        name = self.name if isinstance(self.name, str) else self.key
        return {"key": self.key, "name": name, "emitter": self.emitter,
                "purpose": self.purpose, "max_age": self.max_age,
                "functional": self.functional, "path": self.path,
                "third_party": self.third_party}


def lifetime_label(tracker: Tracker) -> str:
    if tracker.third_party:
        return str(_("set by the third party under its own policy; never loaded without "
                     "your consent"))
    if tracker.max_age is None:
        return str(_("until the browser closes"))
    days = tracker.max_age // DAY
    if days >= 1:
        return ngettext("%(days)s day (not extended by later visits)",
                        "%(days)s days (not extended by later visits)", days) % {"days": days}
    minutes = max(1, tracker.max_age // 60)
    return ngettext("%(minutes)s minute", "%(minutes)s minutes", minutes) % {"minutes": minutes}


def trackers() -> list[Tracker]:
    """Every cookie and tracker, read from the settings that shape them."""
    from livesession.portal import device

    session_age = (None if settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
                   else int(settings.SESSION_COOKIE_AGE))
    csrf_age = None if settings.CSRF_USE_SESSIONS else settings.CSRF_COOKIE_AGE
    language_age = settings.LANGUAGE_COOKIE_AGE
    return [
        Tracker("session", settings.SESSION_COOKIE_NAME, OPERATOR, "identification",
                session_age, True,
                _("A random identifier of your signed-in session (account, personal space, "
                  "Manager, console); it ends after an hour of inactivity or when the "
                  "browser closes. Without it nobody could sign in."),
                used_on=("registration", "space", "manager")),
        Tracker("csrf", settings.CSRF_COOKIE_NAME, OPERATOR, "security",
                None if csrf_age is None else int(csrf_age), True,
                _("A random value that proves a form was sent from our own page, not from "
                  "another site (protection against cross-site request forgery). Every "
                  "form needs it."),
                used_on=("registration", "space", "manager")),
        Tracker("language", settings.LANGUAGE_COOKIE_NAME, OPERATOR, "preferences",
                None if language_age is None else int(language_age), True,
                _("The language you chose with the language switch (fr or en); set only "
                  "when you choose one.")),
        Tracker("messages", "messages", OPERATOR, "preferences", None, True,
                _("A one-time confirmation shown on the next page (for example \"your "
                  "choice is saved\"), deleted once shown.")),
        Tracker("device", device.COOKIE, OPERATOR, "identification", device.LIFETIME, True,
                _("On a personal access link only: a random value that tells apart the "
                  "devices using one link (one device at a time, concurrent use). Only its "
                  "hash is stored."),
                path=device.PATH),
        Tracker("consent", CONSENT_COOKIE, OPERATOR, "preferences", CONSENT_LIFETIME, True,
                _("Your cookie choice (signed): its receipt number, what you allowed, the "
                  "version of this list and the date. We ask again after 6 months or when "
                  "this list changes.")),
        Tracker(AUDIENCE, AUDIENCE_COOKIE, OPERATOR, "audience", MAX_LIFETIME, False,
                _("A random visitor number, so that pages viewed one after the other make a "
                  "navigation path. Only its hash is stored, with the page's route (never "
                  "its address), the browser and its major version, the network address cut "
                  "to its first half and the referring site. Never linked to your account "
                  "or shared with anyone.")),
        Tracker(ROOM_PLAYER, _("cookies of the organizer's video service"),
                THIRD_PARTY_PLAYER, "embedded_player", None, False,
                _("When an organizer shows its live room from another site inside our page, "
                  "that site may read and set its own cookies. The room loads only if you "
                  "allow it; otherwise a button loads it once you agree, or you can follow "
                  "the link to the organizer's service."),
                third_party=True),
    ]


def by_key() -> dict[str, Tracker]:
    return {t.key: t for t in trackers()}


def functional() -> list[Tracker]:
    return [t for t in trackers() if t.functional]


def non_functional() -> list[Tracker]:
    return [t for t in trackers() if not t.functional]


def optional_keys() -> tuple[str, ...]:
    return tuple(t.key for t in non_functional())


def first_party_names() -> dict[str, Tracker]:
    return {str(t.name): t for t in trackers() if not t.third_party}


def inventory_hash() -> str:
    """A stable digest of the declarations: any change makes every stored choice stale."""
    body = json.dumps([t.structure() for t in trackers()], sort_keys=True,
                      separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest()


def used_on(area: str) -> list[Tracker]:
    return [t for t in trackers() if area in t.used_on]


def lifetime_problems() -> list[str]:
    """Declarations breaking P7.2: a first-party cookie over 13 months, or the consent
    cookie over 6 months. The system check ``cookies.E001`` reports them at start-up."""
    problems = []
    for tracker in trackers():
        if tracker.third_party or tracker.max_age is None:
            continue
        if tracker.max_age > MAX_LIFETIME:
            problems.append(f"{tracker.name}: {tracker.max_age}s > {MAX_LIFETIME}s (13 months)")
    if CONSENT_LIFETIME > 183 * DAY:
        problems.append(f"{CONSENT_COOKIE}: the choice must be asked again after 6 months")
    return problems


def rows() -> list[dict[str, Any]]:
    """The inventory as plain rows (for the notice, the register and the API)."""
    return [{"key": t.key, "name": str(t.name), "emitter": t.emitter,
             "emitter_label": t.emitter_label, "purpose": t.purpose,
             "purpose_label": t.purpose_label, "max_age": t.max_age,
             "lifetime": t.lifetime_label, "functional": t.functional,
             "third_party": t.third_party, "path": t.path, "why": str(t.why)}
            for t in trackers()]
