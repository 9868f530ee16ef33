"""API routes for issue 4 (access); added to api/urls.py."""

from django.urls import URLPattern, path

from livesession.api import views_rooms

urlpatterns: list[URLPattern] = []

# Rooms (issue 4 §3): an event's room and a session's own room.
urlpatterns += [
    path("events/<uuid:event_id>/room", views_rooms.EventRoom.as_view(), name="event-room"),
    path("events/<uuid:event_id>/sessions/<int:session_id>/room",
         views_rooms.SessionRoom.as_view(), name="event-session-room"),
]

# Personal links, attendance and replays (issue 4 §1, §4, §6): api/views_access.py.
from livesession.api import views_access  # noqa: E402

urlpatterns += [
    path("registrations/<uuid:registration_id>/link/regenerate",
         views_access.LinkAction.as_view(action="regenerate"), name="registration-link-regenerate"),
    path("registrations/<uuid:registration_id>/link/revoke",
         views_access.LinkAction.as_view(action="revoke"), name="registration-link-revoke"),
    path("events/<uuid:event_id>/attendance", views_access.EventAttendance.as_view(),
         name="event-attendance"),
    path("events/<uuid:event_id>/attendance/summary",
         views_access.EventAttendanceSummary.as_view(), name="event-attendance-summary"),
    path("events/<uuid:event_id>/access", views_access.EventAccess.as_view(),
         name="event-access"),
    path("events/<uuid:event_id>/replay", views_access.EventReplay.as_view(),
         name="event-replay"),
    path("events/<uuid:event_id>/sessions/<int:session_id>/replay",
         views_access.SessionReplay.as_view(), name="event-session-replay"),
]
