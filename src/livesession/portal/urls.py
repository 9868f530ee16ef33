from django.urls import path

from livesession.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("e/<uuid:event_id>/", views.event_page, name="event"),
    path("e/<uuid:event_id>/registered/", views.registered, name="registered"),
    path("j/<str:token>/", views.join, name="join"),
    path("j/<str:token>/confirm/", views.confirm, name="confirm"),
    path("j/<str:token>/cancel/", views.cancel, name="cancel"),
    path("j/<str:token>/withdraw/", views.withdraw, name="withdraw"),
    path("privacy/", views.privacy, name="privacy"),
]
