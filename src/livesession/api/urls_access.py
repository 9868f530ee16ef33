"""API routes for issue 4 (access); added to api/urls.py."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
