"""Console routes of incidents (issue 5 §7; grows into issue 8's breach register)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
