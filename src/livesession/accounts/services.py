"""Account writes (Zulip-style named functions): pages, CLI, console and demo call these.

One platform account per person (issue 3 point 9; P0.2: the operator is its controller):
sign-up with email verification, Argon2 passwords with strength rules, a soft lock after
repeated failures, a password reset that does not reveal whether an account exists, a
profile shared field by field with each organizer, and a "this was not me" report that
ends every session and forces a new password (P1.5). Every function writes its audit entry
(ids only, never an address) and queues its emails in its own transaction.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from importlib import import_module
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import (
    UNUSABLE_PASSWORD_PREFIX,
    check_password,
    identify_hasher,
    make_password,
)
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.backends.base import SessionBase
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from livesession.accounts import tokens
from livesession.accounts.models import (
    PROFILE_FIELDS,
    AccountLink,
    SharingChoice,
    User,
    UserSession,
)
from livesession.accounts.sessions import truncate_ip, user_agent_family
from livesession.audit.services import record
from livesession.core.clock import now
from livesession.core.models import Client
from livesession.core.ratelimit import client_ip
from livesession.incidents.models import Incident, Nature, Source
from livesession.incidents.services import open_incident
from livesession.messaging.services import queue_email
from livesession.protection.crypto import email_index, normalize_email
from livesession.protection.services import subject_for_email
from livesession.registrations.models import Registration

# Soft lock (reference AUTH-4): this many failures, each within WINDOW of the previous one,
# lock the account for LOCK; the lock then lifts by itself.
MAX_FAILURES = 5
FAILURE_WINDOW = dt.timedelta(minutes=15)
LOCK_DURATION = dt.timedelta(minutes=15)
# Mails one account may receive of each kind per hour, whoever asks (reference BIZ-3).
MAIL_PER_HOUR = 3
# Without a choice of the participant, an organizer's form is prefilled with the names
# only (every registration form asks for them); the other fields wait for a choice.
DEFAULT_SHARED = ("first_name", "last_name")
MAX_LENGTHS = {"first_name": 150, "last_name": 150, "mobile_phone": 30, "city": 120,
               "postal_code": 10, "job_function": 150}
REQUIRED = ("first_name", "last_name")
_PHONE = re.compile(r"^\+?[0-9 .()\-]{6,30}$")
_POSTAL = re.compile(r"^[0-9A-Za-z][0-9A-Za-z \-]{1,9}$")
LANGUAGES = {code for code, _name in settings.LANGUAGES}


class AccountExists(Exception):
    pass


class InvalidToken(Exception):
    """The link is forged, expired or already used."""


def _actor(user: User) -> str:
    return f"account:{user.pk}"


def _site(path: str) -> str:
    return settings.SITE_URL + path


def _may_mail(user: User, kind: str) -> bool:
    """At most MAIL_PER_HOUR mails of one kind to one account per hour: nobody can turn the
    sign-up or reset pages into a way to flood someone's inbox."""
    window = int(now().timestamp() // 3600)
    key = f"accounts-mail:{kind}:{user.pk}:{window}"
    if cache.add(key, 1, timeout=3600):
        return True
    try:
        return int(cache.incr(key)) <= MAIL_PER_HOUR
    except ValueError:
        cache.set(key, 1, timeout=3600)
        return True


def _mail(user: User, kind: str, subject_line: str | Promise, template: str,
          context: dict[str, Any]) -> bool:
    if not user.email or not _may_mail(user, kind):
        return False
    with translation.override(user.language or settings.LANGUAGE_CODE):
        body = render_to_string(template, {"first_name": user.first_name, **context})
        line = str(subject_line)
    queue_email(subject=user.subject, to=user.email, subject_line=line, body=body,
                kind=f"account.{kind}", client_id=None)
    return True


def verification_url(user: User) -> str:
    return _site(reverse("accounts:verify", kwargs={"token": tokens.make(tokens.VERIFY, user)}))


def reset_url(user: User) -> str:
    return _site(reverse("accounts:password-reset-confirm",
                         kwargs={"token": tokens.make(tokens.RESET, user)}))


def account_for_email(email: str) -> User | None:
    if not email:
        return None
    return User.objects.filter(email_index=email_index(normalize_email(email))).first()


# --- Passwords ------------------------------------------------------------------------------

def check_new_password(password: str, *, email: str, first_name: str = "",
                       last_name: str = "") -> None:
    """Django's rules (length 10, common list, not all digits) and ours (no name, no email,
    at most 128 characters): a ValidationError listing every reason."""
    person = SimpleNamespace(email=email, first_name=first_name, last_name=last_name)
    validate_password(password, person)  # type: ignore[arg-type]


# --- Creating an account ----------------------------------------------------------------------

@transaction.atomic
def create_account(email: str, password: str, *, first_name: str = "", last_name: str = "",
                   is_operator: bool = False, language: str = "fr",
                   verified: bool = False, actor: str = "system") -> User:
    """An account made by the console, the CLI or a client's invitation (P0.2)."""
    email = normalize_email(email)
    if User.objects.filter(email_index=email_index(email)).exists():
        raise AccountExists(email)
    check_new_password(password, email=email, first_name=first_name, last_name=last_name)
    user = _new_user(email, password, first_name=first_name, last_name=last_name,
                     language=language, is_operator=is_operator)
    if verified:
        user.email_verified_at = now()
        user.save(update_fields=["email_verified_at"])
    record(actor, "account.created", target=f"account:{user.pk}",
           details={"operator": is_operator})
    return user


def _new_user(email: str, password: str, *, first_name: str, last_name: str, language: str,
              is_operator: bool = False) -> User:
    subject = subject_for_email(email, None)
    user = User(email_index=email_index(email), subject=subject, is_operator=is_operator,
                language=language if language in LANGUAGES else settings.LANGUAGE_CODE)
    user.email = email
    user.first_name = first_name
    user.last_name = last_name
    user.set_password(password)
    user.save()
    return user


def clean_sign_up(email: str, password: str, first_name: str, last_name: str) -> dict[str, str]:
    """Field errors for the sign-up form; the same whether or not the address has an
    account, so the answer never tells."""
    errors: dict[str, list[str]] = {}
    email = normalize_email(email or "")
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = [_("Enter a valid email address, such as name@example.org.")]
    names = {"first_name": (first_name or "").strip(), "last_name": (last_name or "").strip()}
    for field, value in names.items():
        if not value:
            errors[field] = [_("This field is required.")]
        elif len(value) > MAX_LENGTHS[field]:
            errors[field] = [ngettext("Use at most %(max)d character.",
                                      "Use at most %(max)d characters.", MAX_LENGTHS[field])
                             % {"max": MAX_LENGTHS[field]}]
    try:
        check_new_password(password or "", email=email, **names)
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    if errors:
        raise ValidationError(errors)
    return {"email": email, **names}


def sign_up(email: str, password: str, first_name: str, last_name: str,
            language: str = "fr") -> None:
    """Create an unverified account and mail it a verification link (P0.2). When the
    address already has an account, that address is told so (with sign-in and reset links)
    and the caller gets the very same answer: the page never reveals who has an account
    (reference AUTH-5). Raises ValidationError for bad input, before any lookup."""
    data = clean_sign_up(email, password, first_name, last_name)
    existing = account_for_email(data["email"])
    if existing is None:
        try:
            with transaction.atomic():
                user = _new_user(data["email"], password, first_name=data["first_name"],
                                 last_name=data["last_name"], language=language)
                record("public", "account.signed_up", target=f"account:{user.pk}")
                _mail(user, "verify", gettext_lazy("Confirm your email address"),
                      "emails/account_verify.txt", {"link": verification_url(user)})
            return
        except IntegrityError:
            existing = account_for_email(data["email"])  # a concurrent sign-up won
            if existing is None:
                raise
    else:
        make_password(password)  # the same hashing cost as a new account: no timing oracle
    _tell_owner_of_second_sign_up(existing)


@transaction.atomic
def _tell_owner_of_second_sign_up(user: User) -> None:
    context = {"login": _site(reverse("accounts:login")),
               "reset": _site(reverse("accounts:password-reset")),
               "verify": "" if user.is_verified else verification_url(user)}
    _mail(user, "exists", gettext_lazy("You already have an account"),
          "emails/account_exists.txt", context)
    record("public", "account.sign_up_repeated", target=f"account:{user.pk}")


def send_verification(user: User) -> bool:
    """Mail the verification link again (from the personal space)."""
    if user.is_verified:
        return False
    with transaction.atomic():
        sent = _mail(user, "verify", gettext_lazy("Confirm your email address"),
                     "emails/account_verify.txt", {"link": verification_url(user)})
        record(_actor(user), "account.verification_sent", target=f"account:{user.pk}")
    return sent


def verify_email(token: str) -> User:
    """Mark the address as the owner's (the link reached its mailbox), then claim the
    registrations made earlier with it (issue 3 point 9). Following the link again is
    harmless. Raises InvalidToken."""
    user = tokens.read(tokens.VERIFY, token)
    if user is None:
        raise InvalidToken(token[:8])
    with transaction.atomic():
        if not user.is_verified:
            user.email_verified_at = now()
            user.save(update_fields=["email_verified_at"])
            record(_actor(user), "account.email_verified", target=f"account:{user.pk}")
        claim_registrations(user)
    return user


# --- Registrations of the account ----------------------------------------------------------

@transaction.atomic
def claim_registrations(user: User) -> int:
    """Link to a verified account every registration made with its address, at any
    client, that no account holds yet; returns how many. A registration is found through
    its client-controlled subject, whose keyed hash is the account's (P0.2): the client
    keeps the data, the account only gains the link. An unverified account claims nothing."""
    if not user.is_verified:
        return 0
    found = list(
        Registration.objects.filter(subject__email_index=user.email_index,
                                    subject__controller__startswith="client:",
                                    subject__shredded_at__isnull=True,
                                    account_link__isnull=True)
        .values_list("pk", "client_id")
    )
    if not found:
        return 0
    moment = now()
    AccountLink.objects.bulk_create(
        [AccountLink(account=user, registration_id=pk, linked_at=moment) for pk, _c in found],
        ignore_conflicts=True,  # a concurrent claim of the same rows: one link each
    )
    by_client: dict[int, list[str]] = {}
    for pk, client_id in found:
        by_client.setdefault(client_id, []).append(str(pk))
    for client_id, ids in sorted(by_client.items()):
        record(_actor(user), "account.registrations_claimed", target=f"account:{user.pk}",
               client_id=client_id, details={"registrations": ids})
    return len(found)


@transaction.atomic
def link_registration(user: User, registration: Registration) -> bool:
    """Link a registration just made by a signed-in participant to the account. Only a
    verified account whose address is the registration's holds it: an account that has not
    proven the address must not see another person's personal link. The registration is
    claimed later, when the address is verified. Returns whether it is linked now."""
    if not user.is_verified or registration.subject.email_index != user.email_index:
        return False
    _link, created = AccountLink.objects.get_or_create(
        registration=registration, defaults={"account": user, "linked_at": now()})
    if created:
        record(_actor(user), "account.registration_linked", target=f"account:{user.pk}",
               client_id=registration.client_id,
               details={"registration": str(registration.pk)})
    return _link.account_id == user.pk


def registrations_of(user: User) -> list[AccountLink]:
    """The account's registrations, newest event first, with event and client loaded."""
    return list(AccountLink.objects.filter(account=user)
                .select_related("registration__event", "registration__client")
                .order_by("-registration__event__starts_at"))


def organizers_of(user: User) -> list[Client]:
    """The organizers the participant holds registrations with."""
    ids = AccountLink.objects.filter(account=user).values_list("registration__client_id")
    return list(Client.objects.filter(pk__in=ids, is_active=True).order_by("name"))


# --- Profile and sharing ----------------------------------------------------------------------

def clean_profile(fields: dict[str, Any]) -> dict[str, str]:
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, str] = {}
    for name, value in fields.items():
        if name not in PROFILE_FIELDS:
            raise ValueError(f"not a profile field: {name}")
        text = " ".join(str(value or "").split())
        if not text and name in REQUIRED:
            errors[name] = [_("This field is required.")]
        elif len(text) > MAX_LENGTHS[name]:
            errors[name] = [ngettext("Use at most %(max)d character.",
                                     "Use at most %(max)d characters.", MAX_LENGTHS[name])
                            % {"max": MAX_LENGTHS[name]}]
        elif text and name == "mobile_phone" and (
                not _PHONE.match(text) or sum(c.isdigit() for c in text) < 6):
            errors[name] = [_("Enter a phone number, such as 06 12 34 56 78 or "
                              "+33 6 12 34 56 78.")]
        elif text and name == "postal_code" and not _POSTAL.match(text):
            errors[name] = [_("Enter a postal code, such as 75011.")]
        cleaned[name] = text
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def update_profile(user: User, **fields: Any) -> list[str]:
    """Rectification by the participant (P1.5, P4.1); returns the names of the fields that
    changed. Raises ValidationError with field errors."""
    cleaned = clean_profile(fields)
    changed = [name for name, value in cleaned.items() if getattr(user, name) != value]
    for name in changed:
        setattr(user, name, cleaned[name])
    if changed:
        user.save(update_fields=[f"{name}_enc" for name in changed])
        record(_actor(user), "account.profile_updated", target=f"account:{user.pk}",
               details={"fields": changed})
        _follow_profile(user, {name: cleaned[name] for name in changed})
    return changed


def _follow_profile(user: User, values: dict[str, str]) -> list[Any]:
    """Issue 5 §2 (P1.5): the account's active registrations follow a profile change, for
    the fields the person shares with that organizer and that event's form collects, while
    the event is not past its modification deadline. Each registration goes through
    ``update_answers`` (the registration's own checks) and gets an audit entry naming the
    fields. Left as they are: registrations whose form refuses the new value (the person
    can correct them from /me/registrations/<id>/edit/), and those of an organizer where
    processing is restricted (storage only). Returns the ids of the registrations changed."""
    from livesession.protection import restriction
    from livesession.registrations.formspec import fields_for
    from livesession.registrations.models import ACTIVE
    from livesession.registrations.services import update_answers

    shared: dict[int, set[str]] = {}
    followed = []
    links = (AccountLink.objects.filter(account=user, registration__status__in=ACTIVE)
             .select_related("registration__event", "registration__client"))
    for link in links:
        registration = link.registration
        event = registration.event
        if not event.accepts_modifications or restriction.is_restricted(
                registration.subject_id):
            continue
        if registration.client_id not in shared:
            shared[registration.client_id] = set(shared_fields(user, registration.client))
        standard = [spec.key for spec in fields_for(event) if not spec.custom]
        names = [name for name in standard if name in values
                 and name in shared[registration.client_id]
                 and getattr(registration, name) != values[name]]
        if not names:
            continue
        data: dict[str, Any] = {key: getattr(registration, key) for key in standard}
        data.update({name: values[name] for name in names})
        data["answers"] = registration.answers
        try:
            with transaction.atomic():
                update_answers(registration, data, actor=_actor(user))
                record(_actor(user), "registration.followed_profile",
                       target=f"registration:{registration.pk}",
                       client_id=registration.client_id, details={"fields": names})
        except ValidationError:
            continue
        followed.append(registration.pk)
    return followed


@transaction.atomic
def set_sharing(user: User, client: Client, fields: Iterable[str]) -> list[str]:
    """The profile fields the participant agrees to share with this organizer (P0.2)."""
    wanted = set(fields)
    if unknown := sorted(wanted - set(PROFILE_FIELDS)):
        raise ValueError(f"not profile fields: {unknown}")
    chosen = [name for name in PROFILE_FIELDS if name in wanted]
    SharingChoice.objects.update_or_create(user=user, client=client,
                                           defaults={"fields": chosen})
    record(_actor(user), "account.sharing_set", target=f"account:{user.pk}",
           details={"client": client.pk, "fields": chosen})
    return chosen


def shared_fields(user: User, client: Client) -> list[str]:
    choice = SharingChoice.objects.filter(user=user, client=client).first()
    if choice is None:
        return list(DEFAULT_SHARED)
    return [name for name in PROFILE_FIELDS if name in choice.fields]


def profile_for_prefill(user: User, client: Client, enabled_fields: Iterable[str]) -> dict[
        str, str]:
    """What prefills this organizer's registration form: the fields the form collects and
    the participant shares with that organizer, plus the email, which identifies every
    registration. Empty fields are left out."""
    shared = set(shared_fields(user, client)) & set(enabled_fields)
    values = {"email": user.email}
    for name in PROFILE_FIELDS:
        if name in shared and (value := getattr(user, name)):
            values[name] = value
    return values


# --- Signing in, the lock ---------------------------------------------------------------------

def is_locked(user: User) -> bool:
    return user.locked_until is not None and user.locked_until > now()


@transaction.atomic
def record_failed_login(user: User) -> bool:
    """Count a wrong password; the fifth in a row (each within 15 minutes of the previous)
    locks the account for 15 minutes and tells the owner why by email (reference AUTH-4).
    Attempts on a locked account are not counted, so nobody can keep it locked for longer
    than that. Returns whether the account is locked."""
    user = User.objects.get(pk=user.pk)
    moment = now()
    if is_locked(user):
        return True
    recent = user.last_failed_login_at is not None and (
        moment - user.last_failed_login_at <= FAILURE_WINDOW)
    user.failed_logins = (user.failed_logins if recent else 0) + 1
    user.last_failed_login_at = moment
    locked = user.failed_logins >= MAX_FAILURES
    if locked:
        user.locked_until = moment + LOCK_DURATION
        user.failed_logins = 0
    user.save(update_fields=["failed_logins", "last_failed_login_at", "locked_until"])
    record("public", "account.login_failed", target=f"account:{user.pk}")
    if locked:
        record("system", "account.locked", target=f"account:{user.pk}",
               details={"minutes": int(LOCK_DURATION.total_seconds() // 60)})
        _mail(user, "locked", gettext_lazy("Your account is locked for 15 minutes"),
              "emails/account_locked.txt",
              {"minutes": int(LOCK_DURATION.total_seconds() // 60),
               "reset": _site(reverse("accounts:password-reset"))})
    return locked


def _session_store() -> type[SessionBase]:
    store: type[SessionBase] = import_module(settings.SESSION_ENGINE).SessionStore
    return store


def _ensure_session_key(request: HttpRequest) -> str:
    session = request.session
    if not session.session_key:
        session.save()
    return str(session.session_key)


@transaction.atomic
def record_sign_in(user: User, request: HttpRequest) -> UserSession:
    """After a successful sign-in: the failure count starts again, the session joins the
    account's list (P1.5), and registrations made with the verified address since the last
    visit (without signing in) join the account."""
    if user.failed_logins or user.last_failed_login_at:
        User.objects.filter(pk=user.pk).update(failed_logins=0, last_failed_login_at=None)
    claim_registrations(user)
    key = _ensure_session_key(request)
    moment = now()
    row, _created = UserSession.objects.update_or_create(
        session_key=key,
        defaults={"user": user, "created_at": moment, "last_seen_at": moment,
                  "user_agent_family": user_agent_family(
                      str(request.META.get("HTTP_USER_AGENT", ""))[:512])[:60],
                  "ip_truncated": truncate_ip(client_ip(request))})
    request.session["account_session"] = str(row.pk)
    request.session["account_session_key"] = key
    request.session["account_seen"] = int(moment.timestamp())
    record(_actor(user), "account.signed_in", target=f"account:{user.pk}",
           details={"session": str(row.pk)})
    return row


def touch_session(user: User, request: HttpRequest) -> None:
    """Last activity of this session, written at most once a minute (the middleware), and
    its key followed when Django changed it (after a password change)."""
    session = request.session
    key = session.session_key
    if not key:
        return
    row_id = session.get("account_session")
    moment = now()
    updated = 0
    if row_id:
        updated = UserSession.objects.filter(pk=row_id, user=user).update(
            last_seen_at=moment, session_key=key)
    if not updated:
        # A session from before the list existed, or one whose row was pruned.
        row, _created = UserSession.objects.update_or_create(
            session_key=key, defaults={"user": user, "created_at": moment,
                                       "last_seen_at": moment,
                                       "user_agent_family": user_agent_family(
                                           str(request.META.get("HTTP_USER_AGENT", ""))[:512]
                                       )[:60],
                                       "ip_truncated": truncate_ip(client_ip(request))})
        session["account_session"] = str(row.pk)
    session["account_session_key"] = key


def active_sessions(user: User) -> list[UserSession]:
    """The account's sessions still alive; rows of ended sessions are removed on the way."""
    store = _session_store()
    alive, ended = [], []
    idle = now() - dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    for row in UserSession.objects.filter(user=user).order_by("-last_seen_at"):
        if row.last_seen_at >= idle and store().exists(row.session_key):
            alive.append(row)
        else:
            ended.append(row.pk)
    if ended:
        UserSession.objects.filter(pk__in=ended).delete()
    return alive


def revoke_sessions(user: User, *, keep_session_key: str | None = None,
                    actor: str | None = None) -> int:
    """End every session of the account (but the one kept): the session itself is deleted,
    so its cookie signs nobody in any more (P1.5). Returns how many ended."""
    store = _session_store()
    with transaction.atomic():
        rows = UserSession.objects.filter(user=user)
        if keep_session_key:
            rows = rows.exclude(session_key=keep_session_key)
        keys = list(rows.values_list("session_key", flat=True))
        for key in keys:
            store().delete(key)
        rows.delete()
        record(actor or _actor(user), "account.sessions_revoked", target=f"account:{user.pk}",
               details={"count": len(keys), "kept_current": bool(keep_session_key)})
    return len(keys)


def sign_out_session(user: User, session_id: Any, *, actor: str | None = None) -> str:
    """End one session of the account (P1.5): its Django session is deleted, so that
    browser is signed out at its next request. Returns the ended session's key. Raises
    UserSession.DoesNotExist for a session that is not this account's (the page: 404)."""
    store = _session_store()
    with transaction.atomic():
        row = UserSession.objects.get(pk=session_id, user=user)
        key = row.session_key
        store().delete(key)
        row.delete()
        record(actor or _actor(user), "account.session_signed_out",
               target=f"account:{user.pk}", details={"session": str(session_id)})
    return key


def purge_ended_sessions() -> int:
    """Rows of sessions idle past their lifetime (the worker, hourly): the list keeps
    nothing longer than the session it describes."""
    idle = now() - dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    deleted, _by_model = UserSession.objects.filter(last_seen_at__lt=idle).delete()
    return deleted


# --- Password reset and "this was not me" -----------------------------------------------------

def request_password_reset(email: str) -> None:
    """Mail a reset link when the address has an account, and nothing otherwise; the
    caller answers the same either way (reference AUTH-5, AUTH-6)."""
    user = account_for_email(email or "")
    if user is None or not user.is_active:
        return
    with transaction.atomic():
        _mail(user, "reset", gettext_lazy("Choose a new password"), "emails/account_reset.txt",
              {"link": reset_url(user),
               "hours": int(tokens.MAX_AGE[tokens.RESET].total_seconds() // 3600)})
        record("public", "account.password_reset_requested", target=f"account:{user.pk}")


def account_for_reset(token: str) -> User | None:
    return tokens.read(tokens.RESET, token)


def reset_password(token: str, new_password: str) -> User:
    """Set a new password from a reset link: the link works once; every session of the
    account ends (a thief's too); the lock lifts; the owner is told by email. Nobody is
    signed in automatically. The link came through the mailbox, so the address counts as
    verified. Raises InvalidToken, or ValidationError for a weak password."""
    user = tokens.read(tokens.RESET, token)
    if user is None:
        raise InvalidToken(token[:8])
    check_new_password(new_password, email=user.email, first_name=user.first_name,
                       last_name=user.last_name)
    if is_retired_password(user, new_password):  # after "this was not me" (P1.5)
        raise ValidationError(_("This is the password that was used without you: choose "
                                "another one."))
    with transaction.atomic():
        user.set_password(new_password)
        user.failed_logins = 0
        user.last_failed_login_at = None
        user.locked_until = None
        if not user.is_verified:
            user.email_verified_at = now()
        user.save(update_fields=["password", "failed_logins", "last_failed_login_at",
                                 "locked_until", "email_verified_at"])
        record(_actor(user), "account.password_reset", target=f"account:{user.pk}")
        revoke_sessions(user, actor=_actor(user))
        _mail(user, "password_changed", gettext_lazy("Your password was changed"),
              "emails/account_password_changed.txt",
              {"reset": _site(reverse("accounts:password-reset"))})
        claim_registrations(user)
    return user


def report_not_me(user: User) -> Incident:
    """"This was not me" (P1.5), in one step: every session of the account ends, this one
    too; the password stops working for good (its hash is kept behind the unusable mark only
    so that the new password cannot be the old one); the owner's mailbox receives a link to
    choose a new one; and an incident is opened for the operator (GDPR art. 33.5, issue 8),
    naming the account by its id only."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        user.password = _retire(user.password)
        user.save(update_fields=["password"])
        record(_actor(user), "account.reported_not_me", target=f"account:{user.pk}")
        ended = revoke_sessions(user, actor=_actor(user))
        with translation.override(settings.LANGUAGE_CODE):  # the operator's language
            summary = _("The account holder reported that someone else used the account. "
                        "Every session was ended (%(count)d) and the password no longer "
                        "works; a link to choose a new one was sent to the account's "
                        "address.") % {"count": ended}
        incident = open_incident(Source.NOT_ME, summary=summary, refs=[f"account:{user.pk}"],
                                 nature=Nature.CONFIDENTIALITY, actor=_actor(user))
        # Made after the password changed, so this link is the one that works. The
        # hourly mail budget does not apply: this mail is what lets the owner back in.
        with translation.override(user.language or settings.LANGUAGE_CODE):
            body = render_to_string("emails/account_not_me.txt",
                                    {"first_name": user.first_name, "link": reset_url(user)})
            line = _("Your account is secured: choose a new password")
        queue_email(subject=user.subject, to=user.email, subject_line=line, body=body,
                    kind="account.not_me", client_id=None)
    return incident


# A retired password: Django's unusable mark ("!") in front of the old hash. Django never
# accepts it (``is_password_usable`` is false), and ``reset_password`` refuses the same
# password again. A second report keeps the first retired hash.
def _retire(encoded: str) -> str:
    if not encoded or encoded.startswith(UNUSABLE_PASSWORD_PREFIX):
        return encoded or make_password(None)
    return UNUSABLE_PASSWORD_PREFIX + encoded


def is_retired_password(user: User, password: str) -> bool:
    """Whether ``password`` is the one a "this was not me" report retired."""
    encoded = user.password or ""
    if not encoded.startswith(UNUSABLE_PASSWORD_PREFIX):
        return False
    retired = encoded[len(UNUSABLE_PASSWORD_PREFIX):]
    try:
        identify_hasher(retired)
    except ValueError:
        return False  # Django's own random unusable mark: nothing retired
    return check_password(password, retired)
