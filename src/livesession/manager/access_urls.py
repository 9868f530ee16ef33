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
    path("<slug:client_slug>/events/<uuid:event_id>/room/moderate/", rooms.room_moderate,
         name="room-moderate"),
]

# Attendance, replays and personal links (issue 4 §1, §4, §6, §9): manager/attendance.py.
from livesession.manager import attendance  # noqa: E402

_ATTENDANCE = "<slug:client_slug>/events/<uuid:event_id>/attendance/"
_LINK = "<slug:client_slug>/events/<uuid:event_id>/registrants/<uuid:registration_id>/link/"
urlpatterns += [
    path(_ATTENDANCE, attendance.overview, name="attendance"),
    path(_ATTENDANCE + "access/", attendance.access_options, name="attendance-access"),
    path(_ATTENDANCE + "export.csv", attendance.export_csv, name="attendance-export-csv"),
    path(_ATTENDANCE + "export.xlsx", attendance.export_xlsx, name="attendance-export-xlsx"),
    path(_ATTENDANCE + "<int:key>/", attendance.session_detail, name="attendance-session"),
    path(_ATTENDANCE + "<int:key>/replay/", attendance.session_replay,
         name="attendance-replay"),
    path(_LINK + "regenerate/", attendance.link_regenerate, name="registrant-link-regenerate"),
    path(_LINK + "revoke/", attendance.link_revoke, name="registrant-link-revoke"),
]
