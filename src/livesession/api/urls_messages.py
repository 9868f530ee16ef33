"""API routes for issue 4 (messages); added to api/urls.py."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
