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
