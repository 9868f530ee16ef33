"""Deadline alerts of the request desk (R-14): at D-7, D-2 and once overdue, each at most
once per request, to the client's owners and admins (or the operator's staff)."""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from livesession.core.clock import now
from livesession.desk import deadlines
from livesession.desk.models import CLOSED, Alert, Request, Status
from livesession.desk.services import mail_staff

MARKS = ((7, "d-7"), (2, "d-2"))
OVERDUE = "overdue"


def key_for(days_left: int) -> str | None:
    """The alert due for a request with that many days left, or None."""
    if days_left < 0:
        return OVERDUE
    for limit, key in reversed(MARKS):
        if days_left <= limit:
            return key
    return None


def _link(req: Request) -> str:
    if req.client_id and req.client:
        path = reverse("manager:desk-request", kwargs={"client_slug": req.client.slug,
                                                       "request_id": req.pk})
    else:
        path = reverse("console:desk-request", kwargs={"request_id": req.pk})
    return settings.SITE_URL + path


def alert_once(req: Request, key: str) -> bool:
    """Mail the alert ``key`` for ``req`` unless it was sent before; the ``Alert`` row and
    the outbox rows are written in one transaction under a unique constraint, so two runs
    or two workers never send it twice."""
    left = deadlines.days_left(req.deadline)
    with transaction.atomic():
        try:
            with transaction.atomic():
                Alert.objects.create(request=req, key=key, sent_at=now())
        except IntegrityError:
            return False
        mail_staff(req.client, f"alert.{key}", _("A rights request is due soon")
                   if key != OVERDUE else _("A rights request is overdue"),
                   "emails/desk_alert.txt", {"req": req, "days_left": left,
                                             "deadline": req.deadline, "link": _link(req)})
    return True


def send_due_alerts() -> int:
    """Every open request (forwarded ones wait on their client's copy) gets the alert its
    days left call for. Returns how many were sent."""
    sent = 0
    today = deadlines.today()
    rows = Request.objects.select_related("client").exclude(status__in=CLOSED).exclude(
        status=Status.AWAITING_CONTROLLER)
    for req in rows:
        key = key_for(deadlines.days_left(req.deadline, today))
        if key is not None and alert_once(req, key):
            sent += 1
    return sent
