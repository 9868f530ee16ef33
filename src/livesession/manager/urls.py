from django.urls import path

from livesession.manager import views

app_name = "manager"

urlpatterns = [
    path("", views.home, name="home"),
    path("<slug:client_slug>/", views.event_list, name="events"),
    path("<slug:client_slug>/events/new/", views.event_create, name="event-create"),
    path("<slug:client_slug>/events/<uuid:event_id>/", views.event_detail, name="event"),
    path("<slug:client_slug>/events/<uuid:event_id>/edit/", views.event_edit,
         name="event-edit"),
    path("<slug:client_slug>/events/<uuid:event_id>/publish/", views.event_publish,
         name="event-publish"),
    path("<slug:client_slug>/tokens/", views.tokens, name="tokens"),
    path("<slug:client_slug>/tokens/<int:token_id>/revoke/", views.token_revoke,
         name="token-revoke"),
]
