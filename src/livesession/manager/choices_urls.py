"""Manager routes of the restriction/objection features (issue 5 §3, §4), if any."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
