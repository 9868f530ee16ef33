"""Personal-space routes for rectification, restriction, objection and consents (issue 5
§2-§4); mounted under /me/."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
