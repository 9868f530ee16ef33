"""Routes of the sessions pages (included by manager/urls.py)."""

from django.urls import path

from livesession.manager import sessions

urlpatterns = [
    path("<slug:client_slug>/events/<uuid:event_id>/sessions/", sessions.session_list,
         name="sessions"),
    path("<slug:client_slug>/events/<uuid:event_id>/sessions/<int:session_id>/edit/",
         sessions.session_edit, name="session-edit"),
    path("<slug:client_slug>/events/<uuid:event_id>/sessions/<int:session_id>/remove/",
         sessions.session_remove, name="session-remove"),
]
