"""Manager routes of organizer analytics (issue 7 §7): analytics/views.py."""

from django.urls import URLPattern, path

from livesession.analytics import views

_EVENT = "<slug:client_slug>/events/<uuid:event_id>/analytics/"
urlpatterns: list[URLPattern] = [
    path("<slug:client_slug>/analytics/", views.dashboard, name="analytics"),
    # The figure goes in the query string (?figure=conversion&start=…&end=…): the path names
    # the client only, like the dashboard it comes from.
    path("<slug:client_slug>/analytics/export.csv", views.dashboard_csv, name="analytics-csv"),
    path(_EVENT, views.event_page, name="event-analytics"),
    path(_EVENT + "<slug:figure>.csv", views.event_csv, name="event-analytics-csv"),
]
