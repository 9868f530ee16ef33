"""Console routes of incidents (issue 5 §7) and the breach register (issue 8)."""

from django.urls import path

from livesession.incidents import console_views

urlpatterns = [
    path("incidents/", console_views.incident_list, name="incidents"),
    path("incidents/register.json", console_views.register_json, name="incidents-register-json"),
    path("incidents/register/", console_views.register_page, name="incidents-register"),
    path("incidents/<uuid:incident_id>/", console_views.incident_detail, name="incident"),
    path("incidents/<uuid:incident_id>/assess/", console_views.incident_assess,
         name="incident-assess"),
    path("incidents/<uuid:incident_id>/decide/", console_views.incident_decide,
         name="incident-decide"),
    path("incidents/<uuid:incident_id>/notifications/", console_views.incident_notify,
         name="incident-notify"),
    path("incidents/<uuid:incident_id>/close/", console_views.incident_close,
         name="incident-close"),
]
