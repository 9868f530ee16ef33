"""Console routes of issue 6 §6: the staff member's second factor, and just-in-time access
to one client's data (included by console/urls.py)."""

from django.urls import URLPattern, path

from livesession.staffaccess import console_views as views

_GRANT = "access/<uuid:grant_id>/"

urlpatterns: list[URLPattern] = [
    path("mfa/", views.mfa_page, name="mfa"),
    path("access/", views.grants, name="staff-access"),
    path(_GRANT, views.grant_detail, name="staff-access-grant"),
    path(_GRANT + "end/", views.grant_end, name="staff-access-end"),
    path(_GRANT + "events/<uuid:event_id>/", views.grant_registrants,
         name="staff-access-registrants"),
]
