"""Participant-facing messaging URLs (included by config/urls.py)."""

from django.urls import path

from livesession.messaging import views

app_name = "messaging"

urlpatterns = [
    path("u/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
