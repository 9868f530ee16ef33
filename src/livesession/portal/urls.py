from django.urls import path

from livesession.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("e/<uuid:event_id>/", views.event_page, name="event"),
    path("e/<uuid:event_id>/registered/", views.registered, name="registered"),
    path("j/<str:token>/", views.join, name="join"),
    path("privacy/", views.privacy, name="privacy"),
]
