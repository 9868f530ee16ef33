"""API routes of a client's participants as persons, and the participant's own export and
erasure (issue 5 §9, §11)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
