from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from livesession.api import (
    urls_access,
    urls_breaches,
    urls_desk,
    urls_messages,
    urls_people,
    views,
    views_sessions,
)
from livesession.api import views_registrants as organizer

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
    path("events/<uuid:event_id>/registrants", organizer.Registrants.as_view(),
         name="event-registrants"),
    path("events/<uuid:event_id>/form", organizer.EventScope.as_view(), name="event-form"),
    path("events/<uuid:event_id>/questions", organizer.Questions.as_view(),
         name="event-questions"),
    path("events/<uuid:event_id>/questions/<int:field_id>", organizer.QuestionDetail.as_view(),
         name="event-question"),
    path("registrations/<uuid:registration_id>", organizer.RegistrantDetail.as_view(),
         name="registration"),
    path("registrations/<uuid:registration_id>/approve",
         organizer.RegistrantAction.as_view(action="approve"), name="registration-approve"),
    path("registrations/<uuid:registration_id>/deny",
         organizer.RegistrantAction.as_view(action="deny"), name="registration-deny"),
    path("registrations/<uuid:registration_id>/cancel",
         organizer.RegistrantAction.as_view(action="cancel"), name="registration-cancel"),
    path("consent-purposes", organizer.Purposes.as_view(), name="consent-purposes"),
    path("events/<uuid:event_id>/sessions", views_sessions.Sessions.as_view(),
         name="event-sessions"),
    path("events/<uuid:event_id>/sessions/<int:session_id>",
         views_sessions.SessionDetail.as_view(), name="event-session"),
    path("events/<uuid:event_id>/session-mode", views_sessions.SessionMode.as_view(),
         name="event-session-mode"),
]

# Issue 4: personal links, attendance, replays (access); templates and sends (messages).
urlpatterns += urls_access.urlpatterns + urls_messages.urlpatterns

# Issue 5: the request desk; people (a client's participants) and the participant's own rights.
urlpatterns += urls_desk.urlpatterns + urls_people.urlpatterns

# Issue 8: the breach register, for operator staff.
urlpatterns += urls_breaches.urlpatterns

# Issue 7: consent receipts (the person's), organizer analytics, the peer comparison.
from livesession.api import urls_analytics, urls_comparison, urls_consents  # noqa: E402

urlpatterns += (urls_consents.urlpatterns + urls_analytics.urlpatterns
                + urls_comparison.urlpatterns)
