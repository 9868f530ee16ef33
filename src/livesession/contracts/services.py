"""Contract lifecycle services (issue 6 §2; P4.4, P6.9, P6.10; docs/contract-lifecycle.md).

``terminate``: the operator ends a client's contract (T0); the space turns read-only
(``contracts.guard``), pending messages stop, owners and administrators are told, and the
destruction date is set. ``request_package`` / ``open_package``: the return package
(``contracts.package`` builds it in the background). The destruction itself is in
``contracts.destruction``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from livesession.audit.services import record
from livesession.contracts import guard
from livesession.contracts.models import (
    Contract,
    DestructionCertificate,
    PackageStatus,
    ReturnPackage,
    State,
)
from livesession.core.clock import now
from livesession.core.models import Client, Membership, Role

MAX_REASON = 2000
DECIDERS = (Role.OWNER, Role.ADMIN)
LINK_SALT = "livesession.contracts.package-link"
LINK_SECONDS = 3600  # a download link works for an hour


# --- reading the lifecycle ----------------------------------------------------------------

def contract_of(client: Client | int) -> Contract | None:
    client_id: int = client.pk if isinstance(client, Client) else client
    return Contract.objects.filter(client_id=client_id).first()


def return_days(client: Client | int) -> int:
    """Days between termination and destruction: the setting, never beyond the retention
    rule of the client's data (``client_data``, 60 days, P4.4)."""
    from livesession.retention.categories import CLIENT_DATA
    from livesession.retention.services import period_for

    return min(int(settings.CONTRACT_RETURN_DAYS), period_for(CLIENT_DATA, client))


def destroy_on(contract: Contract) -> dt.datetime | None:
    if contract.terminated_at is None:
        return None
    return contract.terminated_at + dt.timedelta(days=return_days(contract.client_id))


def is_held(client_id: int) -> bool:
    """A legal hold on the client, or on any of its events or people, suspends the
    destruction of the whole client (P4.4: "unless law requires longer")."""
    from livesession.retention.services import active_holds

    return bool(active_holds(client_id=client_id).exists())


def certificate_of(client_id: int) -> DestructionCertificate | None:
    return DestructionCertificate.objects.filter(client_ref=client_id).first()


# --- termination ------------------------------------------------------------------------

def _deciders(client: Client) -> list[Membership]:
    return list(Membership.objects.select_related("user")
                .filter(client=client, role__in=DECIDERS, user__is_active=True)
                .order_by("user_id"))


def _mail_deciders(client: Client, template: str, kind: str, line: str,
                   context: dict[str, Any]) -> int:
    from livesession.messaging.services import queue_email

    queued = 0
    for membership in _deciders(client):
        user = membership.user
        if not user.email:
            continue
        with translation.override(user.language or settings.LANGUAGE_CODE):
            body = render_to_string(template, {"client": client, **context})
            subject_line = _(line) % {"name": client.name}
        if queue_email(subject=user.subject, to=user.email, subject_line=subject_line,
                       body=body, kind=kind, client_id=client.pk) is not None:
            queued += 1
    return queued


def terminate(client: Client, *, actor: str, reason: str) -> Contract:
    """End the client's contract now (T0). Its space turns read-only, queued messages of
    the client stop, its participants' personal links are revoked (no more joins), owners
    and administrators are told where to get the return package and when the data will be
    destroyed (P4.4, P6.9). A missing reason, or a contract already ended, is refused with
    a message."""
    from livesession.access.models import AccessLink
    from livesession.messaging.models import OutboxMessage, OutboxStatus

    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for ending the contract (for "
                                           "example, the client's notice and its date).")})
    if len(reason) > MAX_REASON:
        raise ValidationError({"reason": ngettext(
            "Keep the reason under %(n)s character.", "Keep the reason under %(n)s characters.",
            MAX_REASON) % {"n": MAX_REASON}})
    moment = now()
    with transaction.atomic():
        contract, _created = Contract.objects.select_for_update().get_or_create(client=client)
        if contract.state != State.ACTIVE:
            raise ValidationError(_("This contract has already ended."))
        contract.state = State.TERMINATED
        contract.terminated_at = moment
        contract.terminated_by = actor
        contract.reason = reason
        contract.save()
        # Joins end: the personal links are revoked (the join path stays one query; the
        # middleware says "closed" on the 404 of a revoked link of a terminated client).
        revoked = AccessLink.objects.filter(client=client, revoked_at__isnull=True).update(
            revoked_at=moment)
        stopped = OutboxMessage.objects.filter(
            client=client, status__in=[OutboxStatus.QUEUED, OutboxStatus.DEFERRED]).update(
            status=OutboxStatus.FAILED, last_error="contract ended", claimed_at=None)
        when = contract.terminated_at + dt.timedelta(days=return_days(client))
        record(actor, "contract.terminated", target=f"client:{client.pk}", client_id=client.pk,
               details={"destroy_on": when.isoformat(), "return_days": return_days(client),
                        "messages_stopped": stopped, "links_revoked": revoked})
        _mail_deciders(client, "emails/contract_terminated.txt", "contract_terminated",
                       gettext_noop("The contract of %(name)s has ended"), {
                           "destroy_on": date_format(when, "DATE_FORMAT"),
                           "link": settings.SITE_URL + reverse(
                               "manager:contract", kwargs={"client_slug": client.slug})})
    return contract


# --- the return package -------------------------------------------------------------------

def current_packages(client: Client) -> list[ReturnPackage]:
    return list(ReturnPackage.objects.filter(client=client).exclude(
        status=PackageStatus.EXPIRED).order_by("-created_at")[:5])


def _may_decide(membership: Membership) -> None:
    if membership.role not in DECIDERS:
        raise PermissionDenied


def request_package(membership: Membership, *, actor: str) -> ReturnPackage:
    """Ask for the return package of the member's client (owners and administrators,
    P6.9); available while the client is active too. Built in the background: a package
    already waiting or being built is returned instead of a second one."""
    from livesession.contracts.jobs import build_return_package
    from livesession.core.tasks import enqueue_on_commit

    _may_decide(membership)
    client = membership.client
    guard.ensure_may_process(client.pk)
    with transaction.atomic():
        running = ReturnPackage.objects.filter(
            client=client, status__in=[PackageStatus.QUEUED, PackageStatus.BUILDING]).first()
        if running is not None:
            return running
        package = ReturnPackage.objects.create(client=client, requested_by=actor,
                                               created_at=now())
        record(actor, "contract.package_requested", target=f"return_package:{package.pk}",
               client_id=client.pk)
        enqueue_on_commit(build_return_package, str(package.pk))
    return package


def download_token(package: ReturnPackage) -> str:
    """The signed part of an expiring download link (an hour, and never past the
    package's own expiry)."""
    return signing.dumps({"p": str(package.pk)}, salt=LINK_SALT)


def open_package(membership: Membership, package_id: uuid.UUID, token: str, *,
                 actor: str) -> tuple[ReturnPackage, bytes]:
    """The decrypted ZIP for an owner or administrator holding a valid link. Raises
    ``LookupError`` with a message when the link or the package no longer works."""
    from livesession.contracts import package as builder

    _may_decide(membership)
    try:
        data = signing.loads(token, salt=LINK_SALT, max_age=LINK_SECONDS)
    except signing.BadSignature as exc:
        raise LookupError(_("This download link has expired or is not valid. Open the "
                            "contract page again for a fresh link.")) from exc
    if data.get("p") != str(package_id):
        raise LookupError(_("This download link is for another package."))
    package = ReturnPackage.objects.filter(client=membership.client, pk=package_id).first()
    if package is None:
        raise LookupError(_("This package does not exist."))
    if package.status != PackageStatus.READY or (package.expires_at is not None
                                                 and package.expires_at <= now()):
        raise LookupError(_("This package is no longer available. Ask for a new one from "
                            "the contract page."))
    guard.ensure_may_process(membership.client_id)
    content = builder.read(package)
    ReturnPackage.objects.filter(pk=package.pk).update(downloads=package.downloads + 1)
    record(actor, "contract.package_downloaded", target=f"return_package:{package.pk}",
           client_id=membership.client_id, details={"sha256": package.sha256})
    return package, content


def expire_packages(moment: dt.datetime | None = None) -> int:
    """Ready packages past their expiry lose their file and key (hourly job)."""
    from livesession.contracts import package as builder

    moment = moment or now()
    expired = 0
    for package in ReturnPackage.objects.filter(status=PackageStatus.READY,
                                                expires_at__lte=moment):
        builder.discard(package)
        ReturnPackage.objects.filter(pk=package.pk).update(status=PackageStatus.EXPIRED)
        record("system", "contract.package_expired", target=f"return_package:{package.pk}",
               client_id=package.client_id)
        expired += 1
    return expired
