"""Personal-space routes for sessions and 'that was not me' (issue 5 §7); mounted under /me/."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
