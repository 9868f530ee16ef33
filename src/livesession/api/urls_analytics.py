"""API routes of organizer analytics (issue 7 §7, §9): analytics/api.py."""

from django.urls import URLPattern, path

from livesession.analytics import api

urlpatterns: list[URLPattern] = [
    path("events/<uuid:event_id>/analytics", api.EventAnalytics.as_view(),
         name="event-analytics"),
    path("analytics", api.ClientAnalytics.as_view(), name="analytics"),
]
