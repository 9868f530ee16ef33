from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from livesession.api import views

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(authentication_classes=[],
                                               permission_classes=[]), name="schema"),
    path("events/", views.EventList.as_view(), name="events"),
    path("events/<uuid:event_id>/", views.EventDetail.as_view(), name="event"),
    path("events/<uuid:event_id>/publish", views.EventPublish.as_view(), name="event-publish"),
    path("events/<uuid:event_id>/registrations", views.EventRegistrations.as_view(),
         name="event-registrations"),
    path("pow-challenge", views.PowChallenge.as_view(), name="pow-challenge"),
]
