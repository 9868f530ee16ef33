"""Public routes of the versioned privacy notice pages (issue 5 §10)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
