from django.urls import path

from livesession.portal import privacy_urls, room, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("e/<uuid:event_id>/", views.event_page, name="event"),
    path("e/<uuid:event_id>/registered/", views.registered, name="registered"),
    # Before the token pattern: "resend" is never a token (tokens are 43 characters).
    path("j/resend/", room.resend, name="resend"),
    path("j/<str:token>/", room.join, name="join"),
    path("j/<str:token>/heartbeat/", room.heartbeat, name="heartbeat"),
    path("j/<str:token>/replay/", room.replay, name="replay"),
    path("j/<str:token>/replay/<int:key>/", room.replay, name="replay-session"),
    path("j/<str:token>/confirm/", views.confirm, name="confirm"),
    path("j/<str:token>/cancel/", views.cancel, name="cancel"),
    path("j/<str:token>/withdraw/", views.withdraw, name="withdraw"),
    path("privacy/", views.privacy, name="privacy"),
]

# Versioned privacy notice pages (issue 5 §10).
urlpatterns += privacy_urls.urlpatterns
