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

# Affected people and the notices (issue 8 §2, §4): incidents/notice_views.py
from livesession.incidents import notice_views  # noqa: E402

urlpatterns += [
    path("incidents/<uuid:incident_id>/notices/", notice_views.notices_page,
         name="incident-notices"),
    path("incidents/<uuid:incident_id>/notices/affected/", notice_views.notices_affected,
         name="incident-affected"),
    path("incidents/<uuid:incident_id>/notices/instruction/",
         notice_views.notices_instruction, name="incident-instruction"),
    path("incidents/<uuid:incident_id>/notices/participants/",
         notice_views.notices_participants, name="incident-notice-participants"),
    path("incidents/<uuid:incident_id>/notices/clients/", notice_views.notices_clients,
         name="incident-notice-clients"),
    path("incidents/<uuid:incident_id>/cnil.html", notice_views.cnil_document,
         {"fmt": "html"}, name="incident-cnil"),
    path("incidents/<uuid:incident_id>/cnil.json", notice_views.cnil_document,
         {"fmt": "json"}, name="incident-cnil-json"),
]
