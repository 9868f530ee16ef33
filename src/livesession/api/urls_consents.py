"""API routes of cookie consent (issue 7 §9): the person's receipts, the browser's choice."""

from django.urls import URLPattern, path

from livesession.cookies import api

urlpatterns: list[URLPattern] = [
    path("me/consents", api.MeConsents.as_view(), name="me-consents"),
    path("consents/current", api.CurrentConsent.as_view(), name="consents-current"),
]
