"""API routes for issue 4 (messages); added to api/urls.py."""

from django.urls import URLPattern, path

from livesession.api import views_messages as views

urlpatterns: list[URLPattern] = [
    path("message-templates", views.Templates.as_view(), name="message-templates"),
    path("message-templates/<str:kind>/<str:language>", views.TemplateDetail.as_view(),
         name="message-template"),
    path("message-templates/<str:kind>/<str:language>/preview",
         views.TemplatePreview.as_view(), name="message-template-preview"),
    path("events/<uuid:event_id>/messages", views.EventMessages.as_view(),
         name="event-messages"),
    path("events/<uuid:event_id>/message-settings", views.EventMessageSettings.as_view(),
         name="event-message-settings"),
    path("events/<uuid:event_id>/sends", views.EventSends.as_view(), name="event-sends"),
]
