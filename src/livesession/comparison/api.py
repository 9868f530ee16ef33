"""``GET /api/v1/me/comparison``: the signed-in person's comparison (P2.2), the same content
as the page. Bands and rounded thresholds only; a cohort under K answers
``"status": "not_enough_data"`` with no number."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from livesession.api.views_people import _MeView
from livesession.comparison import services


class MeComparison(_MeView):
    @extend_schema(operation_id="me_comparison", responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        """Your sessions attended and minutes present over the last 12 months, and the band
        you fall in among participants of the same category at each organizer (and in the
        pool of organizers, when it runs). Your own figures are computed now from your own
        data; the others' come from the latest daily snapshot, cohorts of at least
        ``min_cohort`` people, rounded."""
        found = services.comparison_for(self.me(request))
        response = Response(found.as_dict())
        response["Cache-Control"] = "no-store"
        return response
