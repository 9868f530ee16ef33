"""Manager routes for issue 4 (access); added to manager/urls.py."""

from django.urls import URLPattern, path

from livesession.manager import rooms

urlpatterns: list[URLPattern] = []

# Rooms (issue 4 §3): the client's provider accounts, an event's room, a session's room.
urlpatterns += [
    path("<slug:client_slug>/rooms/settings/", rooms.room_settings, name="room-settings"),
    path("<slug:client_slug>/events/<uuid:event_id>/room/", rooms.event_room,
         name="event-room"),
    path("<slug:client_slug>/events/<uuid:event_id>/sessions/<int:session_id>/room/",
         rooms.session_room, name="session-room"),
]
