"""Console routes of the audit trail and the sub-processor register (issue 6 §4, §5)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
