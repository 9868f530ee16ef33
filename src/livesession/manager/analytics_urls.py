"""Manager routes of organizer analytics (issue 7 §7): analytics/views.py."""

from django.urls import URLPattern, path

from livesession.analytics import views

_EVENT = "<slug:client_slug>/events/<uuid:event_id>/analytics/"
urlpatterns: list[URLPattern] = [
    path("<slug:client_slug>/analytics/", views.dashboard, name="analytics"),
    path("<slug:client_slug>/analytics/<slug:figure>.csv", views.dashboard_csv,
         name="analytics-csv"),
    path(_EVENT, views.event_page, name="event-analytics"),
    path(_EVENT + "<slug:figure>.csv", views.event_csv, name="event-analytics-csv"),
]
