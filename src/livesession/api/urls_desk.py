"""API routes of the request desk (issue 5 §11)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
