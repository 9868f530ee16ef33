"""API route of the participant's anonymized comparison (issue 7 §8-9, P2.2), session auth
like the other /api/v1/me/ endpoints."""

from django.urls import URLPattern, path

from livesession.comparison.api import MeComparison

urlpatterns: list[URLPattern] = [
    path("me/comparison", MeComparison.as_view(), name="me-comparison"),
]
