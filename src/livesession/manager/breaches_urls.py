"""Manager routes of the breach notices sent to a client (issue 8 §4, P6.7)."""

from django.urls import URLPattern, path

from livesession.incidents import manager_views

urlpatterns: list[URLPattern] = [
    path("<slug:client_slug>/breaches/", manager_views.breach_list, name="breaches"),
    path("<slug:client_slug>/breaches/<uuid:incident_id>/", manager_views.breach_detail,
         name="breach"),
]
