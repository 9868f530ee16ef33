"""Console routes of the operator's request desk (issue 5 §8)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
