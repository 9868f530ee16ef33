"""Unusual exports open incidents (issue 8 §1 sources; reference S-04, B-06).

Every export of personal data by a member (the Manager's registrants, attendance and
people exports) calls ``export_made(client_id, actor, rows)``. When the rows taken out in
the last hour pass ``UNUSUAL_EXPORT_ROWS``, for the client or for the member, an incident
"unusual export" opens, once per client and member within the hour. The marks are kept one
hour, then pruned here.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Sum

from livesession.core.clock import now
from livesession.incidents.models import ExportMark, Incident, Source
from livesession.incidents.services import open_incident

WINDOW = dt.timedelta(hours=1)


def export_made(client_id: int | None, actor: str, rows: int) -> Incident | None:
    """Note an export of ``rows`` rows by ``actor`` ("account:12") for the client; open an
    incident when the hour's total passes the threshold (the client's, or the member's
    across clients). Returns the incident opened now, if any."""
    moment = now()
    since = moment - WINDOW
    limit = int(settings.UNUSUAL_EXPORT_ROWS)
    with transaction.atomic():
        ExportMark.objects.filter(at__lt=since).delete()
        ExportMark.objects.create(client_id=client_id, actor=actor[:64], rows=max(0, rows),
                                  at=moment)
        recent = ExportMark.objects.filter(at__gte=since)
        by_client = (recent.filter(client_id=client_id).aggregate(n=Sum("rows"))["n"] or 0
                     if client_id is not None else 0)
        by_member = recent.filter(actor=actor[:64]).aggregate(n=Sum("rows"))["n"] or 0
        if by_client <= limit and by_member <= limit:
            return None
        refs = [actor] if ":" in actor else []
        if client_id is not None:
            refs.append(f"client:{client_id}")
        # Once per client and member within the hour: the open one already says it.
        earlier_ones = Incident.objects.filter(source=Source.UNUSUAL_EXPORT,
                                               detected_at__gte=since)
        earlier_ones = (earlier_ones.filter(client_id=client_id) if client_id is not None
                        else earlier_ones.filter(client__isnull=True))
        for earlier in earlier_ones:
            if set(refs) <= set(earlier.refs):
                return None
        summary = (f"Unusual export: {by_client} rows for the client and {by_member} rows "
                   f"by the member within one hour (threshold {limit}).")
        return open_incident(Source.UNUSUAL_EXPORT, summary=summary, refs=refs,
                             client_id=client_id, actor="system:detect")
