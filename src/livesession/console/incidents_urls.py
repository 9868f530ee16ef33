"""Console routes of incidents (issue 5 §7; grows into issue 8's breach register)."""

from django.urls import path

from livesession.incidents import console_views

urlpatterns = [
    path("incidents/", console_views.incident_list, name="incidents"),
    path("incidents/<uuid:incident_id>/", console_views.incident_detail, name="incident"),
]
