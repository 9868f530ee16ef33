"""The daily purge: applies the retention rules in batches, resumable after a crash
(issue 6 §1; P2.5, P3.8, P6.10; D-01, D-02, D-04, D-06).

Each category the purge applies (``SPECS``; the rules whose ``applier`` is ``purge``) says
which model it works on, which date starts its clock, and how rows reach their client, event
and person, so the client's own shorter period and the legal holds apply. A run is a
``PurgeRun`` row; every batch (``BATCH`` rows) is one transaction that also moves the run's
cursor and count for its category, so a run killed half-way loses only its uncommitted batch
and the next run resumes it from the cursor, deleting nothing twice and counting nothing
twice. The run's "now" is its start, kept on resume. When the run ends, one audit entry lists
the counts per category: never a value, never an id of a person.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from livesession.audit.services import record
from livesession.core.clock import now
from livesession.retention import categories as cat
from livesession.retention.models import ClientPeriod, InactivityWarning, PurgeRun
from livesession.retention.services import bound, ensure_rules_once

BATCH = 500
ACTOR = "system:retention"
WARN_DAYS = 30  # the inactive account's warning comes this long before deletion (D-04)
MOMENT = "retention_moment"

OnBatch = Callable[[str, list[Any]], None]


@dataclass(frozen=True)
class Spec:
    category: str
    model: str
    moment: Any  # a field path, or an expression annotated as MOMENT
    client: str | None = None
    event: str | None = None
    subject: str | None = None
    narrow: Callable[[QuerySet[Any], dt.datetime, bool], QuerySet[Any]] | None = None
    apply: Callable[[QuerySet[Any]], int] | None = None


# --- What each category does -------------------------------------------------------------

def _messages_final(rows: QuerySet[Any], moment: dt.datetime, forecast: bool) -> QuerySet[Any]:
    # Only messages whose delivery is over (sent, kept, failed for good), not yet blanked.
    return rows.filter(status__in=("sent", "kept", "failed")).exclude(body_enc="")


def _accounts(rows: QuerySet[Any], moment: dt.datetime, forecast: bool) -> QuerySet[Any]:
    """Participants' accounts only: operator staff and client members end with their role.
    Deleted only after the warning (D-04) went out at least WARN_DAYS before."""
    membership = apps.get_model("core", "Membership")
    rows = rows.filter(is_operator=False).exclude(
        Exists(membership.objects.filter(user=OuterRef("pk"))))
    if forecast:
        return rows
    warned = InactivityWarning.objects.filter(
        user=OuterRef("pk"), last_activity_at=OuterRef(MOMENT),
        warned_at__lte=moment - dt.timedelta(days=WARN_DAYS))
    return rows.filter(Exists(warned))


def _consents(rows: QuerySet[Any], moment: dt.datetime, forecast: bool) -> QuerySet[Any]:
    """Proof is kept while the person still has a registration with the client."""
    registration = apps.get_model("registrations", "Registration")
    return rows.exclude(Exists(registration.objects.filter(
        subject_id=OuterRef("subject_id"), client_id=OuterRef("client_id"))))


def _delete(rows: QuerySet[Any]) -> int:
    label = rows.model._meta.label
    _total, per_model = rows.delete()
    return int(per_model.get(label, 0))


def _end_sessions(rows: QuerySet[Any]) -> int:
    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = list(rows.values_list("session_key", flat=True))
    for key in keys:
        store().delete(key)
    return _delete(rows)


def _erase_accounts(rows: QuerySet[Any]) -> int:
    """Through the erasure machinery (protection.erasure): the account, its profile, links,
    sharing choices and sessions go, its key is destroyed, journalled for restores."""
    from livesession.protection.erasure import erase_person

    erased = 0
    for user in rows.select_related("subject"):
        erase_person(user.subject, actor=ACTOR, scope="retention")
        erased += 1
    return erased


def _blank_messages(rows: QuerySet[Any]) -> int:
    from livesession.messaging.delivery import delete_file_copies

    ids = list(rows.values_list("pk", flat=True))
    changed = rows.update(to_enc="", subject_line_enc="", body_enc="", unsubscribe_url_enc="",
                          attachment_enc="")
    # The clear-text copies written when no SMTP server is configured go too.
    delete_file_copies(ids)
    return int(changed)


SPECS: dict[str, Spec] = {spec.category: spec for spec in (
    Spec(cat.REGISTRATIONS, "registrations.Registration", "event__ends_at",
         client="client_id", event="event_id", subject="subject_id"),
    Spec(cat.ATTENDANCE, "access.Attendance", "event__ends_at", client="client_id",
         event="event_id", subject="registration__subject_id"),
    Spec(cat.MESSAGES, "messaging.OutboxMessage", Coalesce("sent_at", "created_at"),
         client="client_id", event="event_id", subject="subject_id", narrow=_messages_final,
         apply=_blank_messages),
    Spec(cat.SESSIONS, "accounts.UserSession", "last_seen_at", subject="user__subject_id",
         apply=_end_sessions),
    Spec(cat.ACCOUNTS, "accounts.User", Coalesce("last_login", "date_joined"),
         subject="subject_id", narrow=_accounts, apply=_erase_accounts),
    Spec(cat.CONSENTS, "privacy.ConsentRecord", "at", client="client_id",
         subject="subject_id", narrow=_consents),
    # Issue 7 §5 (P7.2): raw audience rows after 13 months; cookie receipts after 5 years.
    Spec(cat.AUDIENCE, "cookies.PageView", "at"),
    Spec(cat.COOKIE_CONSENTS, "cookies.ConsentReceipt", "at"),
)}


# --- Which rows are due -------------------------------------------------------------------

def _holds() -> dict[str, list[Any]]:
    from livesession.retention.services import active_holds

    scopes: dict[str, list[Any]] = {"client": [], "event": [], "subject": []}
    for hold in active_holds():
        if hold.subject_id:
            scopes["subject"].append(hold.subject_id)
        elif hold.event_id:
            scopes["event"].append(hold.event_id)
        else:
            scopes["client"].append(hold.client_id)
    return scopes


def due(spec: Spec, moment: dt.datetime, *, client_id: int | None = None,
        forecast: bool = False, holds: dict[str, list[Any]] | None = None) -> QuerySet[Any]:
    """The rows of ``spec``'s category that are past their period at ``moment``: the
    client's own period where it set one, the platform bound elsewhere, minus every row
    under an active legal hold. ``client_id`` narrows to one client (the Manager's view)."""
    model = apps.get_model(spec.model)
    rows = model._default_manager.all()
    if isinstance(spec.moment, str):
        rows = rows.annotate(**{MOMENT: F(spec.moment)})
    else:
        rows = rows.annotate(**{MOMENT: spec.moment})
    platform = bound(spec.category)
    when = Q(**{f"{MOMENT}__lte": moment - dt.timedelta(days=platform)})
    if spec.client and spec.category in cat.CLIENT_ADJUSTABLE:
        own = dict(ClientPeriod.objects.filter(category=spec.category)
                   .values_list("client_id", "period_days"))
        if own:
            when = when & ~Q(**{f"{spec.client}__in": list(own)})
            for cid, days in own.items():
                when |= Q(**{spec.client: cid,
                             f"{MOMENT}__lte": moment - dt.timedelta(days=min(days, platform))})
    rows = rows.filter(when)
    if client_id is not None:
        if spec.client is None:
            return rows.none()
        rows = rows.filter(**{spec.client: client_id})
    held = holds if holds is not None else _holds()
    for scope, path in (("client", spec.client), ("event", spec.event),
                        ("subject", spec.subject)):
        if held[scope] and path:
            rows = rows.exclude(**{f"{path}__in": held[scope]})
    if spec.narrow is not None:
        rows = spec.narrow(rows, moment, forecast)
    return rows


# --- The warning before an inactive account goes (D-04) ------------------------------------

def warn_inactive_accounts(moment: dt.datetime) -> int:
    """Mail once, WARN_DAYS before deletion, each participant account inactive for its
    period minus WARN_DAYS (one warning per stretch of inactivity: a sign-in starts anew)."""
    from livesession.messaging.services import queue_email

    spec = SPECS[cat.ACCOUNTS]
    period = bound(cat.ACCOUNTS)
    rows = due(spec, moment + dt.timedelta(days=WARN_DAYS), forecast=True)
    rows = rows.exclude(Exists(InactivityWarning.objects.filter(
        user=OuterRef("pk"), last_activity_at=OuterRef(MOMENT))))
    warned = 0
    for user in rows.select_related("subject"):
        last: dt.datetime = getattr(user, MOMENT)
        deletion = max(last + dt.timedelta(days=period), moment + dt.timedelta(days=WARN_DAYS))
        with transaction.atomic():
            InactivityWarning.objects.create(user=user, last_activity_at=last,
                                             warned_at=moment)
            if user.email:
                with translation.override(user.language or settings.LANGUAGE_CODE):
                    body = render_to_string("emails/retention_inactivity_warning.txt", {
                        "first_name": user.first_name, "deletion": deletion.date(),
                        "sign_in": settings.SITE_URL + reverse("accounts:login")})
                    line = _("Your account will be deleted for inactivity")
                queue_email(subject=user.subject, to=user.email, subject_line=line,
                            body=body, kind="account.retention_warning", client_id=None)
        warned += 1
    return warned


# --- The run -----------------------------------------------------------------------------

def _step(run: PurgeRun, spec: Spec, moment: dt.datetime, batch: int,
          on_batch: OnBatch | None) -> bool:
    """One batch of one category, in one transaction with its progress. False when done."""
    with transaction.atomic():
        run = PurgeRun.objects.select_for_update().get(pk=run.pk)
        state = run.progress.setdefault(spec.category,
                                        {"cursor": None, "count": 0, "done": False})
        if state["done"]:
            return False
        rows = due(spec, moment)
        if state["cursor"] is not None:
            rows = rows.filter(pk__gt=state["cursor"])
        pks = list(rows.order_by("pk").values_list("pk", flat=True)[:batch])
        if not pks:
            state["done"] = True
            state["cursor"] = None  # the run row keeps counts only once a category is done
            run.save(update_fields=["progress"])
            return False
        model = apps.get_model(spec.model)
        chosen = model._default_manager.filter(pk__in=pks)
        changed = (spec.apply or _delete)(chosen)
        if on_batch is not None:
            on_batch(spec.category, pks)  # a test's seam: raising here aborts the batch
        state["count"] += changed
        state["cursor"] = str(pks[-1])
        run.save(update_fields=["progress"])
        return True


def run_purge(*, batch: int = BATCH, on_batch: OnBatch | None = None) -> PurgeRun:
    """Apply every rule the purge owns (``SPECS``); resume the unfinished run if there is
    one. Audited once per run with counts per category (P6.6)."""
    ensure_rules_once()
    run = PurgeRun.objects.filter(status=PurgeRun.Status.RUNNING).order_by("started_at").first()
    if run is None:
        run = PurgeRun.objects.create(started_at=now(), progress={})
    else:
        run.resumed += 1
        run.save(update_fields=["resumed"])
    moment = run.started_at
    if "warnings" not in run.progress:
        warned = warn_inactive_accounts(moment)
        with transaction.atomic():
            run.refresh_from_db()
            run.progress["warnings"] = {"count": warned, "done": True}
            run.save(update_fields=["progress"])
    for spec in SPECS.values():
        while _step(run, spec, moment, batch, on_batch):
            pass
    with transaction.atomic():
        run.refresh_from_db()
        if "expired_sessions" not in run.progress:
            # Django's own session rows past their expiry (signed-out or idle browsers).
            session_model = apps.get_model("sessions", "Session")
            gone = _delete(session_model.objects.filter(expire_date__lt=now()))
            run.progress["expired_sessions"] = {"count": gone, "done": True}
        run.status = PurgeRun.Status.DONE
        run.finished_at = now()
        run.save()
        record(ACTOR, "retention.purge_run", target=f"purge:{run.pk}",
               details={"counts": run.counts(), "resumed": run.resumed,
                        "started_at": run.started_at.isoformat()})
    return run


def forecast(client_id: int | None = None, days: tuple[int, ...] = (7, 30, 90),
             ) -> list[dict[str, Any]]:
    """Per purged category: the rows due now and within each horizon (cumulative), for the
    console (all) or one client's Manager (its own rows). Holds are taken out; ``held``
    counts the rows the longest horizon would reach but a hold keeps."""
    moment = now()
    held = _holds()
    nothing_held: dict[str, list[Any]] = {"client": [], "event": [], "subject": []}
    out = []
    for spec in SPECS.values():
        if client_id is not None and spec.client is None:
            continue
        counts = {"now": due(spec, moment, client_id=client_id, forecast=True,
                             holds=held).count()}
        for horizon in days:
            counts[str(horizon)] = due(spec, moment + dt.timedelta(days=horizon),
                                       client_id=client_id, forecast=True, holds=held).count()
        # Rows the longest horizon would reach but a legal hold keeps.
        last = moment + dt.timedelta(days=max(days))
        counts["held"] = due(spec, last, client_id=client_id, forecast=True,
                             holds=nothing_held).count() - counts[str(max(days))]
        out.append({"category": spec.category, "label": cat.RULES_BY_CATEGORY[
            spec.category].label, "counts": counts})
    return out


